"""Turn an Arrow record batch (a CSV block, a Parquet row group) into a checked matrix.

Numeric Arrow columns convert without copying through Python; string columns (a CSV block
re-read as text because a value did not parse) are cast in one call when they can be, and
only otherwise converted cell by cell to find the bad ones. With ``collect=True`` bad rows are
set aside with their error (for a quarantine file) instead of stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.errors import SchemaError
from psystock.scoring.checks import bad_values, cell_error
from psystock.scoring.columns import ColumnPlan
from psystock.scoring.inputs import PreparedInput

if TYPE_CHECKING:
    import pyarrow as pa

ArrowPlanner = Callable[[tuple[str, ...] | None, int], ColumnPlan]


@dataclass(frozen=True)
class ArrowPrepared:
    """The good rows of a batch, ready to score, and what was wrong with the others.

    Attributes:
        prepared: the good rows, mapped onto the model's columns.
        values: each model column of the good rows as float64 (exact, unlike a float32
            matrix), None for an optional column that was not given.
        kept: a mask over the batch's rows of the rows in ``prepared``; None when all are.
        errors: one error per bad row (its first bad cell), in row order.
        bad_rows: 0-based indices of the bad rows in the batch.
    """

    prepared: PreparedInput
    values: tuple[np.ndarray | None, ...]
    kept: np.ndarray | None
    errors: tuple[SchemaError, ...]
    bad_rows: tuple[int, ...]


def matrix_from_arrow(
    batch: pa.RecordBatch | pa.Table,
    plan: ColumnPlan,
    dtype: type[np.floating[Any]],
    *,
    row_numbers: np.ndarray | None = None,
    collect: bool = False,
) -> ArrowPrepared:
    """Map a record batch onto the model's columns and check every value.

    Args:
        batch: the rows; its column order is what ``plan.sources`` indexes.
        plan: the column plan (from the batch's column names).
        dtype: the matrix's float type.
        row_numbers: the 1-based row number of each batch row, for messages (default 1..n).
        collect: set bad rows aside instead of raising at the first.

    Raises:
        SchemaError: with ``collect=False``, naming the first bad row and column.
    """
    n_rows = batch.num_rows
    numbers = row_numbers if row_numbers is not None else np.arange(1, n_rows + 1)
    columns: list[np.ndarray | None] = []
    masks: list[np.ndarray | None] = []
    for position, source in enumerate(plan.sources):
        if source is None:
            columns.append(None)
            masks.append(None)
            continue
        first = int(numbers[0]) if n_rows else 1
        values, unparsed = _float_column(batch.column(source), plan, position, first)
        columns.append(values)
        bad = bad_values(values, plan.types[position], plan.required[position])
        masks.append(unparsed if bad is None else (bad if unparsed is None else bad | unparsed))
    row_bad = _rows_with_problems(masks, n_rows)
    errors: list[SchemaError] = []
    bad_rows: tuple[int, ...] = ()
    if row_bad is not None:
        bad_rows = tuple(int(i) for i in np.flatnonzero(row_bad))
        limit = None if collect else 1
        for index in bad_rows[:limit]:
            position = next(p for p, m in enumerate(masks) if m is not None and m[index])
            source = plan.sources[position]
            value = batch.column(source)[index].as_py()
            errors.append(
                cell_error(int(numbers[index]), plan.labels[position], plan.types[position], value)
            )
        if not collect:
            raise errors[0]
    kept = None if row_bad is None else ~row_bad
    good = [None if c is None else (c if kept is None else c[kept]) for c in columns]
    rows = n_rows if kept is None else int(kept.sum())
    matrix = np.empty((rows, len(plan.sources)), dtype=dtype)
    for position, column in enumerate(good):
        matrix[:, position] = np.nan if column is None else column
    prepared = PreparedInput(matrix, plan.names, plan.types)
    return ArrowPrepared(prepared, tuple(good), kept, tuple(errors), bad_rows)


def _float_column(
    array: Any, plan: ColumnPlan, position: int, first_row: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """The column as float64 (missing values NaN) and a mask of cells that are not numbers."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        floats = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
        return np.asarray(floats, dtype=np.float64), None
    if pa.types.is_null(kind):
        return np.full(len(array), np.nan), None
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise SchemaError(
            "a numeric column", f"{kind} values", row=first_row, column=plan.labels[position]
        )
    trimmed = pc.utf8_trim_whitespace(array)
    try:
        floats = pc.cast(trimmed, pa.float64())
        return np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Some cell is not a number: convert cell by cell. Empty cells are missing (NaN: an error
    # in a required column, allowed in an optional one); any other text is always an error.
    cells = trimmed.to_pylist()
    values = np.empty(len(cells), dtype=np.float64)
    unparsed = np.zeros(len(cells), dtype=bool)
    for index, cell in enumerate(cells):
        number = _to_float(cell)
        unparsed[index] = number is None
        values[index] = np.nan if number is None else number
    return values, unparsed


def _to_float(cell: str | None) -> float | None:
    """The number in ``cell``; NaN when empty or null; None when it is not a number."""
    if cell is None or cell == "":
        return float("nan")
    try:
        return float(cell)
    except ValueError:
        return None


def _rows_with_problems(masks: list[np.ndarray | None], n_rows: int) -> np.ndarray | None:
    found = [mask for mask in masks if mask is not None]
    if not found:
        return None
    combined = np.zeros(n_rows, dtype=bool)
    for mask in found:
        combined |= mask
    return combined
