import json
from typing import Any

import pytest

from psystock.errors import ModelLoadError
from psystock.scoring.schema import ColumnSpec, InputSchema


def test_from_signature_keeps_integer_names_as_saved() -> None:
    text = json.dumps([{"type": "long", "name": i, "required": True} for i in range(14)])
    schema = InputSchema.from_signature(text, "models:/m/1")
    assert schema.names == tuple(range(14))
    assert schema.n_features == 14
    assert not schema.is_positional
    assert schema.columns[3] == ColumnSpec(3, "long", True)
    assert schema.columns[3].key == "3"


def test_from_signature_reads_string_names_and_optional_columns() -> None:
    specs: list[dict[str, Any]] = [
        {"type": "double", "name": "open"},
        {"type": "boolean", "name": "up", "required": False},
    ]
    schema = InputSchema.from_signature(specs, "m")
    assert schema.columns == (
        ColumnSpec("open", "double", True),
        ColumnSpec("up", "boolean", False),
    )


def test_from_signature_reads_a_fixed_width_tensor_as_positional_columns() -> None:
    specs = [{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]
    schema = InputSchema.from_signature(specs, "m")
    assert schema.is_positional
    assert schema.names is None
    assert [c.type for c in schema.columns] == ["float", "float", "float"]


def test_from_signature_leaves_an_open_tensor_width_open() -> None:
    specs = [{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, -1]}}]
    assert InputSchema.from_signature(specs, "m").n_features is None


def test_from_signature_rejects_a_string_column_naming_it() -> None:
    specs = [{"type": "string", "name": "city"}]
    with pytest.raises(
        ModelLoadError,
        match=r"model models:/m/1: column city has type string: psystock scores numeric "
        r"columns only \(boolean, double, float, integer, long\)",
    ):
        InputSchema.from_signature(specs, "models:/m/1")


def test_from_signature_rejects_a_string_tensor() -> None:
    specs = [{"type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1, 2]}}]
    with pytest.raises(ModelLoadError, match="input tensor has dtype str"):
        InputSchema.from_signature(specs, "m")


def test_from_signature_rejects_unreadable_json() -> None:
    with pytest.raises(
        ModelLoadError, match=r"model m: unreadable signature \(Expecting property name"
    ):
        InputSchema.from_signature("[{oops", "m")


def test_from_signature_rejects_an_empty_list() -> None:
    with pytest.raises(ModelLoadError, match=r"model m: expected a list of input specs, got \[\]"):
        InputSchema.from_signature("[]", "m")
