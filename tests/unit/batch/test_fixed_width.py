import numpy as np
import pytest

from psystock.batch.fixed_width import output_lines, probability_text, read_fixed_width


def test_read_fixed_width_parses_one_digit_fields() -> None:
    rows = read_fixed_width(b"1,0,1\n0,0,1\n", 3)
    assert rows is not None
    assert rows.values.tolist() == [[1, 0, 1], [0, 0, 1]]
    assert rows.lines.shape == (2, 6)


def test_read_fixed_width_parses_wider_unsigned_integers() -> None:
    rows = read_fixed_width(b"12,007\n99,100\n", 2)
    assert rows is not None
    assert rows.values.tolist() == [[12, 7], [99, 100]]


@pytest.mark.parametrize(
    "block",
    [
        b"1,0,1\n0,0\n",  # a short line
        b"1,0,1\n0,x,1\n",  # a letter
        b"1,0,1\n0,-,1\n",  # a sign
        b"1,0,1\r\n0,0,1\r\n",  # CRLF
        b"1,0,1\n0,0,1",  # no final newline
        b"1,0,1\n0,,01\n",  # same width, commas elsewhere
        b"1,0\n0,1\n",  # two columns where three are expected
        b"1234567890,1,1\n",  # ten digits
        b"\n",
    ],
)
def test_read_fixed_width_declines_anything_else(block: bytes) -> None:
    assert read_fixed_width(block, 3) is None


def test_probability_text_has_eight_decimals() -> None:
    text = probability_text(np.array([0.0, 0.97921044, 1.0, 0.123456789], dtype=np.float64))
    assert text is not None
    assert [bytes(row).decode() for row in text] == [
        "0.00000000",
        "0.97921044",
        "1.00000000",
        "0.12345679",
    ]


def test_probability_text_declines_values_outside_zero_to_one() -> None:
    assert probability_text(np.array([0.5, 1.5])) is None
    assert probability_text(np.array([np.nan])) is None
    assert probability_text(np.array([-0.1])) is None


def test_output_lines_append_decision_and_probability() -> None:
    rows = read_fixed_width(b"1,0\n0,1\n", 2)
    assert rows is not None
    lines = output_lines(
        rows, np.array([1, 0], dtype=np.int8), np.array([0.75, 0.25], dtype=np.float32)
    )
    assert lines == b"1,0,1,0.75000000\n0,1,0,0.25000000\n"
