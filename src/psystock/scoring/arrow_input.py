"""Turn an Arrow record batch (a CSV block, a Parquet row group) into a checked matrix.

Numeric Arrow columns are copied chunk by chunk straight into the matrix from zero-copy
numpy views, and integer columns without nulls skip the checks they cannot fail: the batch
job's memory stays close to one block. String columns (a CSV block re-read as text because
a value did not parse) are cast in one call when they can be, and only otherwise converted
cell by cell to find the bad ones. With ``collect=True`` bad rows are set aside with their
error (for a quarantine file) instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.errors import SchemaError
from psystock.scoring.arrow_arrays import numpy_values
from psystock.scoring.checks import bad_values, cell_error
from psystock.scoring.columns import ColumnPlan
from psystock.scoring.inputs import PreparedInput
from psystock.scoring.schema import BOOLEAN_TYPE, INTEGER_TYPES

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class ArrowPrepared:
    """The good rows of a batch, ready to score, and what was wrong with the others.

    Attributes:
        prepared: the good rows, mapped onto the model's columns.
        values: for each model column read from text, its numbers for the good rows (int64
            when all were whole numbers, else float64: exact, unlike a float32 matrix); None
            for columns that were numeric already (use the batch's column) or not given.
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
    first_row = int(numbers[0]) if n_rows else 1
    matrix = np.empty((n_rows, len(plan.sources)), dtype=dtype)
    masks: list[np.ndarray | None] = []
    texts: list[np.ndarray | None] = []
    for position, source in enumerate(plan.sources):
        column = matrix[:, position]
        if source is None:
            column[:] = np.nan
            masks.append(None)
            texts.append(None)
            continue
        kind, required = plan.types[position], plan.required[position]
        mask, text = _fill(
            batch.column(source), column, kind, required, plan.labels[position], first_row
        )
        masks.append(mask)
        texts.append(text)
    row_bad = _rows_with_problems(masks, n_rows)
    if row_bad is None:
        return ArrowPrepared(
            PreparedInput(matrix, plan.names, plan.types), tuple(texts), None, (), ()
        )
    bad_rows = tuple(int(i) for i in np.flatnonzero(row_bad))
    errors = []
    for index in bad_rows if collect else bad_rows[:1]:
        position = next(p for p, m in enumerate(masks) if m is not None and m[index])
        value = batch.column(plan.sources[position])[index].as_py()
        errors.append(
            cell_error(int(numbers[index]), plan.labels[position], plan.types[position], value)
        )
    if not collect:
        raise errors[0]
    kept = ~row_bad
    good = PreparedInput(np.ascontiguousarray(matrix[kept]), plan.names, plan.types)
    kept_texts = tuple(None if t is None else t[kept] for t in texts)
    return ArrowPrepared(good, kept_texts, kept, tuple(errors), bad_rows)


def _fill(
    array: Any, out: np.ndarray, kind: str, required: bool, label: str | int, first_row: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Write ``array`` into ``out``; return the mask of bad cells and, for text, the floats."""
    import pyarrow as pa

    arrow_type = array.type
    if (
        pa.types.is_integer(arrow_type)
        or pa.types.is_floating(arrow_type)
        or pa.types.is_boolean(arrow_type)
    ):
        return _fill_numeric(array, out, kind, required), None
    if pa.types.is_null(arrow_type):
        out[:] = np.nan
        return (np.ones(len(out), dtype=bool) if required else None), None
    if not (pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)):
        raise SchemaError("a numeric column", f"{arrow_type} values", row=first_row, column=label)
    values, unparsed = _text_to_numbers(array, kind)
    out[:] = values
    # Text that parsed as integers needs no further check unless the column is boolean.
    is_whole = values.dtype.kind == "i" and kind != BOOLEAN_TYPE
    bad = None if is_whole else bad_values(values.astype(np.float64, copy=False), kind, required)
    if unparsed is not None:
        bad = unparsed if bad is None else bad | unparsed
    return bad, values


def _fill_numeric(array: Any, out: np.ndarray, kind: str, required: bool) -> np.ndarray | None:
    import pyarrow as pa

    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    masks: list[tuple[int, np.ndarray]] = []
    offset = 0
    for chunk in chunks:
        size = len(chunk)
        values = numpy_values(chunk)  # zero-copy without nulls; nulls become NaN
        out[offset : offset + size] = values
        # Whole numbers without nulls cannot be missing, infinite or fractional.
        if not (pa.types.is_integer(chunk.type) and chunk.null_count == 0 and kind != BOOLEAN_TYPE):
            bad = bad_values(np.asarray(values, dtype=np.float64), kind, required)
            if bad is not None:
                masks.append((offset, bad))
        offset += size
    if not masks:
        return None
    combined = np.zeros(len(out), dtype=bool)
    for start, bad in masks:
        combined[start : start + len(bad)] = bad
    return combined


def _text_to_numbers(array: Any, kind: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Text as numbers (missing values NaN) and a mask of cells that are not numbers.

    Integer columns are tried as int64 first (the common case, no checks needed), then any
    column as float64, then with surrounding spaces trimmed, and only then cell by cell.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    targets = [pa.float64()]
    if kind in INTEGER_TYPES or kind == BOOLEAN_TYPE:
        targets.insert(0, pa.int64())
    if kind == BOOLEAN_TYPE:
        targets.insert(0, pa.bool_())  # also "true"/"false"
    for target in targets:
        numbers = _cast_or_none(array, target)
        if numbers is not None:
            return numbers, None
    trimmed = pc.utf8_trim_whitespace(array)
    numbers = _cast_or_none(trimmed, pa.float64())
    if numbers is not None:
        return numbers, None
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


def _cast_or_none(text: Any, target: Any) -> np.ndarray | None:
    """``text`` cast to ``target`` as numpy, None when some cell does not convert."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        numbers = pc.cast(text, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    chunks = numbers.chunks if isinstance(numbers, pa.ChunkedArray) else [numbers]
    parts = [numpy_values(chunk) for chunk in chunks]
    return np.concatenate(parts) if parts else np.empty(0)


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
