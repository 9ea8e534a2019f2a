"""Every cell of a JSON request must be one value: a number, a numeric string or null.

JSON lets a cell be anything: a list (``[1, 2]``, ``[]``, ``[1]``, ``[[0]]``), an object or a
boolean. numpy would broadcast some of those into a matrix (``[1]`` taken as 1) and fail on
others deep inside the model, so they are refused here, for every route and row count, with
the row and column named. A boolean is a value only in a column the model's signature types
``boolean``: elsewhere it is refused on every route alike, as MLflow's schema enforcement
refuses ``bool`` for ``long`` and ``double`` columns.

The common case costs one pass in C: the set of the cells' types is built with ``map`` and
``chain``; only when it holds something other than numbers and strings are the rows walked to
name the first bad cell.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from psystock.errors import PayloadError
from psystock.scoring import LoadedModel, ModelInput
from psystock.scoring.schema import BOOLEAN_TYPE
from psystock.serving.payloads import ParsedPayload, describe

_VALUES = frozenset({int, float, str, type(None)})


def check_cells(payload: ParsedPayload, model: LoadedModel) -> None:
    """Refuse a request whose cells are not single values (booleans: in boolean columns only).

    Raises:
        PayloadError: e.g. ``dataframe_split.data row 1, column 3: expected a number, got a
            list of 2 values``; carries ``row`` and ``column``.
        SchemaError: the columns do not fit the model (while looking for boolean columns).
    """
    model_input = payload.model_input
    if not isinstance(model_input, ModelInput) or not isinstance(model_input.values, list):
        return  # CSV as Arrow columns, or a numpy array: no JSON cells
    values = model_input.values
    kinds = set(map(type, chain.from_iterable(values)))
    if kinds <= _VALUES:
        return
    boolean_sources = _boolean_sources(model_input, model) if bool in kinds else frozenset()
    columns = model_input.columns
    for row_number, row in enumerate(values, start=1):
        for position, cell in enumerate(row):
            kind = type(cell)
            if kind in _VALUES or (kind is bool and position in boolean_sources):
                continue
            column: str | int = columns[position] if columns is not None else position
            raise PayloadError(
                f"{payload.source} row {row_number}, column {column}: expected"
                f" {_expected(kind)}, got {_shown(cell)}",
                row=row_number,
                column=column,
            )


def _boolean_sources(model_input: ModelInput, model: LoadedModel) -> frozenset[int]:
    """The given columns that feed a ``boolean`` column of the model."""
    width = len(model_input.columns) if model_input.columns else len(model_input.values[0])
    plan = model.plan(model_input.columns, width)
    return frozenset(
        source
        for source, kind in zip(plan.sources, plan.types, strict=True)
        if source is not None and kind == BOOLEAN_TYPE
    )


def _expected(kind: type) -> str:
    return "a number (true and false only in boolean columns)" if kind is bool else "a number"


def _shown(cell: Any) -> str:
    return ("true" if cell else "false") if isinstance(cell, bool) else describe(cell)
