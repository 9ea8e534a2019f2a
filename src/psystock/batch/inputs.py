"""Open the job's input (a file, a pipe or stdin; CSV or Parquet) as a ``Source``."""

from __future__ import annotations

import contextlib
import shutil
import stat
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
    by_position: bool = False,
) -> Iterator[Source]:
    """Open ``source`` (a file, a named pipe, ``/dev/fd/N``, or ``-`` for stdin) against ``model``.

    ``as_text`` keeps every CSV column as text (see ``CsvSource``); ``by_position`` maps the
    columns onto the model's by position whatever their names.

    Raises:
        InputError: an unknown format, an unreadable or empty input, columns that do not fit
            the model.
    """
    if input_format == PARQUET:
        with _seekable(source, stdin) as path:
            yield ParquetSource(path, _name(source), model, by_position=by_position)
        return
    if input_format != CSV:
        raise InputError(f"input format {input_format!r}: expected csv or parquet")
    block_size = settings.batch.block_size_bytes
    if source == STDIN:
        stream = stdin or sys.stdin.buffer
        yield CsvSource(
            stream, "stdin", model, block_size, header, as_text=as_text, by_position=by_position
        )
        return
    with _opened(Path(source)) as stream:
        size = _regular_file_size(Path(source))
        yield CsvSource(
            stream,
            source,
            model,
            block_size,
            header,
            size,
            as_text=as_text,
            by_position=by_position,
        )


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[IO[bytes]]:
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InputError(f"input {path}: cannot open it ({exc.strerror or exc})") from exc
    with stream:
        yield stream


def _regular_file_size(path: Path) -> int | None:
    """The size of a regular file (for progress); None for a pipe or a device."""
    status = path.stat()
    return status.st_size if stat.S_ISREG(status.st_mode) else None


@contextlib.contextmanager
def _seekable(source: str, stdin: IO[bytes] | None) -> Iterator[Path]:
    """``source`` as a seekable file: stdin or a pipe is copied to a temporary file first."""
    if source != STDIN and _regular_file_size(Path(source)) is not None:
        yield Path(source)
        return
    with tempfile.NamedTemporaryFile(prefix="psystock-input-", suffix=".parquet") as spooled:
        if source == STDIN:
            shutil.copyfileobj(stdin or sys.stdin.buffer, spooled, 1 << 20)
        else:
            with _opened(Path(source)) as stream:
                shutil.copyfileobj(stream, spooled, 1 << 20)
        spooled.flush()
        yield Path(spooled.name)


def _name(source: str) -> str:
    return "stdin" if source == STDIN else source
