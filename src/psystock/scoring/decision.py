"""The decision rule everyone shares: 1 ("up") when the probability is above the threshold.

This is the book's ``1 if y_proba > 0.5 else 0``, with the threshold from
``settings.scoring.threshold``. ``probabilities`` turns what a model's ``predict`` returns
into one float per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from psystock.errors import ScoringError


def decide(probabilities: np.ndarray, threshold: float) -> np.ndarray:
    """0/1 decisions (int8): 1 where the probability is strictly above ``threshold``."""
    return (np.asarray(probabilities) > threshold).astype(np.int8)


def probabilities(prediction: Any, n_rows: int) -> np.ndarray:
    """One float per row from a model's output.

    Accepts a 1-D array/Series/list, a single column, or two columns (a binary classifier's
    ``predict_proba``: the second column is the positive class).

    Raises:
        ScoringError: the output has another shape or is not numeric.
    """
    values = prediction.to_numpy() if hasattr(prediction, "to_numpy") else prediction
    try:
        array = np.asarray(values)
        if array.dtype.kind != "f":
            array = array.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ScoringError(
            f"expected numeric model output, got {type(prediction).__name__}"
        ) from exc
    if array.ndim == 2 and array.shape[1] in (1, 2):
        array = array[:, -1]
    if array.ndim != 1 or array.shape[0] != n_rows:
        raise ScoringError(
            f"expected one score per row ({n_rows}), got model output of shape {array.shape}"
        )
    return array
