"""Read CSV text into Arrow tables for a model: one header rule, one parser.

The batch job's CSV reader and the API's ``text/csv`` route both read CSV through this
module, so a file is read the same way by both.

**Is the first row a header?** (``is_header``; ``--header/--no-header`` overrides it in the
batch job.) Fields are compared with surrounding spaces stripped, and an empty first field
(the index column ``DataFrame.to_csv()`` writes) is left out. The first row is a header when

- one of its fields is not empty and not a number (``date,0,1,...``, ``f0,f1,...``), or
- its fields name the model's columns: distinct, each a column of the model's signature, every
  required column among them, in any order (the book's model names its columns 0..13, so its
  header ``0,1,...,13`` is all numbers).

Otherwise the first row is data and columns map onto the model by position.

**Parsing** (``parse_csv``): pyarrow's CSV reader, with the types asked for (text when none);
blank lines are skipped and a UTF-8 byte order mark is dropped. Rows with the wrong number of
fields are set aside as ``WrongWidthRow`` with their 1-based row number (blank lines not
counted). When a value does not convert to its column's type, the text is read again with
every column as text, so that the scoring runtime can name the row and column of each bad
value. A quoted value may not contain a line break.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psystock.errors import PayloadError
from psystock.scoring.schema import InputSchema

if TYPE_CHECKING:
    import pyarrow as pa

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class FirstLine:
    """The first non-blank line of some CSV text.

    Attributes:
        fields: its fields as the csv module splits them.
        end: the offset just after it (and its line break) in the text.
    """

    fields: list[str]
    end: int


@dataclass(frozen=True)
class WrongWidthRow:
    """A row with another number of fields than the first row, set aside by the parser."""

    row: int
    """1-based row number within the parsed text (blank lines not counted)."""
    expected_columns: int
    actual_columns: int
    text: str
    """The row as it appeared in the text."""


def first_line(text: bytes) -> FirstLine | None:
    """The first non-blank line of ``text`` (a byte order mark left out), None when all blank.

    Raises:
        PayloadError: the line is not valid UTF-8.
    """
    start = len(BOM) if text.startswith(BOM) else 0
    while True:
        end = text.find(b"\n", start)
        end = len(text) if end < 0 else end + 1
        line = text[start:end]
        if line.strip():
            try:
                decoded = line.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise PayloadError(f"the first line is not valid UTF-8 ({exc})") from exc
            try:
                return FirstLine(next(csv.reader([decoded])), end)
            except csv.Error as exc:  # e.g. a lone carriage return inside the line
                raise PayloadError(f"the first line is not valid CSV ({exc})") from exc
        if end >= len(text):
            return None
        start = end


def is_header(fields: Sequence[str], schema: InputSchema | None) -> bool:
    """Whether a first row of ``fields`` is a header for a model of ``schema`` (see above)."""
    names = [field.strip() for field in fields]
    if names and not names[0]:
        names = names[1:]  # the index column of DataFrame.to_csv()
    if any(name and not _is_number(name) for name in names):
        return True
    return _names_columns(names, schema)


def header_names(fields: Sequence[str]) -> tuple[str, ...]:
    """Column names from a header row: its fields with surrounding spaces stripped."""
    return tuple(field.strip() for field in fields)


def positional_names(count: int) -> tuple[str, ...]:
    """Names of headerless columns: ``"0"``, ``"1"``... (as ``pandas.read_csv(header=None)``)."""
    return tuple(str(position) for position in range(count))


def parse_csv(
    text: bytes,
    names: Sequence[str],
    types: dict[str, Any] | None = None,
    *,
    threads: bool = True,
) -> tuple[pa.Table, list[WrongWidthRow]]:
    """Parse headerless CSV ``text`` into a table with columns ``names``.

    Args:
        text: the rows (no header line).
        names: the column names.
        types: the Arrow type of each named column; None (or a column left out) reads text.
        threads: let pyarrow parse in threads (row numbers of wrong-width rows are then found
            by parsing again on one thread).

    Raises:
        PayloadError: the text is not CSV pyarrow can read (e.g. invalid UTF-8).
    """
    import pyarrow as pa

    if types is not None and any(not pa.types.is_string(kind) for kind in types.values()):
        try:
            return _parse_numbered(text, names, types, threads)
        except pa.ArrowInvalid:
            pass  # a value did not convert: read it as text, the runtime names the bad cell
    try:
        return _parse_numbered(text, names, None, threads)
    except pa.ArrowInvalid as exc:
        raise PayloadError(f"cannot parse CSV ({exc})") from exc


def _parse_numbered(
    text: bytes, names: Sequence[str], types: dict[str, Any] | None, threads: bool
) -> tuple[pa.Table, list[WrongWidthRow]]:
    table, wrong = _parse(text, names, types, threads)
    if threads and any(row.row == 0 for row in wrong):
        # Row numbers of wrong-width rows are only known to a single-threaded parse.
        table, wrong = _parse(text, names, types, threads=False)
    return table, wrong


def _parse(
    text: bytes, names: Sequence[str], types: dict[str, Any] | None, threads: bool
) -> tuple[pa.Table, list[WrongWidthRow]]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    wrong: list[WrongWidthRow] = []

    def set_aside(row: Any) -> str:
        wrong.append(
            WrongWidthRow(row.number or 0, row.expected_columns, row.actual_columns, row.text)
        )
        return "skip"

    column_types = dict.fromkeys(names, pa.string())
    column_types.update(types or {})
    table = pcsv.read_csv(
        io.BytesIO(text),
        read_options=pcsv.ReadOptions(column_names=list(names), use_threads=threads),
        parse_options=pcsv.ParseOptions(invalid_row_handler=set_aside),
        convert_options=pcsv.ConvertOptions(
            column_types=column_types,
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table, wrong


def _names_columns(names: list[str], schema: InputSchema | None) -> bool:
    if schema is None or schema.is_positional or not names:
        return False
    given = set(names)
    known = {column.key for column in schema.columns}
    required = {column.key for column in schema.columns if column.required}
    return len(given) == len(names) and given <= known and required <= given


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
