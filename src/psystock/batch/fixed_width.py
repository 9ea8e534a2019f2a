"""The fast path of the commonest CSV: fixed-width lines of unsigned integers, both ways.

**Reading** (``read_fixed_width``, used by the CSV reader). The book's ``input.csv`` is
fourteen 0/1 digits per line, so every line has the same width and its commas at the same
places. Such a block is a (rows x width) numpy byte matrix: each field is a fixed slice,
parsed with integer arithmetic, no CSV parser. A block that does not fit (a wider or signed
number, a leading zero, a space, a CR, a wrong column count...) is parsed by pyarrow, which
gives the same values.

**Writing** (``digit_lines``, used by the CSV writer). A scored table whose input columns
hold one-digit integers (0 to 9) and whose probabilities are in [0, 1] is written as lines
built in one numpy byte matrix: no number formatting. Others are written by pyarrow.

``probability_text`` formats probabilities in [0, 1] with 8 decimals (float32 carries about
7 significant digits) through a table of 4-digit groups; the CSV writer uses it on both of
its paths, so a file reads the same whatever path each block took.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.scoring.arrow_arrays import arrow_array, numpy_values

if TYPE_CHECKING:
    import pyarrow as pa

MAX_DIGITS = 9
"""Widest field read here (fits in int64 with room to spare)."""
PROBABILITY_DECIMALS = 8
PROBABILITY_WIDTH = PROBABILITY_DECIMALS + 2  # "0." or "1."
_COMMA, _NEWLINE, _ZERO, _NINE, _DOT = 44, 10, 48, 57, 46
_GROUP = 10_000  # 4 decimals
_GROUP_WORDS = np.frombuffer(
    b"".join(f"{group:04d}".encode() for group in range(_GROUP)), dtype=np.uint32
)
_SCALE = 10**PROBABILITY_DECIMALS


def read_fixed_width(block: bytes, n_columns: int) -> np.ndarray | None:
    """(rows x ``n_columns``) unsigned integers of a fixed-width block, or None.

    One-digit fields come as uint8, wider ones as int64.
    """
    width = block.find(b"\n") + 1
    if width < 2 or len(block) % width:
        return None
    lines = np.frombuffer(block, dtype=np.uint8).reshape(-1, width)
    if width == 2 * n_columns:
        return _read_one_digit_fields(lines)
    body = lines[:, :-1]
    is_comma = lines[0, :-1] == _COMMA
    commas = np.flatnonzero(is_comma)
    if len(commas) != n_columns - 1 or not (lines[:, -1] == _NEWLINE).all():
        return None
    starts = np.concatenate(([0], commas + 1))
    ends = np.concatenate((commas, [width - 1]))
    sizes = ends - starts
    if (sizes < 1).any() or (sizes > MAX_DIGITS).any():
        return None
    if not (body[:, is_comma] == _COMMA).all():
        return None
    digits = body[:, ~is_comma]
    if ((digits < _ZERO) | (digits > _NINE)).any():
        return None
    wide = starts[sizes > 1]
    if (body[:, wide] == _ZERO).any():
        return None  # a leading zero: the text would not survive a round trip through a number
    values = np.zeros((len(lines), n_columns), dtype=np.int64)
    for column, (start, end) in enumerate(zip(starts, ends, strict=True)):
        for position in range(start, end):
            values[:, column] = values[:, column] * 10 + (body[:, position] - _ZERO)
    return values


def _read_one_digit_fields(lines: np.ndarray) -> np.ndarray | None:
    """The book's layout, one digit per field, checked and read through strided views."""
    digits = lines[:, 0::2] - np.uint8(_ZERO)  # below '0' wraps around to large values
    if not (
        (lines[:, 1:-1:2] == _COMMA).all()
        and (lines[:, -1] == _NEWLINE).all()
        and (digits <= 9).all()
    ):
        return None
    return digits


def digit_lines(table: pa.Table) -> np.ndarray | None:
    """CSV lines (rows x width bytes) of a scored table of one-digit input columns, or None.

    The table's last two columns are ``prediction`` (0/1) and ``probability``.
    """
    *inputs, decisions, scores = table.columns
    text = probability_text(_column_values(scores))
    if text is None or not inputs:
        return None
    if not all(_is_integer(column) for column in inputs):
        return None
    digits = [_column_values(column) for column in [*inputs, decisions]]
    if not all(_is_one_digit(values) for values in digits):
        return None
    width = 2 * len(digits) + PROBABILITY_WIDTH + 1
    out = np.empty((table.num_rows, width), dtype=np.uint8)
    out[:] = _line_template(len(digits))
    for position, values in enumerate(digits):
        np.add(values, _ZERO, out=out[:, 2 * position], casting="unsafe")
    out[:, -1 - PROBABILITY_WIDTH : -1] = text
    return out


def probability_text(probabilities: np.ndarray) -> np.ndarray | None:
    """(rows x 10) bytes ``0.xxxxxxxx``, or None when a value is outside [0, 1] or NaN.

    The 8 decimals come as two 4-digit groups looked up as 4-byte words.
    """
    values = np.asarray(probabilities)
    if not ((values >= 0) & (values <= 1)).all():
        return None
    scaled = np.multiply(values, _SCALE, dtype=np.float64)
    np.rint(scaled, out=scaled)
    units = scaled.astype(np.int32)
    whole = units >= _SCALE
    fraction = units - whole * _SCALE
    high = fraction // _GROUP
    low = fraction - high * _GROUP
    words = np.empty((len(values), 3), dtype=np.uint32)  # "??0." + 4 digits + 4 digits
    words[:, 1] = _GROUP_WORDS[high]
    words[:, 2] = _GROUP_WORDS[low]
    text = words.view(np.uint8)
    text[:, 2] = _ZERO + whole
    text[:, 3] = _DOT
    return text[:, 2:]


def probability_strings(probabilities: np.ndarray) -> Any:
    """Probabilities as an Arrow string array: 8 decimals in [0, 1], pyarrow's text otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(probabilities)
    is_probability = (values >= 0) & (values <= 1)
    text = probability_text(np.where(is_probability, values, 0))
    assert text is not None  # every value is in [0, 1] now
    offsets = np.arange(len(values) + 1, dtype=np.int32) * PROBABILITY_WIDTH
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(text))]
    fixed = pa.Array.from_buffers(pa.string(), len(values), buffers)
    if is_probability.all():
        return fixed
    return pc.if_else(arrow_array(is_probability), fixed, pc.cast(arrow_array(values), pa.string()))


@functools.cache
def _line_template(digits: int) -> np.ndarray:
    """One output line with its commas, ``.`` and newline, the digits left as zeros."""
    line = np.full(2 * digits + PROBABILITY_WIDTH + 1, _ZERO, dtype=np.uint8)
    line[1 : 2 * digits : 2] = _COMMA
    line[2 * digits + 1] = _DOT
    line[-1] = _NEWLINE
    return line


def _is_integer(column: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(column.type) and not column.null_count)


def _is_one_digit(values: np.ndarray) -> bool:
    if values.size == 0:
        return True
    return bool(values.max() <= 9 and (values.dtype.kind == "u" or values.min() >= 0))


def _column_values(column: Any) -> np.ndarray:
    """A numeric column (chunked or not, no nulls) as one numpy array."""
    chunks = getattr(column, "chunks", [column])
    if len(chunks) == 1:
        return numpy_values(chunks[0])
    return np.concatenate([numpy_values(chunk) for chunk in chunks])
