from __future__ import annotations

import re

import pytest

from psystock.errors import PayloadError
from psystock.scoring.inputs import ArrowRows
from psystock.scoring.schema import ColumnSpec, InputSchema
from psystock.serving.csv_payloads import parse_csv_body

SCHEMA = InputSchema(tuple(ColumnSpec(i, "long") for i in range(3)))


@pytest.mark.parametrize(
    ("body", "values", "columns"),
    [
        ("1,0,1\n0,0,1\n", [["1", "0", "1"], ["0", "0", "1"]], None),
        ("a,b\n1,2\n", [["1", "2"]], ("a", "b")),
        (" a , b \n1,2", [["1", "2"]], ("a", "b")),
        (",0,1,2\n0,1,0,1\n", [["1", "0", "1"]], ("0", "1", "2")),  # pandas index column
        ("0,1,2\n1,0,1\n", [["1", "0", "1"]], ("0", "1", "2")),  # numeric header = model names
        ("2,1,0\n1,0,1\n", [["1", "0", "1"]], ("2", "1", "0")),  # in any order
        ("1,0,1\r\n\r\n0,0,1\r\n", [["1", "0", "1"], ["0", "0", "1"]], None),
        ("\ufeff1,0,1\n", [["1", "0", "1"]], None),  # UTF-8 byte order mark
        ("\ufeffa,b\n1,2\n", [["1", "2"]], ("a", "b")),
        ("1,,1\n", [["1", "", "1"]], None),
    ],
)
def test_parse_csv_body_applies_the_header_rule(
    body: str, values: list[list[str]], columns: tuple[str, ...] | None
) -> None:
    parsed = parse_csv_body(body.encode(), SCHEMA)
    rows = parsed.model_input
    assert isinstance(rows, ArrowRows)
    assert [list(row.values()) for row in rows.table.to_pylist()] == values
    assert rows.positional == (columns is None)
    if columns is not None:
        assert tuple(rows.table.schema.names) == columns
    assert parsed.rows == len(values)
    assert parsed.source == "CSV"
    assert parsed.is_wrapped


def test_parse_csv_body_numeric_first_row_is_data_without_model_names() -> None:
    parsed = parse_csv_body(b"0,1,2\n1,0,1\n")
    assert isinstance(parsed.model_input, ArrowRows)
    assert parsed.model_input.positional
    assert parsed.rows == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "CSV body is empty: expected rows of comma-separated values"),
        (b"\n \n", "CSV body is empty: expected rows of comma-separated values"),
        (b"a,b\n", "CSV body has a header row but no data rows"),
        (b"1,2\n1,2,3\n", "CSV row 2: expected 2 values, got 3"),
        (b"a,b\n1\n", "CSV row 1: expected 2 values, got 1"),
        (
            b"\xff\xfe",
            "CSV body: the first line is not valid UTF-8 ('utf-8' codec can't decode byte 0xff "
            "in position 0: invalid start byte)",
        ),
        (
            b"1,2\n\xff,1\n",
            "CSV body: cannot parse CSV (In CSV column #0: CSV conversion error to string: "
            "invalid UTF8 data)",
        ),
    ],
)
def test_parse_csv_body_bad_bodies_name_the_row(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match="^" + re.escape(message) + "$"):
        parse_csv_body(body)
