"""A fast path for the commonest CSV block: fixed-width lines of unsigned integers.

The book's ``input.csv`` is fourteen 0/1 digits per line, so every line has the same width
and its commas at the same places. Such a block is a (rows x width) numpy byte matrix:
each field is a fixed slice, parsed with integer arithmetic, and each output line is the
input line with ``,prediction,probability`` appended: no CSV parser, no number formatting
of the input. A block that does not fit (a wider or signed number, a space, a CR, a wrong
column count...) takes the general pyarrow path, which gives the same results.

``probability_text`` formats probabilities in [0, 1] with 8 decimals (float32 carries about
7 significant digits); both paths use it for CSV output, so a file reads the same whatever
path each block took.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_DIGITS = 9
"""Widest field read here (fits in int64 with room to spare)."""
PROBABILITY_DECIMALS = 8
PROBABILITY_WIDTH = PROBABILITY_DECIMALS + 2  # "0." or "1."
_COMMA, _NEWLINE, _ZERO, _NINE, _DOT = 44, 10, 48, 57, 46
_PLACES = 10 ** np.arange(PROBABILITY_DECIMALS - 1, -1, -1, dtype=np.int64)


@dataclass(frozen=True)
class FixedWidthRows:
    """A block of same-layout lines.

    Attributes:
        lines: (rows x width) bytes, each line with its newline.
        values: (rows x columns) field values, unsigned integers (uint8 for one digit).
    """

    lines: np.ndarray
    values: np.ndarray


def read_fixed_width(block: bytes, n_columns: int) -> FixedWidthRows | None:
    """The block as fixed-width rows of ``n_columns`` unsigned integers, or None."""
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
    if ((ends - starts) < 1).any() or ((ends - starts) > MAX_DIGITS).any():
        return None
    if not (body[:, is_comma] == _COMMA).all():
        return None
    digits = body[:, ~is_comma]
    if ((digits < _ZERO) | (digits > _NINE)).any():
        return None
    values = np.zeros((len(lines), n_columns), dtype=np.int64)
    for column, (start, end) in enumerate(zip(starts, ends, strict=True)):
        for position in range(start, end):
            values[:, column] = values[:, column] * 10 + (body[:, position] - _ZERO)
    return FixedWidthRows(lines, values)


def _read_one_digit_fields(lines: np.ndarray) -> FixedWidthRows | None:
    """The book's layout, one digit per field, checked and read through strided views."""
    digits = lines[:, 0::2] - np.uint8(_ZERO)  # below '0' wraps around to large values
    if not (
        (lines[:, 1:-1:2] == _COMMA).all()
        and (lines[:, -1] == _NEWLINE).all()
        and (digits <= 9).all()
    ):
        return None
    return FixedWidthRows(lines, digits)


def probability_text(probabilities: np.ndarray) -> np.ndarray | None:
    """(rows x 10) bytes ``0.xxxxxxxx``, or None when a value is outside [0, 1] or NaN."""
    values = np.asarray(probabilities, dtype=np.float64)
    if not ((values >= 0) & (values <= 1)).all():
        return None
    scaled = np.rint(values * 10**PROBABILITY_DECIMALS).astype(np.int64)
    text = np.empty((len(values), PROBABILITY_WIDTH), dtype=np.uint8)
    text[:, 0] = _ZERO + scaled // 10**PROBABILITY_DECIMALS
    text[:, 1] = _DOT
    fraction = (scaled % 10**PROBABILITY_DECIMALS)[:, None]
    text[:, 2:] = _ZERO + (fraction // _PLACES) % 10
    return text


def output_lines(
    rows: FixedWidthRows, decisions: np.ndarray, probabilities: np.ndarray
) -> bytes | None:
    """Each input line with ``,decision,probability`` appended, or None (see above)."""
    text = probability_text(probabilities)
    if text is None:
        return None
    count, width = rows.lines.shape
    out = np.empty((count, width + 3 + PROBABILITY_WIDTH), dtype=np.uint8)
    out[:, : width - 1] = rows.lines[:, :-1]
    out[:, width - 1] = _COMMA
    out[:, width] = _ZERO + np.asarray(decisions, dtype=np.uint8)
    out[:, width + 1] = _COMMA
    out[:, width + 2 : width + 2 + PROBABILITY_WIDTH] = text
    out[:, -1] = _NEWLINE
    return out.tobytes()
