"""Plots logged with each training run: feature importance and the test confusion matrix.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot), so no GUI backend and
no global figure state are involved. They use constrained layout and wrap long titles, so
every label stays inside the PNG that MLflow stores (at the figure's size, 100 dpi).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.training.plots_contrast import readable_text_colour

if TYPE_CHECKING:
    import xgboost as xgb
    from matplotlib.figure import Figure

FEATURE_IMPORTANCE_PATH = "plots/feature_importance.png"
CONFUSION_MATRIX_PATH = "plots/confusion_matrix.png"
IMPORTANCE_TYPE = "gain"
CLASS_NAMES = ("down (0)", "up (1)")
CLASS_DAYS = ("down days", "up days")
IMPORTANCE_TITLE_CHARS = 70
CONFUSION_TITLE_CHARS = 48
"""Longest title line of each figure: what fits its width at the default title font size."""


def feature_importance(booster: xgb.Booster, window_days: int) -> list[float]:
    """Average gain of each feature ``0 .. window_days - 1`` (0 for a feature never used)."""
    scores = booster.get_score(importance_type=IMPORTANCE_TYPE)
    values = [scores.get(str(day), 0.0) for day in range(window_days)]
    # Multi-output models give a list per feature; PsyStock's binary model gives one number.
    return [float(sum(value)) if isinstance(value, list) else float(value) for value in values]


def feature_importance_figure(importance: list[float], title: str) -> Figure:
    """A bar chart of the importance of each day of the window (0 = oldest)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axes = figure.add_subplot()
    axes.bar([str(day) for day in range(len(importance))], importance, color="#3b6ea8")
    axes.set_xlabel("feature: day of the window (0 = oldest, 13 = the day before the label)")
    axes.set_ylabel(f"importance ({IMPORTANCE_TYPE})")
    axes.set_title(fit_title(title, IMPORTANCE_TITLE_CHARS))
    return figure


def confusion_matrix_figure(counts: np.ndarray[Any, np.dtype[np.int64]], title: str) -> Figure:
    """The 2x2 confusion matrix: each cell's count and its share of the actual class.

    Colours run from 0 (white) to the largest count; each number is black or white, whichever
    contrasts more with the colour of its cell.
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 5.2), layout="constrained")
    figure.suptitle(fit_title(title, CONFUSION_TITLE_CHARS))
    axes = figure.add_subplot()
    total = int(counts.sum())
    accuracy = f", accuracy {np.trace(counts) / total:.1%}" if total else ""
    axes.set_title(f"{total:,} rows{accuracy}", fontsize=10)
    image = axes.imshow(counts, cmap="Blues", vmin=0, vmax=max(int(counts.max()), 1))
    figure.colorbar(image, ax=axes, shrink=0.85).set_label("rows")
    axes.set_xticks([0, 1], labels=CLASS_NAMES)
    axes.set_yticks([0, 1], labels=CLASS_NAMES)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    row_totals = counts.sum(axis=1)
    for (row, column), count in np.ndenumerate(counts):
        share = count / row_totals[row] if row_totals[row] else 0.0
        red, green, blue, _ = image.cmap(image.norm(count))
        background = (float(red), float(green), float(blue))
        axes.text(
            column,
            row,
            f"{count:,}\n{share_text(share)} of {CLASS_DAYS[row]}",
            ha="center",
            va="center",
            fontsize=12,
            color=readable_text_colour(background),
        )
    return figure


def share_text(share: float) -> str:
    """A share as a whole percentage, never rounded to 0 % or 100 % when it is neither."""
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"


def fit_title(title: str, width: int) -> str:
    """``title`` wrapped onto lines of at most ``width`` characters, at spaces when it can."""
    return "\n".join(textwrap.wrap(title, width, break_on_hyphens=False)) or title
