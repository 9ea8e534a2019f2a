"""Time-ordered train/test split of feature rows, with no look-ahead.

The most recent ``test_fraction`` of rows is held out. The split happens at a day (the first
day of the first test window): test rows use only days from it on, train rows only days before
it, and the rows whose window straddles it are dropped (purged). No day is seen in both sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from psystock.errors import DataError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class TimeSplit:
    """Training and test rows, and where the split happened."""

    train: pd.DataFrame
    test: pd.DataFrame
    split_date: pd.Timestamp
    """First day any test row uses; every train row's days are before it."""
    purged_rows: int
    """Rows dropped because their window crossed the split date."""


def window_start(features: pd.DataFrame, window_days: int) -> pd.DatetimeIndex:
    """The first day of each row's window (its index is the label's date)."""
    import pandas as pd

    index = pd.DatetimeIndex(features.index)
    return index - pd.Timedelta(days=window_days)


def split_by_time(features: pd.DataFrame, test_fraction: float, window_days: int) -> TimeSplit:
    """Hold out the last ``test_fraction`` of rows; drop the rows that straddle the split.

    Args:
        features: rows from ``build_features``, indexed by label date, in time order.
        test_fraction: share of rows (rounded up) to hold out, between 0 and 1.
        window_days: days of history per row.

    Raises:
        DataError: too few rows to leave at least one row on each side.
    """
    rows = len(features)
    test_rows = max(1, math.ceil(rows * test_fraction))
    if test_rows >= rows:
        raise DataError(_too_few(rows, test_rows, 0))
    starts = window_start(features, window_days)
    split_date = starts[rows - test_rows]
    is_test = starts >= split_date
    is_train = features.index < split_date
    train, test = features[is_train], features[is_test]
    if train.empty:
        raise DataError(_too_few(rows, len(test), 0))
    return TimeSplit(
        train=train,
        test=test,
        split_date=split_date,
        purged_rows=rows - len(train) - len(test),
    )


def _too_few(rows: int, test_rows: int, train_rows: int) -> str:
    return (
        f"not enough feature rows to split by time: {rows} rows leave {train_rows} for "
        f"training and {test_rows} for testing; expected at least one of each (fetch more days)"
    )
