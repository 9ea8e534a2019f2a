import re

import pandas as pd
import pytest

from psystock.data.features import LABEL, build_features
from psystock.errors import DataError
from psystock.training.split import split_by_time, window_start

WINDOW = 14


def features_of(days: int, *, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    prices = pd.DataFrame(
        {"Date": dates, "Open": 100.0, "Close": [101.0 if i % 3 else 99.0 for i in range(days)]}
    )
    prices = prices[~prices["Date"].dt.strftime("%Y-%m-%d").isin(drop)].reset_index(drop=True)
    return build_features(prices, WINDOW, 0.00001)


def days_used(rows: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last calendar day any row's window or label touches."""
    return window_start(rows, WINDOW).min(), pd.DatetimeIndex(rows.index).max()


def test_split_by_time_holds_out_the_most_recent_rows() -> None:
    features = features_of(114)  # 100 rows

    split = split_by_time(features, test_fraction=0.2, window_days=WINDOW)

    assert len(split.test) == 20
    assert split.test.index.equals(features.index[-20:])
    assert pd.DatetimeIndex(split.train.index).is_monotonic_increasing
    assert split.train.index.max() < split.test.index.min()


def test_split_by_time_shares_no_day_between_train_and_test() -> None:
    features = features_of(114)

    split = split_by_time(features, test_fraction=0.2, window_days=WINDOW)

    _, last_train_day = days_used(split.train)
    first_test_day, _ = days_used(split.test)
    assert last_train_day < first_test_day == split.split_date
    # Without purging, the last train label (and its window) would reach into the test days.
    assert split.purged_rows == WINDOW
    assert len(split.train) + len(split.test) + split.purged_rows == len(features)


def test_split_by_time_purges_only_straddling_rows_when_days_are_missing() -> None:
    features = features_of(114, drop=("2024-03-20",))

    split = split_by_time(features, test_fraction=0.2, window_days=WINDOW)

    assert days_used(split.train)[1] < days_used(split.test)[0]
    assert len(split.train) + len(split.test) + split.purged_rows == len(features)


def test_split_by_time_keeps_label_and_features_together() -> None:
    split = split_by_time(features_of(60), test_fraction=0.25, window_days=WINDOW)

    assert list(split.train.columns) == [*range(WINDOW), LABEL]
    assert list(split.test.columns) == [*range(WINDOW), LABEL]


def test_split_by_time_needs_rows_on_both_sides() -> None:
    features = features_of(WINDOW + 10)  # 10 rows: the test window purges every train row

    with pytest.raises(DataError, match=re.escape(
        "not enough feature rows to split by time: 10 rows leave 0 for training and 2 for "
        "testing; expected at least one of each (fetch more days)"
    )):  # fmt: skip
        split_by_time(features, test_fraction=0.2, window_days=WINDOW)
