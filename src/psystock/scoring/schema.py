"""A model's input schema, read from the ``signature`` of its MLmodel file.

psystock scores numeric features: a column may be ``long``, ``integer``, ``double``,
``float`` or ``boolean`` (or a numeric tensor). Column names stay as saved: the book's model
has integer names 0..13 (``infer_signature`` on a frame with default column labels), other
models have strings.

"Required" follows MLflow's column spec: a required column (the default) must be present in
every input and hold a finite number in every row; an optional one (``"required": false``)
may be left out or empty, and then reaches the model as NaN (XGBoost's "missing").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from psystock.errors import ModelLoadError

INTEGER_TYPES = frozenset({"long", "integer"})
FLOAT_TYPES = frozenset({"double", "float"})
BOOLEAN_TYPE = "boolean"
NUMERIC_TYPES = INTEGER_TYPES | FLOAT_TYPES | {BOOLEAN_TYPE}
_TENSOR_TYPES = {
    "float16": "float",
    "float32": "float",
    "float64": "double",
    "int8": "integer",
    "int16": "integer",
    "int32": "integer",
    "int64": "long",
    "uint8": "integer",
    "uint16": "integer",
    "uint32": "long",
    "uint64": "long",
    "bool": BOOLEAN_TYPE,
}


@dataclass(frozen=True)
class ColumnSpec:
    """One input column: name as saved (int, str, or None when positional), type, required."""

    name: str | int | None
    type: str
    required: bool = True

    @property
    def key(self) -> str:
        """The name as it is matched against given column names: ``3`` matches ``"3"``."""
        return str(self.name)


@dataclass(frozen=True)
class InputSchema:
    """The columns a model expects.

    Attributes:
        columns: one spec per column, in the model's order. Empty with ``n_features`` None
            when a tensor signature leaves the width open.
        is_positional: True for tensor signatures (no names): inputs map by position.
    """

    columns: tuple[ColumnSpec, ...]
    is_positional: bool = False

    @property
    def n_features(self) -> int | None:
        """Number of columns, None when open."""
        return len(self.columns) if self.columns else None

    @property
    def names(self) -> tuple[str | int, ...] | None:
        """Column names as saved, None for positional schemas."""
        return None if self.is_positional else tuple(c.name for c in self.columns)  # type: ignore[misc]

    @classmethod
    def from_signature(cls, inputs: str | list[dict[str, Any]], where: str) -> InputSchema:
        """Build the schema from the ``signature.inputs`` of an MLmodel file.

        Args:
            inputs: the JSON text (as MLmodel stores it) or the parsed list.
            where: the model, for error messages.

        Raises:
            ModelLoadError: the signature is malformed or has a non-numeric column.
        """
        try:
            specs = json.loads(inputs) if isinstance(inputs, str) else inputs
        except json.JSONDecodeError as exc:
            raise ModelLoadError(f"model {where}: unreadable signature ({exc})") from exc
        if not isinstance(specs, list) or not specs:
            raise ModelLoadError(f"model {where}: expected a list of input specs, got {specs!r}")
        if all(spec.get("type") == "tensor" for spec in specs):
            return _tensor_schema(specs, where)
        columns = tuple(_column_spec(spec, where) for spec in specs)
        if any(column.name is None for column in columns):
            return cls(columns, is_positional=True)
        return cls(columns)


def _column_spec(spec: dict[str, Any], where: str) -> ColumnSpec:
    kind = spec.get("type")
    name = spec.get("name")
    if kind not in NUMERIC_TYPES:
        raise ModelLoadError(
            f"model {where}: column {name} has type {kind}: psystock scores numeric columns "
            f"only ({', '.join(sorted(NUMERIC_TYPES))})"
        )
    return ColumnSpec(name=name, type=str(kind), required=bool(spec.get("required", True)))


def _tensor_schema(specs: list[dict[str, Any]], where: str) -> InputSchema:
    if len(specs) != 1:
        raise ModelLoadError(f"model {where}: expected one input tensor, got {len(specs)}")
    tensor = specs[0].get("tensor-spec", {})
    dtype = str(tensor.get("dtype"))
    if dtype not in _TENSOR_TYPES:
        raise ModelLoadError(
            f"model {where}: input tensor has dtype {dtype}: psystock scores numeric tensors only"
        )
    shape = tensor.get("shape") or []
    width = shape[-1] if len(shape) == 2 and isinstance(shape[-1], int) else -1
    if width < 0:
        return InputSchema((), is_positional=True)
    return InputSchema(
        tuple(ColumnSpec(None, _TENSOR_TYPES[dtype]) for _ in range(width)), is_positional=True
    )
