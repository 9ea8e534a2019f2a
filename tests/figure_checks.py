"""Checks of a rendered matplotlib figure that a reader would otherwise do by eye.

The figure is drawn with the Agg canvas at its own size and dpi, as ``savefig`` (and so
``mlflow.log_figure``) writes it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text

from psystock.training.plots_contrast import contrast_ratio


def draw(figure: Figure) -> tuple[Any, np.ndarray]:
    """Render ``figure``; return the renderer and the RGBA pixels (rows from the top)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()  # type: ignore[no-untyped-call]
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    return renderer, np.asarray(canvas.buffer_rgba())  # type: ignore[no-untyped-call]


def visible_texts(figure: Figure) -> list[Text]:
    """Every text drawn: titles, labels, tick labels, legend entries, annotations."""
    return [
        text
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and text.figure is not None
    ]


def texts_outside(figure: Figure) -> list[str]:
    """The texts whose bounding box leaves the figure (cut off in the PNG)."""
    renderer, _ = draw(figure)
    width, height = figure.bbox.width, figure.bbox.height
    outside = []
    for text in visible_texts(figure):
        box = text.get_window_extent(renderer)
        if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5:
            outside.append(f"{text.get_text()!r} at {box.bounds}")
    return outside


def overlapping_texts(figure: Figure) -> list[tuple[str, str]]:
    """Pairs of texts that are drawn over each other."""
    renderer, _ = draw(figure)
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in visible_texts(figure)]
    return [
        (first, second)
        for index, (first, box) in enumerate(boxes)
        for second, other in boxes[index + 1 :]
        if box.overlaps(other)
    ]


def texts_over_other_axes(figure: Figure) -> list[str]:
    """Texts drawn where another axes (a colour bar, a second plot) would hide them.

    A figure title belongs to no axes, so it must clear them all.
    """
    renderer, _ = draw(figure)
    hidden = []
    for text in visible_texts(figure):
        box = text.get_window_extent(renderer)
        for axes in figure.axes:
            if text.axes is not axes and box.overlaps(axes.get_window_extent(renderer)):
                hidden.append(f"{text.get_text()!r} under axes {figure.axes.index(axes)}")
    return hidden


def annotation_contrasts(figure: Figure, axes_index: int = 0) -> dict[str, float]:
    """Each annotation of a heat map: the contrast of its colour with its cell as drawn.

    The cell's colour is read from the rendered pixels near the cell's corner, away from the
    text, so it is what a reader sees.
    """
    _, pixels = draw(figure)
    axes = figure.axes[axes_index]
    height = pixels.shape[0]
    contrasts = {}
    for text in axes.texts:
        column, row = text.get_position()
        x, y = axes.transData.transform((column - 0.4, row - 0.4))
        background = [float(channel) / 255 for channel in pixels[round(height - y), round(x), :3]]
        contrasts[text.get_text()] = contrast_ratio(to_rgba(text.get_color()), background)
    return contrasts
