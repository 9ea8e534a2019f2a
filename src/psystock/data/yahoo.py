"""Daily prices from Yahoo Finance through yfinance (the optional ``psystock[yahoo]`` extra).

yfinance reports most failures (no network, unknown ticker) by logging an error and returning
an empty frame rather than by raising; both ways become one ``DataSourceError`` here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from psystock.data.layout import DATE, DATE_FORMAT, PRICE_COLUMNS
from psystock.errors import DataSourceError

if TYPE_CHECKING:
    import pandas as pd

    from psystock.settings import DataSettings

logger = logging.getLogger(__name__)

YFINANCE_LOGGER = "yfinance"
FALLBACK_HINT = "use --source synthetic or --source csv PATH"
MAX_REASON_CHARS = 300


def fetch_yahoo(
    settings: DataSettings,
    start: dt.date,
    end: dt.date | None,
    cache_dir: Path,
) -> pd.DataFrame:
    """Download daily prices of ``settings.ticker`` from ``start`` to ``end`` (inclusive).

    Args:
        settings: ticker, timeout and proxy.
        start: first day.
        end: last day; ``None`` means up to the latest day Yahoo has.
        cache_dir: where yfinance keeps its time-zone and cookie caches.

    Returns:
        The prices in the Yahoo CSV layout, ``Date`` as ``YYYY-MM-DD`` strings.

    Raises:
        DataSourceError: yfinance is not installed, or Yahoo cannot be reached or returns nothing.
    """
    try:
        import yfinance as yf
    except ImportError as exc:
        raise _source_error(
            settings.ticker, "yfinance is not installed (pip install 'psystock[yahoo]')"
        ) from exc
    cache_dir.mkdir(parents=True, exist_ok=True)
    yf.set_tz_cache_location(str(cache_dir))
    yf.config.network.proxy = settings.yahoo_proxy
    # yfinance's `end` is exclusive; ours is the last day wanted.
    end_exclusive = None if end is None else end + dt.timedelta(days=1)
    with _captured_errors() as errors, warnings.catch_warnings():
        # yfinance trips pandas' deprecation warnings on its own internals; not the user's concern.
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            frame = yf.download(
                settings.ticker,
                start=start.strftime(DATE_FORMAT),
                end=None if end_exclusive is None else end_exclusive.strftime(DATE_FORMAT),
                interval="1d",
                auto_adjust=False,
                progress=False,
                threads=False,
                timeout=settings.yahoo_timeout_s,
            )
        except Exception as exc:  # yfinance raises curl, HTTP and its own errors alike
            raise _source_error(settings.ticker, f"{type(exc).__name__}: {exc}") from exc
    if frame is None or frame.empty:
        reason = errors[-1] if errors else "Yahoo returned no rows"
        raise _source_error(settings.ticker, reason)
    return normalise_yahoo_frame(frame)


def normalise_yahoo_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn a yfinance frame into the Yahoo CSV layout ``Date,Open,High,Low,Close,...``.

    Recent yfinance versions return MultiIndex columns ``(Price, Ticker)`` and the dates as
    the index (time-zone aware for some tickers); both are flattened here.
    """
    import pandas as pd

    flat = frame.copy()
    if isinstance(flat.columns, pd.MultiIndex):
        flat.columns = flat.columns.get_level_values(0)
    flat = flat.reset_index()
    flat = flat.rename(columns={flat.columns[0]: DATE}) if DATE not in flat.columns else flat
    dates = pd.to_datetime(flat[DATE])
    flat[DATE] = dates.dt.strftime(DATE_FORMAT)
    return flat[[column for column in PRICE_COLUMNS if column in flat.columns]]


def _source_error(ticker: str, reason: str) -> DataSourceError:
    return DataSourceError(
        f"cannot fetch {ticker} from Yahoo Finance: {_shorten(reason)}; {FALLBACK_HINT}",
        source="yahoo",
        ticker=ticker,
    )


def _shorten(reason: str) -> str:
    """Turn ``['BTC-USD']: DNSError('Failed... See https://curl.se/...')`` into its cause."""
    text = " ".join(reason.split())
    text = re.sub(r"^\[[^\]]*\]:\s*", "", text)
    # curl's messages end with a long pointer to its documentation; the cause comes first.
    text = text.split(" See https://curl.se")[0].strip()
    wrapped = re.fullmatch(r"(\w+)\(['\"](.*?)['\"]?\)?", text)
    if wrapped:
        text = f"{wrapped.group(1)}: {wrapped.group(2)}"
    text = text.rstrip(".")
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 3] + "..."


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().strip()
        if message and "Failed download" not in message:
            self.messages.append(message)


@contextmanager
def _captured_errors() -> Iterator[list[str]]:
    """Collect the errors yfinance logs instead of raising, and keep them off the console."""
    yf_logger = logging.getLogger(YFINANCE_LOGGER)
    collector = _ErrorCollector()
    was_propagating = yf_logger.propagate
    yf_logger.addHandler(collector)
    yf_logger.propagate = False
    try:
        yield collector.messages
    finally:
        yf_logger.removeHandler(collector)
        yf_logger.propagate = was_propagating
        for message in collector.messages:
            logger.debug("yfinance: %s", message)
