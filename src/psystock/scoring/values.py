"""Turn a ``ModelInput`` (a numpy array or rows of numbers/strings) into a checked matrix.

The common case, every cell already a number or a numeric string, is converted by numpy in
one call; only when that fails are the needed columns converted one by one to find the first
bad cell. Whole numbers mapped column for column (a JSON request of integers) need no check
at all and are cast in one call. Rows are numbered from 1 in messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from psystock.errors import SchemaError
from psystock.scoring.checks import bad_values, cell_error
from psystock.scoring.columns import ColumnPlan
from psystock.scoring.inputs import ModelInput
from psystock.scoring.schema import BOOLEAN_TYPE

Planner = Callable[[tuple[str, ...] | None, int], ColumnPlan]
"""Builds the column plan from the given column names and column count."""


def matrix_from_input(
    model_input: ModelInput, planner: Planner, dtype: type[np.floating[Any]]
) -> tuple[np.ndarray, ColumnPlan]:
    """Map ``model_input`` onto the model's columns and check every value.

    Args:
        model_input: the rows to score.
        planner: maps given columns onto the model's (see ``plan_columns``).
        dtype: the matrix's float type.

    Returns:
        The C-contiguous rows x model-columns matrix and the plan used.

    Raises:
        SchemaError: naming the first bad row/column (rows from 1).
    """
    values = model_input.values
    if len(values) == 0:
        raise SchemaError("at least one row", "no rows")
    n_given = _column_count(values, model_input.columns)
    plan = planner(model_input.columns, n_given)
    whole, is_integral = _as_number_array(values)
    if whole is not None and is_integral and _is_plain_copy(whole, plan):
        return np.ascontiguousarray(whole, dtype=dtype), plan
    n_rows = len(values)
    matrix = np.empty((n_rows, len(plan.sources)), dtype=dtype)
    for position, source in enumerate(plan.sources):
        if source is None:
            matrix[:, position] = np.nan
            continue
        column = whole[:, source] if whole is not None else _column(values, source, plan, position)
        kind = plan.types[position]
        if column.dtype.kind in "iu" and kind != BOOLEAN_TYPE:
            matrix[:, position] = column  # whole numbers: nothing can be missing or fractional
            continue
        bad = bad_values(column.astype(np.float64, copy=False), kind, plan.required[position])
        if bad is not None:
            row = int(np.argmax(bad))
            raise cell_error(
                row + 1, plan.labels[position], plan.types[position], _cell(values, row, source)
            )
        matrix[:, position] = column
    return matrix, plan


def _is_plain_copy(whole: np.ndarray, plan: ColumnPlan) -> bool:
    """Columns mapped one for one and none boolean: whole numbers need no check."""
    return plan.sources == tuple(range(whole.shape[1])) and BOOLEAN_TYPE not in plan.types


def _column_count(
    values: np.ndarray | Sequence[Sequence[Any]], columns: tuple[str, ...] | None
) -> int:
    if isinstance(values, np.ndarray):
        if values.ndim != 2:
            raise SchemaError("rows of columns (2-D values)", f"{values.ndim}-D values")
        return int(values.shape[1])
    width: int | None = None
    for number, row in enumerate(values, start=1):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence | np.ndarray):
            raise SchemaError("a row of values", repr(row), row=number)
        if width is None:
            width = len(columns) if columns is not None else len(row)
        if len(row) != width:
            raise SchemaError(f"{width} columns", len(row), row=number)
    return width or 0


def _as_number_array(
    values: np.ndarray | Sequence[Sequence[Any]],
) -> tuple[np.ndarray | None, bool]:
    """All cells as numbers in one numpy call (None if one is not numeric); whether all are whole.

    Numeric arrays are used as they are (integers stay integers). Rows of Python values
    become float64; when numpy finds only integers among them (the usual JSON request) they
    are converted from the integer array, which gives the same float64 values as converting
    each cell (both round to nearest), and need no check of each column afterwards.
    """
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "biuf":
            return values, values.dtype.kind in "iu"
    else:
        inferred = _inferred_array(values)
        if inferred is not None and inferred.dtype.kind in "iu":
            return inferred.astype(np.float64), True
        if inferred is not None and inferred.dtype == np.float64:
            return inferred, False
    try:
        converted = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None, False
    return (converted, False) if converted.ndim == 2 else (None, False)


def _inferred_array(values: Sequence[Sequence[Any]]) -> np.ndarray | None:
    """The rows as the 2-D array numpy infers from them, or None.

    Booleans among integers become 0 and 1, as a float conversion takes them.
    """
    try:
        inferred = np.asarray(values)
    except (TypeError, ValueError, OverflowError):
        return None
    return inferred if inferred.ndim == 2 else None


def _column(
    values: np.ndarray | Sequence[Sequence[Any]], source: int, plan: ColumnPlan, position: int
) -> np.ndarray:
    cells = values[:, source] if isinstance(values, np.ndarray) else [row[source] for row in values]
    try:
        return np.asarray(cells, dtype=np.float64)
    except (TypeError, ValueError):
        pass
    out = np.empty(len(cells), dtype=np.float64)
    for row, cell in enumerate(cells):
        number = _to_float(cell)
        if number is None:
            raise cell_error(row + 1, plan.labels[position], plan.types[position], cell)
        out[row] = number
    return out


def _to_float(cell: Any) -> float | None:
    """The number in ``cell``; NaN when empty or null; None when it is not a number."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return float("nan")
    try:
        return float(cell)
    except (TypeError, ValueError):
        return None


def _cell(values: np.ndarray | Sequence[Sequence[Any]], row: int, source: int) -> Any:
    return values[row, source] if isinstance(values, np.ndarray) else values[row][source]
