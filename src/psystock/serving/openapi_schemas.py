"""JSON schemas of the API's payloads, for the OpenAPI description (``components.schemas``)."""

from __future__ import annotations

from typing import Any

_VALUE = {"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "boolean"}]}
_ROW = {"type": "array", "items": _VALUE, "description": "One row: one value per feature."}
_ROWS = {"type": "array", "items": _ROW, "minItems": 1}
_RECORD = {
    "type": "object",
    "additionalProperties": _VALUE,
    "description": 'One row as {"column": value}; integer names are given as strings.',
}
_RECORDS = {"type": "array", "items": _RECORD, "minItems": 1}
_COLUMN_NAME = {"anyOf": [{"type": "string"}, {"type": "integer"}]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _tensor(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["name", "shape", "datatype", "data"],
        "properties": {
            "name": {"type": "string"},
            "shape": {"type": "array", "items": {"type": "integer", "minimum": -1}},
            "datatype": {"type": "string", "example": "FP64"},
            "parameters": {"type": "object"},
            "data": {"type": "array", "description": "Values, flat (row-major) or nested."},
        },
    }


def _wrapped(key: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": [key],
        "properties": {key: schema, "params": {"type": "object"}},
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "MLflow's error format; extra fields (row, column, expected, got, limit)"
        " locate the problem.",
        "required": ["error_code", "message"],
        "properties": {"error_code": {"type": "string"}, "message": {"type": "string"}},
    },
    "V2Error": {
        "type": "object",
        "description": "The Open Inference Protocol's error format (with MLflow's fields too).",
        "required": ["error", "error_code", "message"],
        "properties": {
            "error": {"type": "string"},
            "error_code": {"type": "string"},
            "message": {"type": "string"},
        },
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
    "DataframeSplit": {
        "type": "object",
        "description": 'pandas to_json(orient="split"); index is ignored.',
        "required": ["data"],
        "properties": {
            "columns": {"type": "array", "items": _COLUMN_NAME},
            "index": {"type": "array"},
            "data": _ROWS,
        },
    },
    "DataframeRecords": _RECORDS,
    "MLflowRequest": {
        "description": "MLflow 2/3 scoring request: exactly one of four keys.",
        "oneOf": [
            _wrapped("dataframe_split", _ref("DataframeSplit"), "A pandas split object."),
            _wrapped("dataframe_records", _ref("DataframeRecords"), "A list of records."),
            _wrapped("instances", {"type": "array", "minItems": 1}, "Rows or records."),
            _wrapped(
                "inputs",
                {"anyOf": [{"type": "array", "minItems": 1}, {"type": "object"}]},
                "Rows, records, or {column: [values]}.",
            ),
        ],
    },
    "LegacyRequest": {
        "description": "MLflow 1.x: a bare pandas split object, or a bare list of records/rows.",
        "anyOf": [_ref("DataframeSplit"), _RECORDS, _ROWS],
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
    "V2InferenceRequest": {
        "type": "object",
        "description": "One [n, k] tensor of positional features, or one 1-D tensor per column.",
        "required": ["inputs"],
        "properties": {
            "id": {"type": "string"},
            "parameters": {"type": "object"},
            "inputs": {"type": "array", "minItems": 1, "items": _tensor("An input tensor.")},
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
            "outputs": {"type": "array", "items": _tensor("The predictions, named predict.")},
        },
    },
    "Version": {"type": "object", "properties": {"version": {"type": "string"}}},
}
