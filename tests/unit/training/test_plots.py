import io

import numpy as np
import pandas as pd
import pytest

from psystock.data.features import LABEL
from psystock.settings import TrainingSettings
from psystock.training.model import fit_booster
from psystock.training.plots import (
    confusion_matrix_figure,
    feature_importance,
    feature_importance_figure,
    share_text,
)
from psystock.training.plots_contrast import MINIMUM_CONTRAST
from tests.figure_checks import (
    annotation_contrasts,
    overlapping_texts,
    texts_outside,
    texts_over_other_axes,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_bytes(figure) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def test_feature_importance_has_one_value_per_day_and_zero_for_unused_days() -> None:
    rng = np.random.default_rng(0)
    rows = pd.DataFrame(rng.integers(0, 2, size=(200, 14)))
    rows[LABEL] = rows[13]  # only the last day matters
    booster = fit_booster(rows, TrainingSettings(num_boost_round=3, max_depth=1))

    importance = feature_importance(booster, window_days=14)

    assert len(importance) == 14
    assert importance[13] > 0
    assert importance.index(max(importance)) == 13


def test_feature_importance_figure_renders_a_png_with_one_bar_per_day() -> None:
    figure = feature_importance_figure([float(i) for i in range(14)], "title")

    assert png_bytes(figure).startswith(PNG_MAGIC)
    assert len(figure.axes[0].patches) == 14
    assert figure.axes[0].get_title() == "title"


def test_confusion_matrix_figure_writes_the_counts_in_the_cells() -> None:
    figure = confusion_matrix_figure(np.array([[5, 1], [2, 7]]), "cm")

    assert png_bytes(figure).startswith(PNG_MAGIC)
    counts = sorted(text.get_text().split("\n")[0] for text in figure.axes[0].texts)
    assert counts == ["1", "2", "5", "7"]


SYNTHETIC_TITLE = "Test set confusion matrix (SYNTHETIC prices)"
LONG_TITLE = (
    "Test set confusion matrix of training-model-psystock-with-a-long-registered-name, "
    "trained on SYNTHETIC prices"
)
# Counts that break a text colour chosen from max/2: every count is over half the largest,
# yet the smallest is drawn in the colour map's lightest blue once it starts at the minimum.
CLOSE_COUNTS = np.array([[300, 310], [290, 305]])


@pytest.mark.parametrize(
    "counts",
    [CLOSE_COUNTS, np.array([[88, 261], [104, 241]]), np.array([[1200, 3], [57, 1180]])],
    ids=["close", "book", "skewed"],
)
def test_every_count_contrasts_with_its_cell_as_drawn(counts: np.ndarray) -> None:
    figure = confusion_matrix_figure(counts, SYNTHETIC_TITLE)

    contrasts = annotation_contrasts(figure)

    assert len(contrasts) == 4
    assert min(contrasts.values()) >= MINIMUM_CONTRAST, contrasts


def test_zero_counts_draw_a_light_matrix_with_dark_numbers() -> None:
    figure = confusion_matrix_figure(np.zeros((2, 2), dtype=np.int64), "cm")

    assert min(annotation_contrasts(figure).values()) >= MINIMUM_CONTRAST
    assert figure.axes[0].get_title() == "0 rows"


@pytest.mark.parametrize("title", ["cm", SYNTHETIC_TITLE, LONG_TITLE])
def test_confusion_matrix_keeps_every_text_inside_the_figure(title: str) -> None:
    figure = confusion_matrix_figure(CLOSE_COUNTS, title)

    assert texts_outside(figure) == []
    assert overlapping_texts(figure) == []
    assert texts_over_other_axes(figure) == []
    assert "".join(figure.get_suptitle().split()) == "".join(title.split())


@pytest.mark.parametrize("title", ["PsyStock feature importance (SYNTHETIC prices)", LONG_TITLE])
def test_feature_importance_keeps_every_text_inside_the_figure(title: str) -> None:
    figure = feature_importance_figure([float(i) for i in range(14)], title)

    assert texts_outside(figure) == []
    assert overlapping_texts(figure) == []
    assert texts_over_other_axes(figure) == []


def test_confusion_matrix_cells_say_the_count_and_the_share_of_the_actual_class() -> None:
    figure = confusion_matrix_figure(np.array([[1200, 3], [57, 1180]]), "cm")

    assert [text.get_text() for text in figure.axes[0].texts] == [
        "1,200\n>99% of down days",
        "3\n<1% of down days",
        "57\n5% of up days",
        "1,180\n95% of up days",
    ]
    assert figure.axes[0].get_title() == "2,440 rows, accuracy 97.5%"


@pytest.mark.parametrize(
    ("share", "text"), [(0.0, "0%"), (0.004, "<1%"), (0.5, "50%"), (0.996, ">99%"), (1.0, "100%")]
)
def test_share_text_never_rounds_to_none_or_all(share: float, text: str) -> None:
    assert share_text(share) == text


def test_plots_are_logged_at_their_figure_size() -> None:
    from PIL import Image

    matrix = png_bytes(confusion_matrix_figure(CLOSE_COUNTS, "cm"))
    importance = png_bytes(feature_importance_figure([1.0] * 14, "fi"))

    assert Image.open(io.BytesIO(matrix)).size == (640, 520)
    assert Image.open(io.BytesIO(importance)).size == (800, 450)
