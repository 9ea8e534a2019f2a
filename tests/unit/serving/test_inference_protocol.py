from __future__ import annotations

import re
from typing import Any

import numpy as np
import orjson
import pytest

from psystock.errors import PayloadError
from psystock.scoring import ColumnSpec, InputSchema
from psystock.serving.inference_protocol import infer_answer, metadata_inputs, parse_infer_body


def _tensor(name: str, shape: list[int], data: Any, datatype: str = "FP64") -> dict[str, Any]:
    return {"name": name, "shape": shape, "datatype": datatype, "data": data}


def _parse(body: Any) -> Any:
    return parse_infer_body(orjson.dumps(body))


def test_parse_infer_body_one_2d_tensor_is_positional_rows() -> None:
    request = _parse({"id": "7", "inputs": [_tensor("x", [2, 3], [1, 2, 3, 4, 5, 6])]})
    assert request.id == "7"
    assert request.payload.model_input.values == [[1, 2, 3], [4, 5, 6]]
    assert request.payload.model_input.columns is None
    assert request.payload.rows == 2
    assert request.payload.source == "inputs[0].data"


def test_parse_infer_body_nested_data_is_flattened_row_major() -> None:
    request = _parse({"inputs": [_tensor("x", [2, 2], [[1, 2], [3, 4]])]})
    assert request.payload.model_input.values == [[1, 2], [3, 4]]


def test_parse_infer_body_named_1d_tensors_are_columns() -> None:
    request = _parse(
        {"inputs": [_tensor("b", [2], [1, 2], "INT64"), _tensor("a", [2, 1], [3, 4], "BOOL")]}
    )
    assert request.payload.model_input.values == [[1, 3], [2, 4]]
    assert request.payload.model_input.columns == ("b", "a")
    assert request.id is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "request body: expected a JSON object, got a list of 0 values"),
        ({"inputs": []}, "inputs: expected a non-empty list of tensors, got a list of 0 values"),
        ({"id": 3, "inputs": []}, "id: expected a string, got 3"),
        ({"inputs": [3]}, "inputs[0]: expected a tensor object, got 3"),
        (
            {"inputs": [_tensor("", [1], [1])]},
            "inputs[0].name: expected a non-empty string, got ''",
        ),
        (
            {"inputs": [_tensor("x", [1, 1, 1], [1])]},
            "inputs[0].shape: expected 1 or 2 non-negative integers, got a list of 3 values",
        ),
        (
            {"inputs": [_tensor("x", [-1], [1])]},
            "inputs[0].shape: expected 1 or 2 non-negative integers, got a list of 1 values",
        ),
        (
            {"inputs": [_tensor("x", [2], [1])]},
            "inputs[0].data: expected 2 values for shape [2], got 1",
        ),
        ({"inputs": [_tensor("x", [1], 1)]}, "inputs[0].data: expected a list of values, got 1"),
        (
            {"inputs": [_tensor("x", [1], [None])]},
            "inputs[0].data[0]: expected a number (FP64), got null",
        ),
        (
            {"inputs": [_tensor("x", [1], [1], "BYTES")]},
            "inputs[0].data[0]: expected a string, got 1",
        ),
        (
            {"inputs": [_tensor("x", [1], [1])], "parameters": [1]},
            "parameters: expected an object, got a list of 1 values",
        ),
        (
            {"inputs": [{**_tensor("x", [1], [1]), "parameters": 2}]},
            "inputs[0].parameters: expected an object, got 2",
        ),
        (
            {"inputs": [_tensor("x", [1], [1])], "outputs": [{"name": "predict"}, "p"]},
            "outputs: expected a list of objects, got a list of 2 values",
        ),
        (
            {"inputs": [_tensor("x", [2, 2], [[1, 2], [3]])]},
            "inputs[0].data[1]: expected 2 values, got 1",
        ),
        (
            {"inputs": [_tensor("a", [1], [1]), _tensor("b", [1, 2], [1, 2])]},
            "inputs[1].shape: expected [n] or [n, 1] (one column per tensor) when several"
            " tensors are sent, got [1, 2]",
        ),
        (
            {"inputs": [_tensor("a", [1], [1]), _tensor("a", [1], [2])]},
            "inputs: expected unique tensor names, got 'a' twice",
        ),
        (
            {"inputs": [{"name": "x", "shape": [1], "datatype": {"FP64": 1}, "data": [1]}]},
            "inputs[0].datatype: expected one of BOOL, BYTES, FP16, FP32, FP64, INT16, INT32, "
            "INT64, INT8, UINT16, UINT32, UINT64, UINT8, got an object",
        ),
    ],
)
def test_parse_infer_body_bad_requests_name_the_field(body: Any, message: str) -> None:
    with pytest.raises(PayloadError, match="^" + re.escape(message) + "$"):
        _parse(body)


def test_infer_answer_is_one_flat_output_tensor() -> None:
    answer = infer_answer(np.array([0.25, 0.75], dtype=np.float32), "m", "3", "req")
    assert answer["model_name"] == "m"
    assert answer["model_version"] == "3"
    assert answer["id"] == "req"
    (output,) = answer["outputs"]
    assert (output["name"], output["shape"], output["datatype"]) == ("predict", [2], "FP32")
    assert orjson.dumps(output["data"], option=orjson.OPT_SERIALIZE_NUMPY) == b"[0.25,0.75]"


@pytest.mark.parametrize(
    ("prediction", "datatype", "shape"),
    [
        (np.array([[1, 2]], dtype=np.int64), "INT64", [1, 2]),
        (np.array([True]), "BOOL", [1]),
        ([0.5], "FP64", [1]),
        (np.array(["up"]), "BYTES", [1]),
    ],
)
def test_infer_answer_maps_numpy_types(prediction: Any, datatype: str, shape: list[int]) -> None:
    output = infer_answer(prediction, "m", None, None)["outputs"][0]
    assert (output["datatype"], output["shape"]) == (datatype, shape)


def test_metadata_inputs_named_columns_or_one_matrix() -> None:
    named = InputSchema((ColumnSpec(0, "long"), ColumnSpec("f", "double")))
    assert metadata_inputs(named, 2) == [
        {"name": "0", "datatype": "INT64", "shape": [-1]},
        {"name": "f", "datatype": "FP64", "shape": [-1]},
    ]
    positional = InputSchema((ColumnSpec(None, "float"),) * 3, is_positional=True)
    assert metadata_inputs(positional, 3) == [
        {"name": "input-0", "datatype": "FP64", "shape": [-1, 3]}
    ]
    assert metadata_inputs(None, None) == [
        {"name": "input-0", "datatype": "FP64", "shape": [-1, -1]}
    ]
