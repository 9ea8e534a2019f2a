from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from psystock.scoring.schema import ColumnSpec
from psystock.serving.openapi import build_openapi_spec, example_row
from psystock.serving.openapi_inputs import ModelColumns

NAMED = ModelColumns(
    (ColumnSpec("a", "long"), ColumnSpec("b", "double", required=False), ColumnSpec(2, "boolean")),
    is_named=True,
    max_rows=2,
)
POSITIONAL = ModelColumns((ColumnSpec(None, "float"),) * 2, is_named=False, max_rows=10)
ONE_COLUMN = ModelColumns((ColumnSpec("x", "double"),), is_named=True, max_rows=10)


def _is_valid(model: ModelColumns | None, body: Any) -> bool:
    spec = build_openapi_spec("0", model)
    content = spec["paths"]["/invocations"]["post"]["requestBody"]["content"]
    schema = {**content["application/json"]["schema"], "components": spec["components"]}
    return bool(jsonschema_rs.Draft202012Validator(schema).is_valid(body))


@pytest.mark.parametrize(
    ("body", "is_valid"),
    [
        ({"dataframe_split": {"data": [[1, 0.5, True]]}}, True),
        ({"dataframe_split": {"data": [[1, None, 1]]}}, True),  # b is optional
        ({"dataframe_split": {"data": [[None, 0.5, 1]]}}, False),  # a is required
        ({"dataframe_split": {"data": [[1.5, 0.5, 1]]}}, False),  # a is long
        ({"dataframe_split": {"data": [[1, 0.5, 2]]}}, False),  # 2 is not a boolean
        ({"dataframe_split": {"data": [[1, True, 1]]}}, False),  # b is not boolean
        ({"dataframe_split": {"columns": ["a", "b", 2], "data": [[1, 0.5, 0]]}}, True),
        ({"dataframe_split": {"columns": ["a", "b", "2"], "data": [[1, 0.5, 0]]}}, True),
        ({"dataframe_split": {"columns": ["b", "a", "2"], "data": [[1, 0.5, 0]]}}, False),
        ({"dataframe_split": {"data": [[1, 0.5, 0]] * 3}}, False),  # over max_rows
        ({"dataframe_records": [{"a": 1, "2": False}]}, True),
        ({"dataframe_records": [{"a": 1, "b": 0.5}]}, False),  # 2 is required
        ({"inputs": {"a": [1], "2": [True]}}, True),
        ({"inputs": {"a": 1, "2": [True]}}, False),
    ],
)
def test_a_named_models_schemas_follow_its_signature(body: Any, is_valid: bool) -> None:
    assert _is_valid(NAMED, body) is is_valid


@pytest.mark.parametrize(
    ("body", "is_valid"),
    [
        ({"instances": [[1.5, 2]]}, True),
        ({"instances": [[1.5]]}, False),
        ({"dataframe_split": {"columns": ["p", "q"], "data": [[1, 2]]}}, True),
        ({"dataframe_split": {"columns": ["p", "p"], "data": [[1, 2]]}}, False),
        ({"dataframe_records": [{"p": 1, "q": 2}]}, True),
        ({"dataframe_records": [{"p": 1}]}, False),
        ([[1, 2]], True),
    ],
)
def test_a_positional_models_schemas_count_its_columns(body: Any, is_valid: bool) -> None:
    assert _is_valid(POSITIONAL, body) is is_valid


def test_a_one_column_model_also_takes_a_list_of_values() -> None:
    assert _is_valid(ONE_COLUMN, {"instances": [1.0, 2.5]})
    assert _is_valid(ONE_COLUMN, [1.0, 2.5])
    assert not _is_valid(NAMED, {"instances": [1.0, 2.5]})


def test_before_a_model_is_loaded_any_rows_of_values_are_described() -> None:
    assert _is_valid(None, {"dataframe_split": {"data": [[1, 2, 3]]}})
    assert _is_valid(None, {"dataframe_records": [{"x": 1}]})
    assert not _is_valid(None, {"dataframe_split": {"data": [["x"]]}})
    assert example_row(None) == [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]


def test_examples_fit_the_served_model() -> None:
    spec = build_openapi_spec("0", NAMED, ("m", "3"))
    examples = spec["paths"]["/invocations"]["post"]["requestBody"]["content"]["application/json"]
    for example in examples["examples"].values():
        assert _is_valid(NAMED, example["value"]), example
    assert examples["examples"]["mlflow-1.x-split"]["value"]["columns"] == ["a", "b", 2]
    infer = spec["paths"]["/v2/models/{name}/versions/{version}/infer"]["post"]
    assert [parameter["example"] for parameter in infer["parameters"]] == ["m", "3"]
    assert example_row(NAMED) == [1, 0, 1]
