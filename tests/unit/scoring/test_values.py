from typing import Any

import numpy as np
import pytest

from psystock.errors import SchemaError
from psystock.scoring.columns import ColumnPlan, plan_columns
from psystock.scoring.inputs import ModelInput
from psystock.scoring.schema import ColumnSpec, InputSchema
from psystock.scoring.values import matrix_from_input

SCHEMA = InputSchema(
    (
        ColumnSpec("a", "long"),
        ColumnSpec("b", "double"),
        ColumnSpec("c", "boolean"),
        ColumnSpec("d", "double", required=False),
    )
)


def planner(columns: tuple[str, ...] | None, n_given: int) -> ColumnPlan:
    return plan_columns(SCHEMA, columns, n_given)


def convert(
    values: Any, columns: tuple[str, ...] | None = None, dtype: Any = np.float64
) -> np.ndarray:
    return matrix_from_input(ModelInput(values, columns), planner, dtype)[0]


def test_matrix_from_rows_of_numbers_and_numeric_strings() -> None:
    matrix = convert([[1, 0.5, True, None], ["2", " 1.5 ", "0", ""]])
    np.testing.assert_array_equal(matrix[:, :3], [[1, 0.5, 1], [2, 1.5, 0]])
    assert np.isnan(matrix[:, 3]).all()
    assert matrix.flags.c_contiguous


def test_matrix_from_a_numeric_array_as_float32() -> None:
    matrix = convert(np.array([[1, 2.5, 1, 3.0]]), dtype=np.float32)
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix, [[1, 2.5, 1, 3]])


def test_matrix_maps_named_columns_and_ignores_extra_ones() -> None:
    matrix = convert([["x", 1, 2, 1]], columns=("date", "c", "b", "a"))
    np.testing.assert_array_equal(matrix[:, :3], [[1, 2, 1]])
    assert np.isnan(matrix[0, 3])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([[1, 2, 1, 0], [1, "x", 1, 0]], r"^row 2, column b: expected a number, got 'x'$"),
        ([[1, 2, 1, 0], [1, "", 1, 0]], r"^row 2, column b: expected a number, got ''$"),
        ([[1, None, 1, 0]], r"^row 1, column b: expected a number, got null$"),
        ([[1, float("nan"), 1, 0]], r"^row 1, column b: expected a number, got nan$"),
        ([[1, "inf", 1, 0]], r"^row 1, column b: expected a number, got 'inf'$"),
        ([[0.5, 2, 1, 0]], r"^row 1, column a: expected an integer, got 0.5$"),
        ([["7.25", 2, 1, 0]], r"^row 1, column a: expected an integer, got '7.25'$"),
        ([[1, 2, 2, 0]], r"^row 1, column c: expected 0 or 1, got 2$"),
        ([[1, 2, 1, "n/a"]], r"^row 1, column d: expected a number, got 'n/a'$"),
        ([[1, 2, 1, float("inf")]], r"^row 1, column d: expected a number, got inf$"),
    ],
)
def test_matrix_names_the_first_bad_cell(rows: list[list[Any]], message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        convert(rows)


def test_matrix_reports_row_and_column_as_details() -> None:
    with pytest.raises(SchemaError, match="row 3, column b") as caught:
        convert([[1, 2, 1, 0], [1, 2, 1, 0], [1, "x", 1, 0]])
    assert caught.value.details == {"row": 3, "column": "b", "expected": "a number", "got": "'x'"}


def test_matrix_rejects_a_short_row_naming_it() -> None:
    with pytest.raises(SchemaError, match=r"^row 2: expected 4 columns, got 3$"):
        convert([[1, 2, 1, 0], [1, 2, 1]])


def test_matrix_rejects_a_short_first_row_against_the_signature() -> None:
    with pytest.raises(SchemaError, match=r"^row 1: expected 4 columns, got 3$"):
        convert([[1, 2, 1]])


def test_matrix_rejects_a_row_that_is_not_a_list() -> None:
    with pytest.raises(SchemaError, match=r"^row 2: expected a row of values, got 5$"):
        convert([[1, 2, 1, 0], 5])


def test_matrix_rejects_no_rows() -> None:
    with pytest.raises(SchemaError, match=r"^expected at least one row, got no rows$"):
        convert([])


def test_matrix_rejects_one_dimensional_arrays() -> None:
    with pytest.raises(
        SchemaError, match=r"^expected rows of columns \(2-D values\), got 1-D values$"
    ):
        convert(np.array([1.0, 2.0]))


def test_matrix_positional_labels_are_the_signature_names() -> None:
    schema = InputSchema(tuple(ColumnSpec(i, "long") for i in range(3)))
    with pytest.raises(SchemaError, match=r"^row 1, column 2: expected a number, got 'x'$"):
        matrix_from_input(
            ModelInput([[0, 1, "x"]]), lambda c, n: plan_columns(schema, c, n), np.float32
        )


LONG_SCHEMA = InputSchema(tuple(ColumnSpec(i, "long") for i in range(3)))


def convert_longs(values: Any, dtype: Any = np.float32) -> np.ndarray:
    return matrix_from_input(
        ModelInput(values), lambda c, n: plan_columns(LONG_SCHEMA, c, n), dtype
    )[0]


@pytest.mark.parametrize(
    "rows",
    [
        [[0, 1, 1], [1, 0, -3]],
        [[2**53 + 1, -(2**60) - 1, 2**63 - 1]],  # float64 rounds them first, then float32
        [[2**63, 2**64 - 1, 2**24 + 1]],  # beyond int64: numpy infers uint64
        [[True, 0, 1]],  # a boolean among integers counts as 0/1 (cells.py refuses it earlier)
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_integer_rows_give_the_values_of_a_cell_by_cell_conversion(
    rows: list[list[Any]], dtype: Any
) -> None:
    expected = np.array([[float(cell) for cell in row] for row in rows]).astype(dtype)
    got = convert_longs(rows, dtype)
    assert got.dtype == dtype
    assert got.flags.c_contiguous
    np.testing.assert_array_equal(got, expected)


def test_integer_rows_beyond_uint64_take_the_float_conversion() -> None:
    got = convert_longs([[2**70, -(2**70), 0]], np.float64)
    np.testing.assert_array_equal(got, [[float(2**70), float(-(2**70)), 0.0]])


def test_float_rows_are_still_checked_column_by_column() -> None:
    with pytest.raises(SchemaError, match=r"^row 1, column 1: expected an integer, got 0.5$"):
        convert_longs([[1, 0.5, 2]])
