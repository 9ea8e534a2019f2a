"""``text/csv`` request bodies read into Arrow rows, with or without a header row.

The body is read the way the batch job reads a CSV file (``psystock.scoring.csv_text``): the
same header rule (a first row with a field that is not a number, or naming the model's
columns, is a header; otherwise columns are positional, as the book's rows), pyarrow's
parser, blank lines skipped. An empty first header field is the index column
``DataFrame.to_csv()`` writes; it is dropped. Values stay text: ``score_arrow`` converts them
and names the row and column of any that is not a number.
"""

from __future__ import annotations

from psystock.errors import PayloadError
from psystock.scoring.csv_text import (
    first_line,
    header_names,
    is_header,
    parse_csv,
    positional_names,
)
from psystock.scoring.inputs import ArrowRows
from psystock.scoring.schema import InputSchema
from psystock.serving.payloads import ParsedPayload

SOURCE = "CSV"


def parse_csv_body(body: bytes, schema: InputSchema | None = None) -> ParsedPayload:
    """Parse a CSV prediction request.

    Args:
        body: the raw body.
        schema: the served model's input schema, to recognise a header of numbers.

    Raises:
        PayloadError: the body is empty, not UTF-8, malformed, or its rows differ in length;
            e.g. ``CSV row 3: expected 14 values, got 13``.
    """
    try:
        line = first_line(body)
    except PayloadError as exc:
        raise PayloadError(f"{SOURCE} body: {exc.message}") from exc
    if line is None:
        raise PayloadError(f"{SOURCE} body is empty: expected rows of comma-separated values")
    has_header = is_header(line.fields, schema)
    names = header_names(line.fields) if has_header else positional_names(len(line.fields))
    rows = body[line.end :] if has_header else body
    if not rows.strip():
        raise PayloadError(f"{SOURCE} body has a header row but no data rows")
    try:
        table, wrong = parse_csv(rows, names)
    except PayloadError as exc:
        raise PayloadError(f"{SOURCE} body: {exc.message}") from exc
    if wrong:
        first = wrong[0]
        raise PayloadError(
            f"{SOURCE} row {first.row}: expected {first.expected_columns} values, "
            f"got {first.actual_columns}",
            field=SOURCE,
            row=first.row,
        )
    if has_header and names[0] == "":
        table = table.select(range(1, len(names)))  # the index column of DataFrame.to_csv()
    return ParsedPayload(ArrowRows(table, positional=not has_header), table.num_rows, SOURCE)
