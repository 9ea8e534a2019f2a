"""Plots logged with each training run: feature importance and the test confusion matrix.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot), so no GUI backend and
no global figure state are involved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xgboost as xgb
    from matplotlib.figure import Figure

FEATURE_IMPORTANCE_PATH = "plots/feature_importance.png"
CONFUSION_MATRIX_PATH = "plots/confusion_matrix.png"
IMPORTANCE_TYPE = "gain"


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
    axes.set_title(title)
    return figure


def confusion_matrix_figure(counts: np.ndarray[Any, np.dtype[np.int64]], title: str) -> Figure:
    """The 2x2 confusion matrix with its counts written in the cells."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.8, 4.2), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(counts, cmap="Blues")
    figure.colorbar(image, ax=axes)
    names = ["down (0)", "up (1)"]
    axes.set_xticks([0, 1], labels=names)
    axes.set_yticks([0, 1], labels=names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("actual")
    axes.set_title(title)
    middle = counts.max() / 2 if counts.size else 0
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if count > middle else "black"
        axes.text(column, row, str(count), ha="center", va="center", color=colour)
    return figure
