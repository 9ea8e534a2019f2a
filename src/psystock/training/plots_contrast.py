"""Text that stays readable on a coloured background: WCAG 2 relative luminance and contrast.

A cell of a heat map gets black or white text, whichever contrasts more with the colour the
cell is actually drawn in; one of the two always reaches at least 4.58:1, above WCAG's 4.5:1
for normal text.
"""

from __future__ import annotations

from collections.abc import Sequence

BLACK = (0.0, 0.0, 0.0)
WHITE = (1.0, 1.0, 1.0)
MINIMUM_CONTRAST = 4.5
"""WCAG 2 level AA for normal text."""


def relative_luminance(rgb: Sequence[float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour with channels in [0, 1] (alpha ignored)."""
    red, green, blue = (_linear(channel) for channel in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: Sequence[float], second: Sequence[float]) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)))[::-1]
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_colour(background: Sequence[float]) -> tuple[float, float, float]:
    """Black or white, whichever contrasts more with ``background``."""
    if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background):
        return BLACK
    return WHITE


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4
