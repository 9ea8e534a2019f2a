"""Open the job's input (a file or stdin, CSV or Parquet) as a ``Source``."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from psystock.batch.atomic import STDOUT
from psystock.batch.csv_source import CsvSource
from psystock.batch.parquet_source import ParquetSource
from psystock.batch.source import Source
from psystock.batch.writers import CSV, PARQUET
from psystock.errors import InputError
from psystock.scoring.model import LoadedModel
from psystock.settings import Settings

STDIN = STDOUT
"""``-`` stands for stdin as an input."""


@contextlib.contextmanager
def open_source(
    source: str,
    input_format: str,
    model: LoadedModel,
    settings: Settings,
    header: bool | None,
    stdin: IO[bytes] | None = None,
    *,
    as_text: bool = False,
) -> Iterator[Source]:
    """Open ``source`` (``-`` for stdin) for reading against ``model``.

    ``as_text`` keeps every CSV column as text (see ``CsvSource``).

    Raises:
        InputError: an unknown format, an empty input, columns that do not fit the model.
    """
    if input_format == PARQUET:
        with _seekable(source, stdin) as path:
            yield ParquetSource(path, _name(source), model)
        return
    if input_format != CSV:
        raise InputError(f"input format {input_format!r}: expected csv or parquet")
    block_size = settings.batch.block_size_bytes
    if source == STDIN:
        stream = stdin or sys.stdin.buffer
        yield CsvSource(stream, "stdin", model, block_size, header, as_text=as_text)
        return
    path = Path(source)
    with path.open("rb") as stream:
        size = path.stat().st_size
        yield CsvSource(stream, source, model, block_size, header, size, as_text=as_text)


@contextlib.contextmanager
def _seekable(source: str, stdin: IO[bytes] | None) -> Iterator[Path]:
    """``source`` as a file path; stdin is copied to a temporary file first (Parquet seeks)."""
    if source != STDIN:
        yield Path(source)
        return
    with tempfile.NamedTemporaryFile(prefix="psystock-stdin-", suffix=".parquet") as spooled:
        shutil.copyfileobj(stdin or sys.stdin.buffer, spooled, 1 << 20)
        spooled.flush()
        yield Path(spooled.name)


def _name(source: str) -> str:
    return "stdin" if source == STDIN else source
