"""The OpenAPI 3.1 description of every route, served at ``/openapi.json`` and ``/docs``.

The request bodies follow the served model (``openapi_inputs``) and its name and version are
the path parameters' examples, so the docs page's "Try it out" works as it opens.
"""

from __future__ import annotations

from typing import Any

from psystock.serving.openapi_inputs import ModelColumns
from psystock.serving.openapi_schemas import RESPONSE_SCHEMAS, request_schemas

BOOK_ROW = [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"application/json": content}


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": _json(_ref(schema))}


def _errors(*statuses: int, schema: str = "Error") -> dict[str, Any]:
    descriptions = {
        400: "Bad payload: the message names the field, row and column, and what was expected.",
        401: "Missing or wrong bearer token (when the server requires one).",
        404: "No such model (or version) served here.",
        413: "Body or row count over the server's limit.",
        415: "Unsupported content type.",
        500: "Unexpected failure (logged); the server keeps serving.",
        503: "No model loaded yet.",
    }
    return {str(status): _error(descriptions[status], schema) for status in statuses}


_HEALTH = {
    "200": {"description": "A model is loaded.", "content": _json(_ref("Health"))},
    "503": {"description": "No model loaded yet.", "content": _json(_ref("Health"))},
}


def example_row(model: ModelColumns | None) -> list[int]:
    """A row the served model takes: the book's row, cut or repeated to the model's width."""
    width = model.width if model is not None else len(BOOK_ROW)
    return [BOOK_ROW[position % len(BOOK_ROW)] for position in range(width)]


def _example_columns(model: ModelColumns | None) -> list[str | int]:
    if model is None or not model.is_named:
        return list(range(len(example_row(model))))
    return [int(c.key) if c.key.isdigit() else c.key for c in model.columns]


def _invocation_body(model: ModelColumns | None) -> dict[str, Any]:
    row = example_row(model)
    return {
        "required": True,
        "description": "MLflow 2/3 JSON, MLflow 1.x pandas JSON (bare split object or records"
        " list; optionally `; format=pandas-split|pandas-records`), or CSV with or without a"
        " header. Values are JSON numbers (booleans in boolean columns).",
        "content": {
            "application/json": {
                "schema": {"anyOf": [_ref("MLflowRequest"), _ref("LegacyRequest")]},
                "examples": {
                    "dataframe_split": {
                        "summary": "One row (the book's example)",
                        "value": {"dataframe_split": {"data": [row]}},
                    },
                    "mlflow-1.x-split": {
                        "summary": "MLflow 1.x: pandas split with column names",
                        "value": {"columns": _example_columns(model), "index": [0], "data": [row]},
                    },
                },
            },
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "Rows of comma-separated numbers, with or without a header.",
                },
                "example": ",".join(str(value) for value in row) + "\n",
            },
        },
    }


def _invocation(model: ModelColumns | None) -> dict[str, Any]:
    return {
        "summary": "Predict (MLflow and SageMaker clients)",
        "description": 'MLflow 2/3 requests are answered {"predictions": [...]}, MLflow 1.x'
        " bodies with a bare list. Concurrent requests are micro-batched.",
        "security": [{}, {"bearer": []}],
        "requestBody": _invocation_body(model),
        "responses": {
            "200": {
                "description": "The model's predictions, one per row.",
                "content": _json(
                    {"anyOf": [_ref("Predictions"), _ref("LegacyPredictions")]},
                    {"predictions": [0.53]},
                ),
            },
            **_errors(400, 401, 413, 415, 500, 503),
        },
    }


_ENDPOINT_NAME = {
    "name": "name",
    "in": "path",
    "required": True,
    "description": "Any SageMaker endpoint name: this server serves one model.",
    "schema": {"type": "string", "pattern": "^[^/]+$"},
    "example": "psystock",
}


def _path_parameter(name: str, example: str | None) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[^/]+$"},
    }
    if example is not None:
        parameter["example"] = example
    return parameter


def _get(summary: str, schema: str, *errors: int, error_schema: str = "Error") -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "responses": {
                "200": {"description": summary, "content": _json(_ref(schema))},
                **_errors(*errors, schema=error_schema),
            },
        }
    }


def _v2_model(path_parameters: list[dict[str, Any]], row: list[int]) -> dict[str, Any]:
    metadata = _get("V2 model metadata", "V2ModelMetadata", 404, 500, 503, error_schema="V2Error")
    ready = _get("V2 model readiness", "V2ModelReady", 404, 500, 503, error_schema="V2Error")
    infer = {
        "post": {
            "summary": "V2 inference",
            "security": [{}, {"bearer": []}],
            "requestBody": {
                "required": True,
                "content": _json(
                    _ref("V2InferenceRequest"),
                    {
                        "id": "1",
                        "inputs": [
                            {"name": "x", "shape": [1, len(row)], "datatype": "FP64", "data": row}
                        ],
                    },
                ),
            },
            "responses": {
                "200": {
                    "description": "Predictions.",
                    "content": _json(_ref("V2InferenceResponse")),
                },
                **_errors(400, 401, 404, 413, 415, 500, 503, schema="V2Error"),
            },
        }
    }
    for operation in (metadata["get"], ready["get"], infer["post"]):
        operation["parameters"] = path_parameters
    return {"": metadata, "/ready": ready, "/infer": infer}


def _paths(
    model: ModelColumns | None, served_name: str | None, served_version: str | None
) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/invocations": {"post": _invocation(model)},
        "/endpoints/{name}/invocations": {
            "post": {
                **_invocation(model),
                "summary": "Predict (SageMaker runtime path; any endpoint name)",
                "parameters": [_ENDPOINT_NAME],
            }
        },
        "/ping": {"get": {"summary": "Health (SageMaker probe)", "responses": _HEALTH}},
        "/health": {"get": {"summary": "Health of the served model", "responses": _HEALTH}},
        "/version": _get("psystock version", "Version"),
        "/metrics": {
            "get": {
                "summary": "Prometheus metrics (merged across workers)",
                "responses": {
                    "200": {
                        "description": "Text exposition format.",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": _json({})}},
            }
        },
        "/docs": {
            "get": {
                "summary": "HTML documentation",
                "responses": {
                    "200": {
                        "description": "A self-contained page.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
        "/registry/events": {
            "post": {
                "summary": "MLflow registry webhook deliveries (signed with X-MLflow-Signature)",
                "description": "The server registers this URL with the registry when it starts;"
                " an alias moving on the served model rolls its new version out at once.",
                "requestBody": {"required": True, "content": _json({"type": "object"})},
                "responses": {
                    "200": {"description": "Accepted or ignored.", "content": _json({})},
                    **_errors(400, 401, 404, 413),
                },
            }
        },
        "/v2": _get("V2 server metadata", "V2ServerMetadata"),
        "/v2/health/live": _get("V2 liveness", "V2Live"),
        "/v2/health/ready": {
            "get": {
                "summary": "V2 readiness",
                "responses": {
                    "200": {"description": "Ready.", "content": _json(_ref("V2Ready"))},
                    "503": {"description": "No model yet.", "content": _json(_ref("V2Ready"))},
                },
            }
        },
    }
    name = _path_parameter("name", served_name)
    version = _path_parameter("version", served_version)
    row = example_row(model)
    for suffix, item in _v2_model([name], row).items():
        paths[f"/v2/models/{{name}}{suffix}"] = item
    for suffix, item in _v2_model([name, version], row).items():
        paths[f"/v2/models/{{name}}/versions/{{version}}{suffix}"] = item
    return paths


def build_openapi_spec(
    version: str,
    model: ModelColumns | None = None,
    served: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """The OpenAPI document of the API.

    Args:
        version: psystock's version.
        model: the served model's columns (request schemas); None before one is loaded.
        served: the served model's V2 name and version (examples of the path parameters).
    """
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "psystock API",
            "version": version,
            "description": "Scores the registered PsyStock model: MLflow 1.x/2/3 and CSV on"
            " /invocations, SageMaker's contract, the Open Inference Protocol (V2), health,"
            " metrics. POST routes need the bearer token when the server has one; GET routes"
            " are open.",
        },
        "paths": _paths(model, *served),
        "components": {
            "schemas": {**RESPONSE_SCHEMAS, **request_schemas(model)},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
