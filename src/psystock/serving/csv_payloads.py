"""``text/csv`` request bodies turned into a ``ModelInput``, with or without a header row.

The header is sniffed: the first row is a header when one of its fields is not a number, or
when its fields are exactly the model's column names (the book's model names its columns
0..13, a header that looks like numbers); otherwise the body has no header and columns are
positional (the book's rows are headerless). A first header field that is
empty is the index column ``DataFrame.to_csv()`` writes; it is dropped. Values stay strings:
the scoring runtime converts them and names the row and column of any that is not a number.
"""

from __future__ import annotations

import csv
from collections.abc import Collection

from psystock.errors import PayloadError
from psystock.scoring import ModelInput
from psystock.serving.payloads import ParsedPayload

SOURCE = "CSV"


def parse_csv_body(body: bytes, column_names: Collection[str] = ()) -> ParsedPayload:
    """Parse a CSV prediction request.

    Args:
        body: the raw body.
        column_names: the model's column names as strings, to recognise a numeric header.

    Raises:
        PayloadError: the body is empty, not UTF-8, malformed, or its rows differ in length;
            e.g. ``CSV row 3: expected 14 values, got 13``.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"{SOURCE} body is not valid UTF-8: {exc}") from exc
    try:
        lines = [row for row in csv.reader(text.splitlines()) if row]
    except csv.Error as exc:
        raise PayloadError(f"{SOURCE} body is malformed: {exc}") from exc
    if not lines:
        raise PayloadError(f"{SOURCE} body is empty: expected rows of comma-separated values")
    columns: tuple[str, ...] | None = None
    rows = lines
    if _is_header(lines[0], column_names):
        columns, rows = tuple(field.strip() for field in lines[0]), lines[1:]
    drop_index = columns is not None and columns[0] == ""
    if columns is not None and drop_index:
        columns = columns[1:]
    if not rows:
        raise PayloadError(f"{SOURCE} body has a header row but no data rows")
    width = len(columns) if columns is not None else len(rows[0])
    values: list[list[str]] = []
    for number, row in enumerate(rows, start=1):
        cells = row[1:] if drop_index else row
        if len(cells) != width:
            raise PayloadError(
                f"{SOURCE} row {number}: expected {width} values, got {len(cells)}",
                field=SOURCE,
                row=number,
            )
        values.append(cells)
    return ParsedPayload(ModelInput(values, columns), len(values), SOURCE)


def _is_header(fields: list[str], column_names: Collection[str]) -> bool:
    named = [field.strip() for field in fields]
    if named and not named[0]:
        named = named[1:]  # the index column of DataFrame.to_csv()
    if not all(_is_number(field) for field in named if field):  # empty = a missing value
        return True
    return bool(column_names) and len(set(named)) == len(named) and set(named) == set(column_names)


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True
