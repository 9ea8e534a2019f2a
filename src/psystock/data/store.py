"""The fetched dataset on disk: ``prices.csv`` plus a ``prices.meta.json`` sidecar.

Both files are written atomically (a temporary file in the same directory, then a rename), so
a failed fetch leaves the previous dataset untouched. The sidecar records the source label
("yahoo", "csv:<path>", "synthetic(seed=N)") and the SHA-256 of the CSV it describes; a CSV
without a matching sidecar is labelled ``csv:<path>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psystock.data.layout import DATE_FORMAT
from psystock.data.quality import check_prices
from psystock.data.sources import (
    FetchedPrices,
    csv_label,
    read_price_csv,
)
from psystock.errors import DataSourceError, PsystockError

if TYPE_CHECKING:
    from psystock.settings import Settings

logger = logging.getLogger(__name__)

METADATA_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class StoredPrices(FetchedPrices):
    """Prices read back from disk, checked again, with their source label and their file."""

    path: Path


def default_prices_path(settings: Settings) -> Path:
    """Where ``data fetch`` writes and ``train`` reads by default: ``HOME/data/prices.csv``."""
    return settings.data.prices_path or settings.home / "data" / "prices.csv"


def metadata_path(prices_path: Path) -> Path:
    """The sidecar of a prices file: ``prices.csv`` -> ``prices.meta.json``."""
    return prices_path.with_suffix(METADATA_SUFFIX)


def save_prices(fetched: FetchedPrices, path: Path) -> Path:
    """Write the prices as a Yahoo-format CSV and its metadata sidecar, each atomically.

    Returns:
        The path of the sidecar.

    Raises:
        PsystockError: a file cannot be written; the previous dataset is left as it was.
    """
    body = fetched.prices.frame.to_csv(index=False, date_format=DATE_FORMAT).encode()
    report = fetched.prices.report
    metadata: dict[str, Any] = {
        "source": fetched.source,
        "synthetic": fetched.is_synthetic,
        "ticker": fetched.ticker,
        "rows": report.rows_kept,
        "first_date": report.first_date,
        "last_date": report.last_date,
        "null_rows_dropped": report.null_rows_dropped,
        "dropped_dates": list(report.dropped_dates),
        "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    sidecar = metadata_path(path)
    for target, data in ((path, body), (sidecar, json.dumps(metadata, indent=2).encode())):
        try:
            _write_atomically(target, data)
        except OSError as exc:
            raise PsystockError(f"cannot write prices to {target}: {exc.strerror or exc}") from exc
    return sidecar


def load_prices(path: Path, ticker: str) -> StoredPrices:
    """Read a prices CSV back, run the quality checks again and find its source label.

    Args:
        path: the CSV (``data fetch``'s output or any CSV in Yahoo Finance format).
        ticker: the ticker to report when the sidecar does not name one.

    Raises:
        DataSourceError: there is no file at ``path``.
        SchemaError: a cell is not a date/number.
        DataError: the prices fail a quality check.
    """
    if not path.is_file():
        raise DataSourceError(
            f"no prices at {path}: run `psystock data fetch` first (or pass --data PATH)",
            path=str(path),
        )
    checked = check_prices(read_price_csv(path))
    metadata = _read_metadata(path)
    source = str(metadata.get("source") or csv_label(path))
    return StoredPrices(checked, source, str(metadata.get("ticker") or ticker), path)


def _read_metadata(path: Path) -> dict[str, Any]:
    sidecar = metadata_path(path)
    if not sidecar.is_file():
        return {}
    try:
        metadata = json.loads(sidecar.read_text())
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable metadata %s: %s", sidecar, exc)
        return {}
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if not isinstance(metadata, dict) or metadata.get("sha256") != digest:
        logger.warning("ignoring %s: it describes another version of %s", sidecar, path.name)
        return {}
    return metadata


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp creates 0600; the dataset is not a secret
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
