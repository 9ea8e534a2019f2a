"""JSON schemas of the API's payloads, for the OpenAPI description (``components.schemas``).

The request schemas follow the served model (``openapi_inputs``); the answers' do not.
"""

from __future__ import annotations

from typing import Any

from psystock.serving.inference_protocol import NUMERIC_DATATYPES
from psystock.serving.openapi_inputs import (
    SCALAR,
    ModelColumns,
    column_names_schema,
    columnar_schema,
    records_schema,
    rows_schema,
    scalars_schema,
    tensor_data_schema,
)
from psystock.serving.payloads import MLFLOW_FORMATS as MLFLOW_KEYS

V2_DATATYPES = sorted(NUMERIC_DATATYPES)
"""Tensor datatypes a numeric model takes (BYTES carries strings, which no column takes)."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _tensor(description: str, *, request: bool) -> dict[str, Any]:
    shape: dict[str, Any] = {"type": "array", "items": {"type": "integer", "minimum": 0}}
    datatype: dict[str, Any] = {"type": "string", "example": "FP64"}
    data: dict[str, Any] = {"type": "array", "description": "Values, flat (row-major) or nested."}
    if request:
        shape |= {"minItems": 1, "maxItems": 2}
        datatype = {"enum": V2_DATATYPES, "example": "FP64"}
        data = tensor_data_schema()
    return {
        "type": "object",
        "description": description,
        "required": ["name", "shape", "datatype", "data"],
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "shape": shape,
            "datatype": datatype,
            "parameters": {"type": "object"},
            "data": data,
        },
    }


def _wrapped(key: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An MLflow 2/3 request: ``key`` and none of the other three (``params``, others ignored)."""
    others = [other for other in MLFLOW_KEYS if other != key]
    return {
        "type": "object",
        "description": description,
        "required": [key],
        "properties": {key: schema, "params": {"type": "object"}},
        "not": {"anyOf": [{"required": [other]} for other in others]},
    }


def _any_of(*schemas: dict[str, Any] | None) -> dict[str, Any]:
    return {"anyOf": [schema for schema in schemas if schema is not None]}


def request_schemas(model: ModelColumns | None) -> dict[str, Any]:
    """The request schemas for the served model (``model``; None before one is loaded)."""
    rows, records = rows_schema(model), records_schema(model)
    lists = _any_of(rows, records, scalars_schema(model))
    split = {
        "type": "object",
        "description": 'pandas to_json(orient="split"): data, optional columns and index (row'
        " labels, ignored); every row has as many values as columns.",
        "required": ["data"],
        "properties": {
            "columns": column_names_schema(model),
            "index": {"type": "array", "items": SCALAR},
            "data": rows,
        },
    }
    return {
        "DataframeSplit": split,
        "DataframeRecords": records,
        "MLflowRequest": {
            "description": "MLflow 2/3 scoring request: exactly one of four keys.",
            "oneOf": [
                _wrapped("dataframe_split", _ref("DataframeSplit"), "A pandas split object."),
                _wrapped("dataframe_records", _ref("DataframeRecords"), "A list of records."),
                _wrapped("instances", lists, "Rows or records."),
                _wrapped(
                    "inputs",
                    _any_of(*lists["anyOf"], columnar_schema(model)),
                    "Rows, records, or {column: value or [values]}.",
                ),
            ],
        },
        "LegacyRequest": {
            "description": "MLflow 1.x: a bare pandas split object, or a bare list of records"
            " or rows.",
            "anyOf": [
                {**split, "not": {"anyOf": [{"required": [key]} for key in MLFLOW_KEYS]}},
                *lists["anyOf"],
            ],
        },
        "V2InferenceRequest": {
            "type": "object",
            "description": "One [n, k] tensor of positional features, or one 1-D tensor per"
            " column.",
            "required": ["inputs"],
            "properties": {
                "id": {"type": "string"},
                "parameters": {"type": "object"},
                "inputs": {
                    "type": "array",
                    "minItems": 1,
                    "items": _tensor("An input tensor.", request=True),
                },
                "outputs": {"type": "array", "items": {"type": "object"}},
            },
        },
    }


_MLFLOW_ERROR_FIELDS = ("error_code", "message")
"""The fields of MLflow's error format, all strings; the V2 format adds ``error``."""


def _string_fields(*names: str) -> dict[str, Any]:
    return {name: {"type": "string"} for name in names}


RESPONSE_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "MLflow's error format; extra fields (row, column, expected, got, limit)"
        " locate the problem.",
        "required": list(_MLFLOW_ERROR_FIELDS),
        "properties": _string_fields(*_MLFLOW_ERROR_FIELDS),
    },
    "V2Error": {
        "type": "object",
        "description": "The Open Inference Protocol's error format (with MLflow's fields too).",
        "required": ["error", *_MLFLOW_ERROR_FIELDS],
        "properties": _string_fields("error", *_MLFLOW_ERROR_FIELDS),
    },
    "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "unavailable"]},
            "model": {"type": ["string", "null"]},
            "version": {"type": ["string", "null"]},
            "loaded_at": {"type": "string", "format": "date-time"},
            "reference": {"type": "string"},
            "flavor": {"type": "string"},
            "message": {"type": "string"},
        },
    },
    "Predictions": {
        "type": "object",
        "required": ["predictions"],
        "properties": {"predictions": {"type": "array"}},
    },
    "LegacyPredictions": {"type": "array", "description": "MLflow 1.x answer: a bare list."},
    "V2ServerMetadata": {
        "type": "object",
        "required": ["name", "version", "extensions"],
        "properties": {
            "name": {"type": "string"},
            "version": {"type": "string"},
            "extensions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "V2Live": {"type": "object", "properties": {"live": {"type": "boolean"}}},
    "V2Ready": {"type": "object", "properties": {"ready": {"type": "boolean"}}},
    "V2ModelReady": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "ready": {"type": "boolean"}},
    },
    "V2ModelMetadata": {
        "type": "object",
        "required": ["name", "versions", "platform", "inputs", "outputs"],
        "properties": {
            "name": {"type": "string"},
            "versions": {"type": "array", "items": {"type": "string"}},
            "platform": {"type": "string"},
            "inputs": {"type": "array", "items": {"type": "object"}},
            "outputs": {"type": "array", "items": {"type": "object"}},
        },
    },
    "V2InferenceResponse": {
        "type": "object",
        "required": ["model_name", "outputs"],
        "properties": {
            "model_name": {"type": "string"},
            "model_version": {"type": ["string", "null"]},
            "id": {"type": "string"},
            "outputs": {
                "type": "array",
                "items": _tensor("The predictions, named predict.", request=False),
            },
        },
    },
    "Version": {"type": "object", "properties": {"version": {"type": "string"}}},
}
