import pytest

from psystock.training.plots_contrast import (
    BLACK,
    MINIMUM_CONTRAST,
    WHITE,
    contrast_ratio,
    readable_text_colour,
    relative_luminance,
)


def test_luminance_and_contrast_match_wcag_reference_values() -> None:
    assert relative_luminance(WHITE) == pytest.approx(1.0)
    assert relative_luminance(BLACK) == 0.0
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    # WCAG's own example: #777777 on white is 4.48:1, just under AA.
    grey = (0x77 / 255,) * 3
    assert contrast_ratio(grey, WHITE) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    ("background", "expected"),
    [
        ((0.97, 0.98, 1.0), BLACK),  # Blues at its lightest: the cell of the issue
        ((0.03, 0.19, 0.42), WHITE),  # Blues at its darkest
        ((0.5, 0.5, 0.5), BLACK),
        ((0.2, 0.2, 0.2), WHITE),
    ],
)
def test_readable_text_colour_picks_the_stronger_contrast(
    background: tuple[float, float, float], expected: tuple[float, float, float]
) -> None:
    assert readable_text_colour(background) == expected


def test_black_or_white_always_reaches_wcag_aa() -> None:
    for level in range(256):
        for background in ((level / 255,) * 3, (level / 255, 0.5, 1 - level / 255)):
            text = readable_text_colour(background)
            assert contrast_ratio(text, background) >= MINIMUM_CONTRAST, background
