"""Quality checks on daily prices, as the book runs them before building features.

Checks, in order: the columns of the Yahoo Finance layout, the date format (``YYYY-MM-DD``),
numeric price and volume columns, no duplicate dates and no missing calendar days. Rows with a
missing value are then dropped and counted. Each failure names the row (counted from 1, the
first data row), the column and the value, or the dates concerned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.data.layout import (
    DATE,
    DATE_FORMAT,
    NULL_TOKENS,
    PRICE_COLUMNS,
    REQUIRED_COLUMNS,
    VOLUME,
)
from psystock.errors import DataError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
MAX_LISTED = 10
"""Most dates a message lists before it says how many more there are."""


@dataclass(frozen=True)
class QualityReport:
    """What the checks saw and what they dropped."""

    rows_read: int
    rows_kept: int
    null_rows_dropped: int
    dropped_dates: tuple[str, ...]
    first_date: str
    last_date: str


@dataclass(frozen=True)
class CheckedPrices:
    """Prices that passed the checks: ``Date`` as datetimes, sorted, numbers as floats."""

    frame: pd.DataFrame
    report: QualityReport


def check_prices(raw: pd.DataFrame) -> CheckedPrices:
    """Run the quality checks on raw prices (cells may be strings or numbers).

    Raises:
        SchemaError: a column is missing, or a cell is not a date/number (names row and column).
        DataError: the table is empty, a date repeats, or calendar days are missing.
    """
    import pandas as pd

    _check_columns(raw)
    if raw.empty:
        raise DataError("no price rows: expected daily prices, got an empty table")
    raw = raw.reset_index(drop=True)
    columns = [column for column in PRICE_COLUMNS if column in raw.columns]
    frame = pd.DataFrame({DATE: _parse_dates(raw[DATE])})
    for column in columns[1:]:
        frame[column] = _parse_numbers(raw[column], column)
    _check_unique_dates(frame[DATE])
    frame = frame.sort_values(DATE, kind="stable").reset_index(drop=True)
    _check_no_gaps(frame[DATE])
    return _drop_null_rows(frame)


def _check_columns(raw: pd.DataFrame) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in raw.columns]
    if missing:
        got = ", ".join(str(column) for column in raw.columns) or "no columns"
        raise SchemaError(
            f"the Yahoo Finance columns {', '.join(PRICE_COLUMNS)}",
            f"{got} (missing {', '.join(missing)})",
        )


def _parse_dates(values: pd.Series) -> pd.Series:
    import pandas as pd

    text = values.astype("string").str.strip()
    is_formatted = text.str.fullmatch(DATE_PATTERN).fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(is_formatted), format=DATE_FORMAT, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError("a date as YYYY-MM-DD", _show(values.iloc[row]), row=row + 1, column=DATE)
    return parsed


def _parse_numbers(values: pd.Series, column: str) -> pd.Series:
    import pandas as pd

    if values.dtype.kind in "biuf":
        numbers = values.astype("float64")
        is_null = numbers.isna()
    else:
        text = values.astype("string").str.strip()
        is_null = text.isna() | text.isin(NULL_TOKENS)
        numbers = pd.to_numeric(text.where(~is_null), errors="coerce").astype("float64")
    array = numbers.to_numpy()
    with np.errstate(invalid="ignore"):
        not_finite = ~np.isfinite(array) & ~is_null.to_numpy()
        out_of_range = (array < 0) if column == VOLUME else (array <= 0)
    expected = "a number >= 0" if column == VOLUME else "a price > 0"
    _raise_first(not_finite, values, column, "a number")
    _raise_first(out_of_range & ~not_finite, values, column, expected)
    return numbers


def _raise_first(
    bad: np.ndarray[Any, np.dtype[np.bool_]], values: pd.Series, column: str, expected: str
) -> None:
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SchemaError(expected, _show(values.iloc[row]), row=row + 1, column=column)


def _show(value: object) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _check_unique_dates(dates: pd.Series) -> None:
    repeated = dates[dates.duplicated(keep=False)]
    if repeated.empty:
        return
    rows_by_day = repeated.groupby(repeated).groups
    days = [f"{day:%Y-%m-%d}" for day in rows_by_day]
    groups = [
        f"{name} (rows {', '.join(str(i + 1) for i in rows)})"
        for name, rows in zip(days, rows_by_day.values(), strict=True)
    ]
    raise DataError(
        f"duplicate dates: {_listing(groups)}; expected one row per calendar day",
        dates=days[:MAX_LISTED],
    )


def _check_no_gaps(dates: pd.Series) -> None:
    import pandas as pd

    steps = dates.diff().dt.days.to_numpy()[1:]
    if (steps == 1).all():
        return
    missing = pd.date_range(dates.iloc[0], dates.iloc[-1], freq="D").difference(
        pd.DatetimeIndex(dates)
    )
    names = [f"{day:%Y-%m-%d}" for day in missing]
    raise DataError(
        f"missing days: {_listing(names)}; expected one row per calendar day from "
        f"{dates.iloc[0]:%Y-%m-%d} to {dates.iloc[-1]:%Y-%m-%d}",
        dates=names[:MAX_LISTED],
    )


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def _drop_null_rows(frame: pd.DataFrame) -> CheckedPrices:
    has_null = frame.drop(columns=[DATE]).isna().any(axis=1)
    dropped = tuple(f"{day:%Y-%m-%d}" for day in frame.loc[has_null, DATE])
    kept = frame.loc[~has_null].reset_index(drop=True)
    if dropped:
        logger.warning(
            "dropped %d row(s) with missing values: %s", len(dropped), _listing(list(dropped))
        )
    if kept.empty:
        raise DataError(f"every one of the {len(frame)} price rows has a missing value")
    if VOLUME in kept and (kept[VOLUME] % 1 == 0).all():
        kept[VOLUME] = kept[VOLUME].astype("int64")
    report = QualityReport(
        rows_read=len(frame),
        rows_kept=len(kept),
        null_rows_dropped=len(dropped),
        dropped_dates=dropped,
        first_date=f"{kept[DATE].iloc[0]:%Y-%m-%d}",
        last_date=f"{kept[DATE].iloc[-1]:%Y-%m-%d}",
    )
    return CheckedPrices(frame=kept, report=report)
