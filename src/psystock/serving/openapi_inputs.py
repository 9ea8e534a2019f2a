"""JSON schemas of the served model's inputs, for the OpenAPI description.

The description is exact for the model being served: a row has one value per column of the
model's signature, a ``long`` column takes integers, a ``double`` one numbers, a ``boolean``
one true, false, 0 or 1, an optional column also null; records carry the model's column
names. So a client generated from ``/openapi.json``, or a fuzzer, sends what the server
accepts, and what the description forbids the server refuses (``cells``, ``payloads``).
JSON Schema cannot tie two lengths together, so a few equalities stay in words: every row of
``dataframe_split.data`` has as many values as ``columns``; a V2 tensor's ``data`` holds the
product of its ``shape``. The server also accepts, as MLflow does, columns in another order
and extra columns it ignores; the description spells the canonical form.

Before a model is loaded the schemas say only what any model takes (rows of values).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psystock.scoring import LoadedModel
from psystock.scoring.schema import BOOLEAN_TYPE, INTEGER_TYPES, ColumnSpec

_ANY_CELL: dict[str, Any] = {"type": ["number", "boolean", "null"]}
_SCALAR: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}


@dataclass(frozen=True)
class ModelColumns:
    """The columns a served model expects, as the description spells them.

    Attributes:
        columns: one spec per column in the model's order (names None when positional).
        is_named: inputs may name their columns (records, ``columns``).
        max_rows: most rows in one request (``serving.max_rows``).
    """

    columns: tuple[ColumnSpec, ...]
    is_named: bool
    max_rows: int

    @classmethod
    def of(cls, model: LoadedModel | None, max_rows: int) -> ModelColumns | None:
        """The columns of ``model``; None when no model is loaded or its width is open."""
        if model is None:
            return None
        schema = model.schema
        if schema is not None and schema.columns:
            return cls(schema.columns, not schema.is_positional, max_rows)
        if model.n_features:
            return cls((ColumnSpec(None, "double"),) * model.n_features, False, max_rows)
        return None

    @property
    def width(self) -> int:
        """Number of columns."""
        return len(self.columns)


def cell_schema(column: ColumnSpec) -> dict[str, Any]:
    """The JSON values one column takes."""
    if column.type in INTEGER_TYPES:
        schema: dict[str, Any] = {"type": "integer"}
    elif column.type == BOOLEAN_TYPE:
        schema = {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]}
    else:
        schema = {"type": "number"}
    if not column.required:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def row_schema(model: ModelColumns | None) -> dict[str, Any]:
    """One row: a value per column, in the model's order."""
    if model is None:
        return {"type": "array", "items": _ANY_CELL, "minItems": 1}
    return {
        "type": "array",
        "prefixItems": [cell_schema(column) for column in model.columns],
        "items": False,
        "minItems": model.width,
        "maxItems": model.width,
        "description": f"One row: {model.width} values, one per column of the model.",
    }


def rows_schema(model: ModelColumns | None) -> dict[str, Any]:
    """A non-empty list of rows."""
    return _list_of(row_schema(model), model)


def record_schema(model: ModelColumns | None) -> dict[str, Any]:
    """One row as ``{"column": value}`` (JSON keys are strings: ``"3"`` names column 3)."""
    if model is None:
        return {"type": "object", "additionalProperties": _ANY_CELL, "minProperties": 1}
    if not model.is_named:
        return {
            "type": "object",
            "additionalProperties": cell_schema(model.columns[0]),
            "minProperties": model.width,
            "maxProperties": model.width,
            "description": f"{model.width} values, mapped onto the model's columns in order.",
        }
    return {
        "type": "object",
        "properties": {column.key: cell_schema(column) for column in model.columns},
        "required": [column.key for column in model.columns if column.required],
        "additionalProperties": False,
        "description": "One row by column name; extra columns are ignored, as MLflow does.",
    }


def records_schema(model: ModelColumns | None) -> dict[str, Any]:
    """A non-empty list of records, every one with the keys of the first."""
    return _list_of(record_schema(model), model)


def column_names_schema(model: ModelColumns | None) -> dict[str, Any]:
    """``dataframe_split.columns``: the model's names, integers or strings alike."""
    name: dict[str, Any] = {"type": ["string", "integer"]}
    if model is None or not model.is_named:
        names: dict[str, Any] = {"type": "array", "items": name, "uniqueItems": True}
        if model is not None:
            names |= {"minItems": model.width, "maxItems": model.width}
        return names
    return {
        "type": "array",
        "prefixItems": [{"enum": _spellings(column)} for column in model.columns],
        "items": False,
        "minItems": model.width,
        "maxItems": model.width,
        "description": "The model's column names (integer names as integers or strings).",
    }


def columnar_schema(model: ModelColumns | None) -> dict[str, Any]:
    """MLflow's ``inputs`` as ``{"column": value}`` or ``{"column": [value, ...]}``."""
    single = record_schema(model)
    if model is None or not model.is_named:
        return single
    # One length for every list cannot be said in JSON Schema; a one-row table can.
    one_value = {column.key: _one_value_list(column) for column in model.columns}
    lists = {
        "type": "object",
        "properties": one_value,
        "required": [column.key for column in model.columns if column.required],
        "additionalProperties": False,
        "maxProperties": model.width,
        "description": "Column by column: every list has one value per row (same length).",
    }
    return {"anyOf": [single, lists]}


def _one_value_list(column: ColumnSpec) -> dict[str, Any]:
    return {"type": "array", "items": cell_schema(column), "minItems": 1, "maxItems": 1}


def tensor_data_schema() -> dict[str, Any]:
    """A V2 tensor's ``data``: numbers (booleans for BOOL), flat or one list per row."""
    value = {"type": ["number", "boolean"]}
    return {
        "type": "array",
        "items": {"anyOf": [value, {"type": "array", "items": value}]},
        "description": "The tensor's values, flat in row-major order or one list per row;"
        " as many as the product of its shape.",
    }


def _spellings(column: ColumnSpec) -> list[str | int]:
    key = column.key
    return [key, int(key)] if key.isdigit() and str(int(key)) == key else [key]


def _list_of(item: dict[str, Any], model: ModelColumns | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": item, "minItems": 1}
    if model is not None:
        schema["maxItems"] = model.max_rows
    return schema


def scalars_schema(model: ModelColumns | None) -> dict[str, Any] | None:
    """A list of single values, one per row: only for a one-column model."""
    if model is None or model.width != 1:
        return None
    return _list_of(cell_schema(model.columns[0]), model)


SCALAR = _SCALAR
"""Any single JSON value (labels of ``index``, ignored extras)."""
