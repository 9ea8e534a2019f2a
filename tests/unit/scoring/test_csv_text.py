import pyarrow as pa
import pytest

from psystock.errors import PayloadError
from psystock.scoring.csv_text import (
    FirstLine,
    first_line,
    header_names,
    is_header,
    parse_csv,
    positional_names,
)
from psystock.scoring.schema import ColumnSpec, InputSchema

BOOK = InputSchema(tuple(ColumnSpec(i, "long") for i in range(14)))
OPTIONAL = InputSchema((ColumnSpec("a", "long"), ColumnSpec("7", "long", required=False)))
NUMBERS = ",".join(str(i) for i in range(14))


@pytest.mark.parametrize(
    ("line", "schema", "expected"),
    [
        (NUMBERS, BOOK, True),  # the book's header: all numbers, the model's names
        (",".join(str(i) for i in reversed(range(14))), BOOK, True),  # in any order
        ("," + NUMBERS, BOOK, True),  # DataFrame.to_csv()'s index column
        (" 0 , 1 ," + NUMBERS[4:], BOOK, True),  # spaces around names
        ("date," + NUMBERS, BOOK, True),  # a field that is not a number
        ("f0,f1", None, True),
        ("1,0,1,1,0,1,0,1,0,1,0,1,0,1", BOOK, False),  # the book's data rows
        (NUMBERS, None, False),  # no names to recognise
        (NUMBERS, InputSchema((), is_positional=True), False),
        (NUMBERS.replace("13", "12"), BOOK, False),  # a name twice
        (NUMBERS[: -len(",13")], BOOK, False),  # a required column missing
        ("1,0,,1", BOOK, False),  # an empty field is a missing value
        ("a", OPTIONAL, True),
        ("7", OPTIONAL, False),  # the required column a is missing
        ("7,1.5e3,nan", None, False),  # numbers in every spelling float() reads
    ],
)
def test_is_header_is_one_rule_for_batch_and_api(
    line: str, schema: InputSchema | None, expected: bool
) -> None:
    assert is_header(line.split(","), schema) is expected


def test_first_line_skips_blank_lines_and_a_byte_order_mark() -> None:
    text = b'\xef\xbb\xbf\n  \r\na, "b,c"\n1,2\n'
    line = first_line(text)
    assert line == FirstLine(["a", ' "b', 'c"'], text.index(b"1,2"))
    assert header_names(line.fields) == ("a", '"b', 'c"')
    assert first_line(b"\n\n") is None
    assert first_line(b"x") == FirstLine(["x"], 1)


def test_first_line_must_be_utf8() -> None:
    with pytest.raises(PayloadError, match=r"^the first line is not valid UTF-8 \('utf-8' codec"):
        first_line(b"\xff,1\n")


def test_first_line_with_a_lone_carriage_return_is_not_csv() -> None:
    with pytest.raises(
        PayloadError, match=r"^the first line is not valid CSV \(new-line character seen"
    ):
        first_line(b"a\rb,1\n")


def test_parse_csv_reads_asked_types_and_falls_back_to_text() -> None:
    names = positional_names(2)
    assert names == ("0", "1")
    table, wrong = parse_csv(b"1,2\n3,4\n", names, {"0": pa.int64()})
    assert table.schema.types == [pa.int64(), pa.string()]
    assert wrong == []
    table, _ = parse_csv(b"1,2\nx,4\n", names, {"0": pa.int64()})
    assert table.schema.types == [pa.string(), pa.string()]
    assert table.column("0").to_pylist() == ["1", "x"]


def test_parse_csv_sets_rows_of_the_wrong_width_aside_with_their_numbers() -> None:
    rows = b"".join(b"1,2\n" for _ in range(50_000)) + b"1\n\n5,6,7\n"
    table, wrong = parse_csv(rows, ("a", "b"), threads=True)
    assert table.num_rows == 50_000
    assert [(row.row, row.expected_columns, row.actual_columns, row.text) for row in wrong] == [
        (50_001, 2, 1, "1"),
        (50_002, 2, 3, "5,6,7"),
    ]


def test_parse_csv_names_what_it_cannot_read() -> None:
    with pytest.raises(PayloadError, match=r"^cannot parse CSV \(.*invalid UTF8 data\)$"):
        parse_csv(b"1,\xff\n", ("a", "b"))
