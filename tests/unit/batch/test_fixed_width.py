import numpy as np
import pyarrow as pa
import pytest

from psystock.batch.fixed_width import (
    digit_lines,
    probability_strings,
    probability_text,
    read_fixed_width,
)


def test_read_fixed_width_parses_one_digit_fields() -> None:
    values = read_fixed_width(b"1,0,1\n0,0,1\n", 3)
    assert values is not None
    assert values.dtype == np.uint8
    assert values.tolist() == [[1, 0, 1], [0, 0, 1]]


def test_read_fixed_width_parses_wider_unsigned_integers() -> None:
    values = read_fixed_width(b"12,307\n99,100\n", 2)
    assert values is not None
    assert values.tolist() == [[12, 307], [99, 100]]


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
        b"12,007,1\n",  # a leading zero would not survive a round trip through a number
        b"\n",
    ],
)
def test_read_fixed_width_declines_anything_else(block: bytes) -> None:
    assert read_fixed_width(block, 3) is None


def test_probability_text_has_eight_decimals() -> None:
    text = probability_text(
        np.array([0.0, 0.97921044, 1.0, 0.123456789, 0.99999999999], dtype=np.float64)
    )
    assert text is not None
    assert [bytes(row).decode() for row in text] == [
        "0.00000000",
        "0.97921044",
        "1.00000000",
        "0.12345679",
        "1.00000000",
    ]


def test_probability_text_declines_values_outside_zero_to_one() -> None:
    assert probability_text(np.array([0.5, 1.5])) is None
    assert probability_text(np.array([np.nan])) is None
    assert probability_text(np.array([-0.1])) is None


def test_probability_strings_format_each_value_by_the_same_rule() -> None:
    values = np.array([0.25, 1.5, np.nan, 0.5], dtype=np.float64)
    assert probability_strings(values).to_pylist() == ["0.25000000", "1.5", "nan", "0.50000000"]
    assert probability_strings(values[[0, 3]]).to_pylist() == ["0.25000000", "0.50000000"]


def scored(inputs: dict[str, pa.Array], probabilities: list[float]) -> pa.Table:
    decisions = pa.array([int(p > 0.5) for p in probabilities], pa.int8())
    return pa.table(
        {
            **inputs,
            "prediction": decisions,
            "probability": pa.array(probabilities, pa.float32()),
        }
    )


def test_digit_lines_write_one_digit_columns_and_the_results() -> None:
    table = scored({"a": pa.array([1, 0], pa.uint8()), "b": [0, 9]}, [0.75, 0.25])
    lines = digit_lines(table)
    assert lines is not None
    assert lines.tobytes() == b"1,0,1,0.75000000\n0,9,0,0.25000000\n"


@pytest.mark.parametrize(
    "inputs",
    [
        {"a": pa.array([1, 10])},  # two digits
        {"a": pa.array([1, -1])},  # a sign
        {"a": pa.array([1, None], pa.int64())},  # a missing value
        {"a": pa.array([1.0, 0.0])},  # floats
        {"a": pa.array(["1", "0"])},  # text
    ],
)
def test_digit_lines_decline_other_columns(inputs: dict[str, pa.Array]) -> None:
    assert digit_lines(scored(inputs, [0.75, 0.25])) is None


def test_digit_lines_decline_probabilities_outside_zero_to_one() -> None:
    assert digit_lines(scored({"a": pa.array([1, 0])}, [0.75, 1.25])) is None
