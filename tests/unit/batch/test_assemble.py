import numpy as np
import pyarrow as pa
import pytest

from psystock.batch.assemble import OutputAssembler
from psystock.errors import InputError
from psystock.scoring.columns import plan_columns
from psystock.scoring.schema import ColumnSpec, InputSchema

SCHEMA = InputSchema((ColumnSpec("a", "long"), ColumnSpec("b", "double")))


def test_output_has_input_columns_then_prediction_and_probability() -> None:
    from psystock.scoring.arrow_input import matrix_from_arrow

    table = pa.table({"id": ["r1", "r2"], "a": [1, 0], "b": [0.5, 1.5]})
    plan = plan_columns(SCHEMA, ("id", "a", "b"), 3)
    prepared = matrix_from_arrow(table, plan, np.float32)
    assembler = OutputAssembler(("id", "a", "b"), plan, "in.csv")
    out = assembler.table(table, prepared, np.array([1, 0]), np.array([0.9, 0.1], np.float32))
    assert out.schema.names == ["id", "a", "b", "prediction", "probability"]
    assert out.to_pydict() == {
        "id": ["r1", "r2"],
        "a": [1, 0],
        "b": [0.5, 1.5],
        "prediction": [1, 0],
        "probability": pytest.approx([0.9, 0.1]),
    }
    assert str(out.schema.field("prediction").type) == "int8"


def test_text_columns_are_written_with_their_signature_type_and_bad_rows_left_out() -> None:
    from psystock.scoring.arrow_input import matrix_from_arrow

    first = pa.table({"a": [1, 0], "b": [0.5, 1.0]})
    text = pa.table({"a": ["1", "x", " 0"], "b": ["2", "3", "4.25"]})
    plan = plan_columns(SCHEMA, ("a", "b"), 2)
    assembler = OutputAssembler(("a", "b"), plan, "in.csv")
    assembler.table(
        first, matrix_from_arrow(first, plan, np.float32), np.array([1, 0]), np.array([0.9, 0.1])
    )
    prepared = matrix_from_arrow(text, plan, np.float32, collect=True)
    out = assembler.table(text, prepared, np.array([1, 1]), np.array([0.7, 0.8]))
    assert out.schema == assembler.schema
    assert out.column("a").to_pylist() == [1, 0]
    assert out.column("b").to_pylist() == [2.0, 4.25]


def test_input_with_a_prediction_column_is_refused() -> None:
    plan = plan_columns(SCHEMA, ("a", "b", "prediction"), 3)
    with pytest.raises(
        InputError,
        match=r"^input in.csv already has a column named 'prediction': expected the output "
        r"columns prediction and probability to be new$",
    ):
        OutputAssembler(("a", "b", "prediction"), plan, "in.csv")
