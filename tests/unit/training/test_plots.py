import io

import numpy as np
import pandas as pd

from psystock.data.features import LABEL
from psystock.settings import TrainingSettings
from psystock.training.model import fit_booster
from psystock.training.plots import (
    confusion_matrix_figure,
    feature_importance,
    feature_importance_figure,
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
    assert sorted(text.get_text() for text in figure.axes[0].texts) == ["1", "2", "5", "7"]
