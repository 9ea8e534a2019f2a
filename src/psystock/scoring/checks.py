"""Check that numeric values fit their signature type, and word the error when they do not.

A value is bad when it is not a finite number in a required column (NaN, an empty cell, a
string that is not a number), is infinite, is not whole in a ``long``/``integer`` column, or
is not 0/1 in a ``boolean`` column.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from psystock.errors import SchemaError
from psystock.scoring.schema import BOOLEAN_TYPE, INTEGER_TYPES

NUMBER = "a number"


def bad_values(values: np.ndarray, kind: str, required: bool) -> np.ndarray | None:
    """A boolean mask of the bad entries of a float64 column, or None when all are good."""
    finite = np.isfinite(values)
    bad = ~finite if required else np.isinf(values)
    if kind in INTEGER_TYPES:
        with np.errstate(invalid="ignore"):
            bad |= finite & (values != np.floor(values))
    elif kind == BOOLEAN_TYPE:
        bad |= finite & (values != 0) & (values != 1)
    return bad if bad.any() else None


def expected_for(kind: str, value: Any) -> str:
    """What a bad ``value`` of a ``kind`` column should have been, for the message."""
    number = _as_float(value)
    if number is None or not math.isfinite(number):
        return NUMBER
    if kind in INTEGER_TYPES:
        return "an integer"
    if kind == BOOLEAN_TYPE:
        return "0 or 1"
    return NUMBER


def shown(value: Any) -> Any:
    """``value`` as a message shows it: strings quoted, missing values as ``null``."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def cell_error(row: int, column: str | int, kind: str, value: Any) -> SchemaError:
    """The ``row R, column C: expected E, got G`` error of one bad cell."""
    return SchemaError(expected_for(kind, value), shown(value), row=row, column=column)


def _as_float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
