"""Features of the PsyStock model: 14 consecutive up/down days, labelled by the 15th.

A day is "up" (1) when ``(Close - Open) / Open`` is greater than the threshold (0.00001 in the
book), else "down" (0). Each row holds ``window_days`` consecutive days in columns named by the
integers ``0 .. window_days - 1`` (oldest first, the book's layout, from which MLflow infers an
integer-named signature) and the next day in ``label``. A window never spans a day dropped by
the quality checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from psystock.data.layout import CLOSE, DATE, OPEN
from psystock.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

LABEL = "label"
"""Name of the label column: 1 when the day after the window is up."""
LABEL_DATE = "label_date"
"""Name of the features' index: the date of the label day."""


def up_days(prices: pd.DataFrame, threshold: float) -> pd.Series:
    """1 for each day whose ``(Close - Open) / Open`` is greater than ``threshold``, else 0."""
    change = (prices[CLOSE] - prices[OPEN]) / prices[OPEN]
    return (change > threshold).astype("int64")


def feature_columns(window_days: int) -> list[int]:
    """The feature column names: ``[0, 1, ..., window_days - 1]``."""
    return list(range(window_days))


def build_features(prices: pd.DataFrame, window_days: int, threshold: float) -> pd.DataFrame:
    """Rows of ``window_days`` consecutive up/down days and the label of the day after.

    Args:
        prices: checked prices (``Date`` as datetimes, sorted ascending, no duplicates).
        window_days: days of history per row (14 in the book).
        threshold: the "up" threshold on ``(Close - Open) / Open``.

    Returns:
        Columns ``0 .. window_days - 1`` and ``label`` (all int64), indexed by the label's date.

    Raises:
        DataError: the prices hold no run of ``window_days + 1`` consecutive days.
    """
    import pandas as pd

    span = window_days + 1
    ups = up_days(prices, threshold).to_numpy()
    dates = prices[DATE].to_numpy(dtype="datetime64[D]")
    if len(ups) < span:
        raise DataError(_too_short(len(ups), window_days))
    windows = np.lib.stride_tricks.sliding_window_view(ups, span)
    # Dates are unique and sorted, so a window is consecutive exactly when it spans `window_days`.
    is_consecutive = (dates[window_days:] - dates[:-window_days]) == np.timedelta64(
        window_days, "D"
    )
    if not is_consecutive.any():
        raise DataError(
            f"not enough consecutive prices to build features: expected a run of {span} days "
            f"without a missing one, got {len(ups)} days with gaps (rows with missing values "
            "are dropped)"
        )
    kept = windows[is_consecutive]
    frame = pd.DataFrame(kept[:, :window_days], columns=feature_columns(window_days))
    frame[LABEL] = kept[:, window_days]
    frame.index = pd.DatetimeIndex(dates[window_days:][is_consecutive], name=LABEL_DATE)
    return frame


def _too_short(days: int, window_days: int) -> str:
    return (
        f"not enough prices to build features: expected at least {window_days + 1} "
        f"consecutive days ({window_days} of history and the label day), got {days} days"
    )
