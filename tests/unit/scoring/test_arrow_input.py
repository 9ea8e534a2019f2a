import numpy as np
import pyarrow as pa
import pytest

from psystock.errors import SchemaError
from psystock.scoring.arrow_input import matrix_from_arrow
from psystock.scoring.columns import ColumnPlan, plan_columns
from psystock.scoring.schema import ColumnSpec, InputSchema

SCHEMA = InputSchema((ColumnSpec(0, "long"), ColumnSpec(1, "long"), ColumnSpec(2, "double")))


def plan_for(batch: pa.RecordBatch | pa.Table, positional: bool = False) -> ColumnPlan:
    names = None if positional else tuple(batch.schema.names)
    return plan_columns(SCHEMA, names, batch.num_columns)


def test_typed_batch_converts_without_problems() -> None:
    batch = pa.record_batch({"0": [1, 0], "1": [0, 1], "2": [0.5, 1.5]})
    result = matrix_from_arrow(batch, plan_for(batch), np.float32)
    assert result.prepared.matrix.dtype == np.float32
    np.testing.assert_array_equal(result.prepared.matrix, [[1, 0, 0.5], [0, 1, 1.5]])
    assert result.kept is None
    assert result.errors == ()
    assert result.prepared.columns == (0, 1, 2)
    assert result.values == (None, None, None)  # numeric columns are used as they are


def test_string_batch_with_whitespace_converts() -> None:
    batch = pa.record_batch({"a": [" 1", "0 "], "b": ["0", "1"], "c": ["2.5", "1e1"]})
    result = matrix_from_arrow(batch, plan_for(batch, positional=True), np.float64)
    np.testing.assert_array_equal(result.prepared.matrix, [[1, 0, 2.5], [0, 1, 10]])


def test_string_batch_fails_at_the_first_bad_cell_with_its_row_number() -> None:
    batch = pa.record_batch({"a": ["1", "1", "1"], "b": ["0", "x", "y"], "c": ["1", "1", ""]})
    with pytest.raises(SchemaError, match=r"^row 12, column 1: expected a number, got 'x'$"):
        matrix_from_arrow(
            batch, plan_for(batch, positional=True), np.float32, row_numbers=np.array([11, 12, 14])
        )


def test_collect_sets_bad_rows_aside_with_one_error_each() -> None:
    batch = pa.record_batch(
        {"a": ["1", "0.5", "1", "0"], "b": ["0", "1", "x", "1"], "c": ["1", "1", "", "2"]}
    )
    result = matrix_from_arrow(batch, plan_for(batch, positional=True), np.float32, collect=True)
    assert result.bad_rows == (1, 2)
    assert [str(e) for e in result.errors] == [
        "row 2, column 0: expected an integer, got '0.5'",
        "row 3, column 1: expected a number, got 'x'",
    ]
    np.testing.assert_array_equal(result.kept, [True, False, False, True])
    np.testing.assert_array_equal(result.prepared.matrix, [[1, 0, 1], [0, 1, 2]])
    np.testing.assert_array_equal(result.values[0], [1, 0])


def test_typed_chunked_table_with_a_bad_float_in_a_later_chunk() -> None:
    import pyarrow as pa

    column = pa.chunked_array([[1.0, 2.0], [3.0, float("inf")]])
    table = pa.table({"0": [1, 0, 1, 0], "1": [0, 1, 0, 1], "2": column})
    result = matrix_from_arrow(table, plan_for(table), np.float32, collect=True)
    assert result.bad_rows == (3,)
    assert [str(e) for e in result.errors] == ["row 4, column 2: expected a number, got inf"]


def test_boolean_signature_checks_integer_columns() -> None:
    schema = InputSchema((ColumnSpec("flag", "boolean"),))
    batch = pa.record_batch({"flag": [0, 1, 2]})
    with pytest.raises(SchemaError, match=r"^row 3, column flag: expected 0 or 1, got 2$"):
        matrix_from_arrow(batch, plan_columns(schema, ("flag",), 1), np.float32)


def test_typed_batch_with_nulls_reports_null() -> None:
    batch = pa.record_batch({"0": [1, None], "1": [0, 1], "2": [0.5, 1.5]})
    with pytest.raises(SchemaError, match=r"^row 2, column 0: expected a number, got null$"):
        matrix_from_arrow(batch, plan_for(batch), np.float32)


def test_optional_column_accepts_empty_but_not_text() -> None:
    schema = InputSchema((ColumnSpec("a", "double"), ColumnSpec("b", "double", required=False)))
    batch = pa.record_batch({"a": ["1", "2"], "b": ["", "zz"]})
    plan = plan_columns(schema, ("a", "b"), 2)
    result = matrix_from_arrow(batch, plan, np.float64, collect=True)
    assert [str(e) for e in result.errors] == ["row 2, column b: expected a number, got 'zz'"]
    assert np.isnan(result.prepared.matrix[0, 1])


def test_non_numeric_column_type_is_rejected_naming_the_column() -> None:
    batch = pa.record_batch({"0": pa.array([0], pa.timestamp("s")), "1": [0], "2": [1.0]})
    with pytest.raises(
        SchemaError,
        match=r"^row 1, column 0: expected a numeric column, got timestamp\[s\] values$",
    ):
        matrix_from_arrow(batch, plan_for(batch), np.float32)


def test_table_input_works_like_a_batch() -> None:
    table = pa.table({"0": [1], "1": [0], "2": [2.0]})
    result = matrix_from_arrow(table, plan_for(table), np.float32)
    np.testing.assert_array_equal(result.prepared.matrix, [[1, 0, 2]])


def test_whole_numbers_in_text_parse_as_integers_and_decimals_as_floats() -> None:
    batch = pa.record_batch({"a": ["1", "0"], "b": ["1.0", " 0"], "c": ["0.5", "2"]})
    result = matrix_from_arrow(batch, plan_for(batch, positional=True), np.float32)
    assert [None if v is None else v.dtype.kind for v in result.values] == ["i", "f", "f"]
    np.testing.assert_array_equal(result.prepared.matrix, [[1, 1, 0.5], [0, 0, 2]])


def test_boolean_text_accepts_true_false_and_0_1() -> None:
    schema = InputSchema((ColumnSpec("flag", "boolean"),))
    batch = pa.record_batch({"flag": ["true", "False", "1", "0"]})
    result = matrix_from_arrow(batch, plan_columns(schema, ("flag",), 1), np.float32)
    np.testing.assert_array_equal(result.prepared.matrix[:, 0], [1, 0, 1, 0])
