"""Every cell of a JSON request must be one value of its column's type.

JSON lets a cell be anything: a list (``[1, 2]``, ``[]``, ``[1]``, ``[[0]]``), an object, a
boolean or a string. numpy would broadcast some of those into a matrix (``[1]`` taken as 1)
and fail on others deep inside the model, so they are refused here, for every route and row
count, with the row and column named. A cell that feeds the model is a JSON number (or null,
for an optional column); a boolean only in a column the signature types ``boolean``. A
numeric string (``"1"``) is refused as MLflow's schema enforcement refuses it for ``long`` and
``double`` columns, so the OpenAPI description (numbers) and the server agree. A column the
model ignores (an extra one, matched by name) may hold any single value.

The common case costs one pass in C: the set of the cells' types is built with ``map`` and
``chain``; only when it holds something other than numbers and null are the rows walked to
name the first bad cell.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from psystock.errors import PayloadError
from psystock.scoring import LoadedModel, ModelInput
from psystock.scoring.columns import ColumnPlan
from psystock.scoring.schema import BOOLEAN_TYPE
from psystock.serving.payloads import ParsedPayload, describe

_NUMBERS: frozenset[type] = frozenset({int, float, type(None)})
_NUMBERS_AND_BOOLEANS: frozenset[type] = _NUMBERS | {bool}
_SCALARS: frozenset[type] = _NUMBERS | {str, bool}


def check_cells(payload: ParsedPayload, model: LoadedModel) -> None:
    """Refuse a request whose cells are not single values of their column's type.

    Raises:
        PayloadError: e.g. ``dataframe_split.data row 1, column 3: expected a number, got a
            list of 2 values``; carries ``row`` and ``column``.
        SchemaError: the columns do not fit the model (while mapping them).
    """
    model_input = payload.model_input
    if not isinstance(model_input, ModelInput) or not isinstance(model_input.values, list):
        return  # CSV as Arrow columns, or a numpy array: no JSON cells
    values = model_input.values
    kinds = set(map(type, chain.from_iterable(values)))
    if kinds <= _NUMBERS:
        return
    allowed = _allowed_kinds(model_input, model)
    columns = model_input.columns
    for row_number, row in enumerate(values, start=1):
        for position, cell in enumerate(row):
            kind = type(cell)
            if kind in (allowed[position] if position < len(allowed) else _SCALARS):
                continue
            column: str | int = columns[position] if columns is not None else position
            expected, got = _expected(kind), _shown(cell)
            raise PayloadError(
                f"{payload.source} row {row_number}, column {column}: expected {expected},"
                f" got {got}",
                row=row_number,
                column=column,
                expected=expected,
                got=got,
            )


def _allowed_kinds(model_input: ModelInput, model: LoadedModel) -> list[frozenset[type]]:
    """The cell types each given column may hold: numbers where it feeds the model."""
    width = len(model_input.columns) if model_input.columns else len(model_input.values[0])
    plan: ColumnPlan = model.plan(model_input.columns, width)
    allowed = [_SCALARS] * width
    for source, kind in zip(plan.sources, plan.types, strict=True):
        if source is not None and source < width:
            allowed[source] = _NUMBERS_AND_BOOLEANS if kind == BOOLEAN_TYPE else _NUMBERS
    return allowed


def _expected(kind: type) -> str:
    return "a number (true and false only in boolean columns)" if kind is bool else "a number"


def _shown(cell: Any) -> str:
    return ("true" if cell else "false") if isinstance(cell, bool) else describe(cell)
