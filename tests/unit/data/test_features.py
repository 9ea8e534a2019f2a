import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from psystock.data.features import LABEL, build_features, feature_columns, up_days
from psystock.data.quality import check_prices
from psystock.data.sources import read_price_csv
from psystock.errors import DataError

THRESHOLD = 0.00001  # the book's
LABEL_POSITION = 14  # column index of the label when the window is 14 days


def label_dates(features: pd.DataFrame) -> list[str]:
    return list(pd.DatetimeIndex(features.index).strftime("%Y-%m-%d"))


def prices(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """(date, open, close) rows as checked prices."""
    return pd.DataFrame(
        {
            "Date": pd.to_datetime([date for date, _, _ in rows]),
            "Open": [open_ for _, open_, _ in rows],
            "Close": [close for _, _, close in rows],
        }
    )


# Each day's up/down worked out by hand: up when (Close - Open) / Open > 0.00001.
HAND_TABLE = [
    ("2024-01-01", 100_000.0, 100_002.0),  # +0.00002            -> 1
    ("2024-01-02", 100_000.0, 100_001.0),  # +0.00001 exactly    -> 0 (not greater)
    ("2024-01-03", 100_000.0, 99_000.0),  # -0.01                -> 0
    ("2024-01-04", 100.0, 110.0),  # +0.1                        -> 1
    ("2024-01-05", 100.0, 100.0),  # flat                        -> 0
    ("2024-01-06", 50.0, 60.0),  # +0.2                          -> 1
]


def test_up_days_follows_the_threshold_including_the_exact_edge() -> None:
    assert list(up_days(prices(HAND_TABLE), THRESHOLD)) == [1, 0, 0, 1, 0, 1]


def test_up_days_with_threshold_zero_counts_any_rise_as_up() -> None:
    assert list(up_days(prices(HAND_TABLE), 0.0)) == [1, 1, 0, 1, 0, 1]


def test_build_features_makes_hand_checked_windows_of_three_days() -> None:
    features = build_features(prices(HAND_TABLE), window_days=3, threshold=THRESHOLD)

    assert list(features.columns) == [0, 1, 2, LABEL]
    assert features.to_numpy().tolist() == [
        [1, 0, 0, 1],  # 01-01..01-03, label 01-04
        [0, 0, 1, 0],  # 01-02..01-04, label 01-05
        [0, 1, 0, 1],  # 01-03..01-05, label 01-06
    ]
    assert label_dates(features) == [
        "2024-01-04",
        "2024-01-05",
        "2024-01-06",
    ]
    assert features.index.name == "label_date"
    assert set(features.dtypes) == {np.dtype("int64")}


def test_build_features_on_the_first_btc_days_matches_the_hand_check(
    btc_csv: Path,
) -> None:
    # Close vs Open of 2014-09-17 .. 2014-10-02 read off the file:
    # down down down UP down UP UP down down down down down down UP | down | down
    checked = check_prices(read_price_csv(btc_csv))

    features = build_features(checked.frame.head(16), window_days=14, threshold=THRESHOLD)

    assert list(features.columns) == [*range(14), LABEL]
    assert features.to_numpy().tolist() == [
        [0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0],
        [0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0],
    ]
    assert label_dates(features) == [
        "2014-10-01",
        "2014-10-02",
    ]


def test_build_features_on_all_days_makes_one_row_per_day_after_the_first_window(
    btc_csv: Path,
) -> None:
    checked = check_prices(read_price_csv(btc_csv))

    features = build_features(checked.frame, window_days=14, threshold=THRESHOLD)

    assert len(features) == 3484 - 14
    # Each row's day k is the next row's day k-1: the windows slide one day at a time.
    values = features.to_numpy()
    assert (values[1:, :13] == values[:-1, 1:14]).all()
    assert (values[:-1, LABEL_POSITION] == values[1:, 13]).all()


def test_build_features_never_spans_a_dropped_day() -> None:
    table = [(f"2024-01-{day:02d}", 100.0, 101.0 if day % 2 else 99.0) for day in range(1, 11)]
    del table[4]  # 2024-01-05 was dropped by the quality checks (a row with nulls)

    features = build_features(prices(table), window_days=3, threshold=THRESHOLD)

    # Windows: 01..04 (label 04) and from 06 on: 06..09 (label 09), 07..10 (label 10).
    assert label_dates(features) == [
        "2024-01-04",
        "2024-01-09",
        "2024-01-10",
    ]
    assert features.iloc[0].tolist() == [1, 0, 1, 0]


def test_build_features_needs_one_more_day_than_the_window() -> None:
    with pytest.raises(DataError, match=re.escape(
        "not enough prices to build features: expected at least 15 consecutive days "
        "(14 of history and the label day), got 6 days"
    )):  # fmt: skip
        build_features(prices(HAND_TABLE), window_days=14, threshold=THRESHOLD)


def test_build_features_needs_a_consecutive_run() -> None:
    table = [("2024-01-01", 1.0, 2.0), ("2024-01-02", 1.0, 2.0), ("2024-01-04", 1.0, 2.0)]

    with pytest.raises(DataError, match=re.escape(
        "expected a run of 3 days without a missing one, got 3 days with gaps"
    )):  # fmt: skip
        build_features(prices(table), window_days=2, threshold=THRESHOLD)


def test_feature_columns_are_the_integers_of_the_window() -> None:
    assert feature_columns(14) == list(range(14))
