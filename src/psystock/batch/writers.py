"""Write output batches as CSV (pyarrow ``CSVWriter``) or Parquet (``ParquetWriter``)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

CSV = "csv"
PARQUET = "parquet"
FORMATS = (CSV, PARQUET)
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


class OutputWriter(Protocol):
    """Writes tables of one schema to a file, then closes it."""

    def write(self, table: pa.Table) -> None:
        """Append the rows of ``table``."""
        ...

    def write_lines(self, data: bytes) -> None:
        """Append CSV lines formatted already (the fixed-width fast path; CSV only)."""
        ...

    def close(self) -> None:
        """Finish the file (footer, buffers)."""
        ...


def format_of(path: str, given: str | None) -> str:
    """The format to use: ``given``, else from the file suffix (Parquet suffixes), else CSV."""
    if given:
        return given
    return PARQUET if path.lower().endswith(_PARQUET_SUFFIXES) else CSV


def open_writer(kind: str, path: Path, schema: pa.Schema, *, quote: bool = True) -> OutputWriter:
    """An output writer of format ``kind`` for ``schema`` at ``path``.

    Args:
        kind: ``csv`` or ``parquet``.
        path: the file to write.
        schema: the tables' schema.
        quote: quote CSV text values (off only for text known to hold plain numbers; pyarrow
            then refuses, rather than corrupts, a value with a comma, quote or line break).
    """
    return _ParquetWriter(path, schema) if kind == PARQUET else _CsvWriter(path, schema, quote)


class _CsvWriter:
    def __init__(self, path: Path, schema: pa.Schema, quote: bool) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        self._sink = pa.OSFile(str(path), "wb")
        # The header is written here so that it is quoted only when needed; pyarrow quotes
        # every name.
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(schema.names)
        self._sink.write(header.getvalue().encode("utf-8"))
        options = pcsv.WriteOptions(
            include_header=False, quoting_style="needed" if quote else "none"
        )
        self._writer: Any = pcsv.CSVWriter(self._sink, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def write_lines(self, data: bytes) -> None:
        # pyarrow's CSV writer writes each table through to the sink, so lines written here
        # land in order between tables.
        self._sink.write(data)

    def close(self) -> None:
        self._writer.close()
        self._sink.close()


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(str(path), schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def write_lines(self, data: bytes) -> None:
        raise NotImplementedError("CSV lines cannot go into a Parquet file")

    def close(self) -> None:
        self._writer.close()
