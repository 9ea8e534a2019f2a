"""Write scored tables as CSV (pyarrow ``CSVWriter``) or Parquet (``ParquetWriter``).

Both writers take tables of the output layout (input columns, ``prediction``,
``probability``) and keep the schema of the first one: a later table of other types (a
block read as text) is cast to it. The CSV writer writes probabilities with 8 decimals (see
``psystock.batch.fixed_width``) and takes the fixed-width fast path when a table allows it.
With ``as_text`` the input columns are CSV text copied from the input (checked numbers,
written unquoted, as they were). Text values are quoted only in a file with text input
columns (an id, a date), where pyarrow quotes every text value.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from psystock.batch.fixed_width import digit_lines, probability_strings
from psystock.scoring.arrow_arrays import numpy_values

if TYPE_CHECKING:
    import pyarrow as pa

CSV = "csv"
PARQUET = "parquet"
FORMATS = (CSV, PARQUET)
_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


class OutputWriter(Protocol):
    """Writes scored tables to a file, then closes it."""

    def write(self, table: pa.Table) -> None:
        """Append the rows of ``table``."""
        ...

    def close(self) -> None:
        """Finish the file (footer, buffers)."""
        ...


def format_of(path: str, given: str | None) -> str:
    """The format to use: ``given``, else from the file suffix (Parquet suffixes), else CSV."""
    if given:
        return given
    return PARQUET if path.lower().endswith(_PARQUET_SUFFIXES) else CSV


def open_writer(kind: str, path: Path, schema: pa.Schema, *, as_text: bool = False) -> OutputWriter:
    """An output writer of format ``kind`` at ``path`` for tables like ``schema``.

    Args:
        kind: ``csv`` or ``parquet``.
        path: the file to write.
        schema: the schema of the first table (later ones are cast to it).
        as_text: the input columns are CSV text to copy as it was (CSV only).
    """
    if kind == PARQUET:
        return _ParquetWriter(path, schema)
    return _CsvWriter(path, schema, as_text)


class CsvText:
    """How scored tables become CSV text: the local engine's header and lines.

    The batch job's CSV writer writes it to a file; the Spark engine writes each task's lines
    through Spark's ``text`` source, so both engines write the same text.

    Attributes:
        header: the header line (names quoted only when needed: pyarrow quotes every name).
        schema: the text table's schema (probabilities as text, input columns as text with
            ``as_text``).
        options: pyarrow's write options for the lines (no header).
    """

    def __init__(self, schema: pa.Schema, *, as_text: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        *inputs, prediction, probability = schema
        quoting = "none" if as_text else _quoting(inputs)
        if as_text:
            inputs = [field.with_type(pa.string()) for field in inputs]
        self.schema = pa.schema([*inputs, prediction, probability.with_type(pa.string())])
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(schema.names)
        self.header = header.getvalue().encode("utf-8")
        self.options = pcsv.WriteOptions(include_header=False, quoting_style=quoting)

    def fixed_width_lines(self, table: pa.Table) -> np.ndarray | None:
        """The table's lines as a (rows x width) byte matrix when it allows the fast path."""
        return digit_lines(table)

    def text_table(self, table: pa.Table) -> pa.Table:
        """The table with its probabilities as text, of ``schema``'s types."""
        import pyarrow as pa

        *inputs, prediction, probability = table.columns
        scores = probability_strings(numpy_values(probability.combine_chunks()))
        columns = [*inputs, prediction, scores]
        text = pa.Table.from_arrays(columns, names=self.schema.names)
        return text if text.schema == self.schema else text.cast(self.schema)

    def lines(self, table: pa.Table) -> bytes:
        """The table's rows as CSV lines, each ending in a newline (no header)."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        fixed = self.fixed_width_lines(table)
        if fixed is not None:
            return fixed.tobytes()
        sink = pa.BufferOutputStream()
        pcsv.write_csv(self.text_table(table), sink, write_options=self.options)
        return bytes(sink.getvalue())


class _CsvWriter:
    def __init__(self, path: Path, schema: pa.Schema, as_text: bool) -> None:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        self._text = CsvText(schema, as_text=as_text)
        self._sink = pa.OSFile(str(path), "wb")
        self._sink.write(self._text.header)
        self._writer: Any = pcsv.CSVWriter(
            self._sink, self._text.schema, write_options=self._text.options
        )

    def write(self, table: pa.Table) -> None:
        lines = self._text.fixed_width_lines(table)
        if lines is not None:
            # pyarrow's CSV writer writes each table through to the sink, so lines written
            # here land in order between tables.
            self._sink.write(lines)
            return
        self._writer.write_table(self._text.text_table(table))

    def close(self) -> None:
        self._writer.close()
        self._sink.close()


def _quoting(inputs: list[pa.Field]) -> str:
    """How to quote: ``needed`` when an input column is text, else ``none``.

    With ``needed`` pyarrow quotes every text value, probabilities included. Numbers never
    need quotes, and with ``none`` pyarrow refuses rather than corrupts a value that would.
    """
    import pyarrow as pa

    is_text = any(
        pa.types.is_string(field.type) or pa.types.is_binary(field.type) for field in inputs
    )
    return "needed" if is_text else "none"


class _ParquetWriter:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq

        self._schema = schema
        self._writer = pq.ParquetWriter(str(path), schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(
            table if table.schema == self._schema else table.cast(self._schema)
        )

    def close(self) -> None:
        self._writer.close()
