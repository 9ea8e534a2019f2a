"""Where daily prices come from: Yahoo Finance, a user's CSV in Yahoo format, or synthetic.

``fetch_prices`` reads the chosen source, runs the quality checks and labels the result with
its source: ``yahoo``, ``csv:<path>`` or ``synthetic(seed=N)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from psystock.data import synthetic, yahoo
from psystock.data.layout import DATE
from psystock.data.quality import CheckedPrices, check_prices
from psystock.errors import ConfigError, DataError, DataSourceError, InputError

if TYPE_CHECKING:
    import pandas as pd

    from psystock.settings import Settings

SourceKind = Literal["yahoo", "csv", "synthetic"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("yahoo", "csv", "synthetic")
SYNTHETIC_PREFIX = "synthetic"


@dataclass(frozen=True)
class FetchRequest:
    """What the user asked for; ``None`` fields fall back to the data settings."""

    source: SourceKind
    path: Path | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    days: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class FetchedPrices:
    """Checked prices and the label of where they came from."""

    prices: CheckedPrices
    source: str
    ticker: str

    @property
    def is_synthetic(self) -> bool:
        """Whether these prices are generated rather than market data."""
        return is_synthetic_source(self.source)


def is_synthetic_source(source: str) -> bool:
    """Whether a source label names synthetic prices."""
    return source.startswith(SYNTHETIC_PREFIX)


def synthetic_label(seed: int) -> str:
    """The source label of synthetic prices: ``synthetic(seed=42)``."""
    return f"{SYNTHETIC_PREFIX}(seed={seed})"


def csv_label(path: Path) -> str:
    """The source label of a user's CSV: ``csv:/abs/path.csv``."""
    return f"csv:{path.resolve()}"


def fetch_prices(request: FetchRequest, settings: Settings) -> FetchedPrices:
    """Read the requested source and run the quality checks on what it returns.

    Raises:
        DataSourceError: the source is unavailable (offline, yfinance missing, no such file).
        SchemaError: a column is missing or a cell is not a date/number.
        DataError: duplicate dates, missing days, or nothing left in the date range.
        InputError: the request's options contradict each other.
    """
    ticker = settings.data.ticker
    if request.source == "yahoo":
        start = request.start or _setting_date(settings.data.start, "PSYSTOCK_DATA__START")
        cache_dir = settings.home / "cache" / "yfinance"
        raw = yahoo.fetch_yahoo(settings.data, start, request.end, cache_dir)
        return FetchedPrices(check_prices(raw), "yahoo", ticker)
    if request.source == "csv":
        if request.path is None:
            raise InputError("--source csv needs the PATH of a CSV in Yahoo Finance format")
        checked = _restrict(check_prices(read_price_csv(request.path)), request)
        return FetchedPrices(checked, csv_label(request.path), ticker)
    return _fetch_synthetic(request, settings)


def read_price_csv(path: Path) -> pd.DataFrame:
    """Read a CSV of daily prices with every cell as text, for the quality checks to parse.

    Raises:
        DataSourceError: the file does not exist or cannot be read.
        DataError: the file is not parseable CSV.
    """
    import pandas as pd

    if not path.is_file():
        raise DataSourceError(f"cannot read prices from {path}: no such file", path=str(path))
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"cannot parse {path} as CSV: {reason}", path=str(path)) from exc
    except OSError as exc:
        raise DataSourceError(f"cannot read prices from {path}: {exc.strerror}") from exc


def _fetch_synthetic(request: FetchRequest, settings: Settings) -> FetchedPrices:
    start = request.start or _setting_date(settings.data.start, "PSYSTOCK_DATA__START")
    if request.days is not None and request.end is not None:
        raise InputError("synthetic prices take --days or --end, not both")
    days = request.days or settings.data.synthetic_days
    if request.end is not None:
        days = (request.end - start).days + 1
    if days < 1:
        raise InputError(
            f"synthetic prices: expected --end after --start {start}, got {request.end}"
        )
    seed = settings.data.synthetic_seed if request.seed is None else request.seed
    raw = synthetic.generate_prices(days, seed, start)
    return FetchedPrices(check_prices(raw), synthetic_label(seed), settings.data.ticker)


def _restrict(checked: CheckedPrices, request: FetchRequest) -> CheckedPrices:
    if request.start is None and request.end is None:
        return checked
    frame = checked.frame
    dates = frame[DATE].dt.date
    keep = (dates >= (request.start or dt.date.min)) & (dates <= (request.end or dt.date.max))
    kept = frame.loc[keep].reset_index(drop=True)
    if kept.empty:
        raise DataError(
            f"no prices from {request.start or 'the start'} to {request.end or 'the end'}: "
            f"the file covers {checked.report.first_date} to {checked.report.last_date}"
        )
    report = dataclasses.replace(
        checked.report,
        rows_kept=len(kept),
        first_date=f"{kept[DATE].iloc[0]:%Y-%m-%d}",
        last_date=f"{kept[DATE].iloc[-1]:%Y-%m-%d}",
    )
    return CheckedPrices(frame=kept, report=report)


def _setting_date(value: str, variable: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(
            f"invalid setting {variable}={value!r}: expected a date as YYYY-MM-DD"
        ) from exc
