"""Open Inference Protocol (V2, as KServe, MLServer and Triton speak it): bodies and answers.

A request carries ``inputs``, a list of tensors ``{name, shape, datatype, data}`` (``data``
flat in row-major order, or nested). Two layouts are accepted:

- one 2-D tensor ``[n, k]``: ``n`` rows of ``k`` positional features;
- one 1-D tensor (``[n]`` or ``[n, 1]``) per column, named after the column: ``n`` rows.

The answer has one output tensor ``predict`` holding the model's predictions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from psystock.errors import PayloadError
from psystock.scoring import InputSchema, ModelInput
from psystock.serving.payloads import ParsedPayload, describe, first_duplicate, load_json

NUMERIC_DATATYPES = frozenset(
    {"BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64"}
    | {"FP16", "FP32", "FP64"}
)
DATATYPES = NUMERIC_DATATYPES | {"BYTES"}
OUTPUT_NAME = "predict"
_NOT_NUMBERS: frozenset[type] = frozenset({str, type(None)})
"""Cell types a numeric tensor refuses here (lists, objects and booleans: ``check_cells``)."""

_SCHEMA_DATATYPES = {
    "long": "INT64",
    "integer": "INT32",
    "double": "FP64",
    "float": "FP32",
    "boolean": "BOOL",
}
_NUMPY_DATATYPES = {
    "f2": "FP16",
    "f4": "FP32",
    "f8": "FP64",
    "i1": "INT8",
    "i2": "INT16",
    "i4": "INT32",
    "i8": "INT64",
    "u1": "UINT8",
    "u2": "UINT16",
    "u4": "UINT32",
    "u8": "UINT64",
    "b1": "BOOL",
}


@dataclass(frozen=True)
class InferenceRequest:
    """A parsed V2 inference request: the rows to score and the fields echoed back."""

    payload: ParsedPayload
    id: str | None = None


def parse_infer_body(body: bytes) -> InferenceRequest:
    """Parse the body of ``POST /v2/models/{name}/infer``.

    Raises:
        PayloadError: the body does not follow the protocol; the message names the field
            (``inputs[0].data``) and what was expected.
    """
    document = load_json(body)
    if not isinstance(document, dict):
        raise PayloadError(f"request body: expected a JSON object, got {describe(document)}")
    request_id = document.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise PayloadError(f"id: expected a string, got {describe(request_id)}")
    _check_object(document, "parameters", "parameters")
    outputs = document.get("outputs", [])
    if not isinstance(outputs, list) or not all(isinstance(item, dict) for item in outputs):
        raise PayloadError(f"outputs: expected a list of objects, got {describe(outputs)}")
    inputs = document.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise PayloadError(f"inputs: expected a non-empty list of tensors, got {describe(inputs)}")
    tensors = [_parse_tensor(tensor, f"inputs[{index}]") for index, tensor in enumerate(inputs)]
    return InferenceRequest(_to_payload(tensors), request_id)


@dataclass(frozen=True)
class _Tensor:
    name: str
    shape: tuple[int, ...]
    data: list[Any]
    where: str


def _parse_tensor(tensor: Any, where: str) -> _Tensor:
    if not isinstance(tensor, dict):
        raise PayloadError(f"{where}: expected a tensor object, got {describe(tensor)}")
    _check_object(tensor, "parameters", f"{where}.parameters")
    name = tensor.get("name")
    if not isinstance(name, str) or not name:
        raise PayloadError(f"{where}.name: expected a non-empty string, got {describe(name)}")
    shape = tensor.get("shape")
    if (
        not isinstance(shape, list)
        or not 1 <= len(shape) <= 2
        or any(isinstance(size, bool) or not isinstance(size, int) or size < 0 for size in shape)
    ):
        raise PayloadError(
            f"{where}.shape: expected 1 or 2 non-negative integers, got {describe(shape)}"
        )
    datatype = tensor.get("datatype")
    if not isinstance(datatype, str) or datatype not in DATATYPES:
        raise PayloadError(
            f"{where}.datatype: expected one of {', '.join(sorted(DATATYPES))},"
            f" got {describe(datatype)}"
        )
    data = _flatten(tensor.get("data"), shape, f"{where}.data")
    expected = math.prod(shape)
    if len(data) != expected:
        raise PayloadError(
            f"{where}.data: expected {expected} values for shape {shape}, got {len(data)}"
        )
    _check_values(data, datatype, f"{where}.data")
    return _Tensor(name, tuple(shape), data, where)


def _check_object(document: dict[str, Any], key: str, where: str) -> None:
    """``document[key]``, when present, must be an object (the protocol's parameters)."""
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise PayloadError(f"{where}: expected an object, got {describe(value)}")


def _flatten(data: Any, shape: list[int], where: str) -> list[Any]:
    """The tensor's values in row-major order: flat as given, or rows of a 2-D shape.

    Only a regular nesting (one list per row of a ``[n, k]`` tensor) is unnested; any other
    list inside the data stays a cell, which ``check_cells`` refuses with its row and column.
    """
    if not isinstance(data, list):
        raise PayloadError(f"{where}: expected a list of values, got {describe(data)}")
    if len(shape) != 2 or not data or not all(isinstance(item, list) for item in data):
        return data
    if len(data) != shape[0]:
        raise PayloadError(f"{where}: expected {shape[0]} rows for shape {shape}, got {len(data)}")
    flat: list[Any] = []
    for index, row in enumerate(data):
        if len(row) != shape[1]:
            raise PayloadError(f"{where}[{index}]: expected {shape[1]} values, got {len(row)}")
        flat.extend(row)
    return flat


def _check_values(data: list[Any], datatype: str, where: str) -> None:
    kinds = set(map(type, data))  # the usual case is decided in one pass in C
    if datatype == "BYTES":
        if kinds <= {str}:
            return
        for index, value in enumerate(data):
            if not isinstance(value, str):
                raise PayloadError(f"{where}[{index}]: expected a string, got {describe(value)}")
        return
    if kinds.isdisjoint(_NOT_NUMBERS):
        return
    for index, value in enumerate(data):
        # Numbers and booleans pass, and lists and objects too: like every route, check_cells
        # refuses those with their row and column (booleans outside boolean columns).
        if isinstance(value, str) or value is None:
            raise PayloadError(
                f"{where}[{index}]: expected a number ({datatype}), got {describe(value)}"
            )


def _to_payload(tensors: list[_Tensor]) -> ParsedPayload:
    if len(tensors) == 1 and len(tensors[0].shape) == 2 and tensors[0].shape[1] != 1:
        tensor = tensors[0]
        n_rows, width = tensor.shape
        matrix = [tensor.data[row * width : (row + 1) * width] for row in range(n_rows)]
        return ParsedPayload(ModelInput(matrix), n_rows, f"{tensor.where}.data")
    first = tensors[0]
    for tensor in tensors:
        if len(tensor.shape) == 2 and tensor.shape[1] != 1:
            raise PayloadError(
                f"{tensor.where}.shape: expected [n] or [n, 1] (one column per tensor) when"
                f" several tensors are sent, got {list(tensor.shape)}"
            )
        if tensor.shape[0] != first.shape[0]:
            raise PayloadError(
                f"{tensor.where}.shape: expected {first.shape[0]} rows like {first.where},"
                f" got {tensor.shape[0]}"
            )
    names = [tensor.name for tensor in tensors]
    if len(set(names)) != len(names):
        duplicate = first_duplicate(names)
        raise PayloadError(f"inputs: expected unique tensor names, got {describe(duplicate)} twice")
    rows = [list(row) for row in zip(*(tensor.data for tensor in tensors), strict=True)]
    return ParsedPayload(ModelInput(rows, tuple(names)), first.shape[0], "inputs")


def infer_answer(
    prediction: Any, model_name: str, model_version: str | None, request_id: str | None
) -> dict[str, Any]:
    """The V2 answer: one output tensor ``predict`` with the predictions, flat, row-major."""
    array = np.asarray(prediction)
    data: Any
    if array.dtype.kind in "OUS":
        datatype, data = "BYTES", [str(item) for item in array.reshape(-1).tolist()]
    else:
        datatype = _NUMPY_DATATYPES.get(f"{array.dtype.kind}{array.dtype.itemsize}", "FP64")
        data = array.reshape(-1)
    answer: dict[str, Any] = {
        "model_name": model_name,
        "model_version": model_version,
        "outputs": [
            {"name": OUTPUT_NAME, "shape": list(array.shape), "datatype": datatype, "data": data}
        ],
    }
    if request_id is not None:
        answer["id"] = request_id
    return answer


def metadata_inputs(schema: InputSchema | None, n_features: int | None) -> list[dict[str, Any]]:
    """The ``inputs`` of the model metadata: one tensor per named column, or one 2-D tensor."""
    if schema is not None and not schema.is_positional and schema.columns:
        return [
            {
                "name": column.key,
                "datatype": _SCHEMA_DATATYPES.get(column.type, "FP64"),
                "shape": [-1],
            }
            for column in schema.columns
        ]
    width = n_features if n_features is not None else -1
    return [{"name": "input-0", "datatype": "FP64", "shape": [-1, width]}]
