"""Carry a psystock error from a Python worker to the driver through Spark's exception.

A worker's exception reaches the driver as Spark's own (a ``PythonException`` inside a job
failure) whose text holds the worker's traceback. ``RemoteError`` puts the psystock error in
that text as one tagged JSON object; ``find_remote_error`` reads it back, so the driver
raises the same error class with the same message (and fields), renumbering the row when
the worker only knew its place within an input split.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from psystock import errors
from psystock.errors import PsystockError, SchemaError

_START, _END = "<psystock-error>", "</psystock-error>"
_TAGGED = re.compile(re.escape(_START) + r"(.*?)" + re.escape(_END), re.DOTALL)


class RemoteError(Exception):
    """A psystock error raised in a Python worker, tagged for the driver to find."""

    def __init__(self, error: PsystockError, split: tuple[int, int] | None = None) -> None:
        fields: dict[str, Any] = {"type": type(error).__name__, "message": error.message}
        if isinstance(error, SchemaError):
            fields.update(
                expected=error.expected, got=_plain(error.got), row=error.row, column=error.column
            )
        if split is not None:
            fields["split"] = list(split)
        super().__init__(f"{_START}{json.dumps(fields)}{_END}")


@dataclass(frozen=True)
class FoundError:
    """A psystock error found in a Spark exception.

    Attributes:
        error: the error as the worker raised it (rows numbered within the split).
        split: the input split it came from (file key, block start), when known.
    """

    error: PsystockError
    split: tuple[int, int] | None

    def renumbered(self, rows_before: int, prefix: str = "") -> PsystockError:
        """The error with its row counted from the start of the file, ``prefix`` first."""
        error = self.error
        if isinstance(error, SchemaError) and error.row is not None:
            error = SchemaError(
                error.expected, error.got, row=error.row + rows_before, column=error.column
            )
        return rebuilt(type(error), prefix + error.message, error) if prefix else error


def find_remote_error(exc: BaseException) -> FoundError | None:
    """The psystock error tagged in a Spark exception's text, None when there is none."""
    match = _TAGGED.search(str(exc))
    if match is None:
        return None
    fields = json.loads(match.group(1))
    kind = getattr(errors, fields["type"], PsystockError)
    if not (isinstance(kind, type) and issubclass(kind, PsystockError)):
        kind = PsystockError
    error: PsystockError
    if issubclass(kind, SchemaError):
        error = SchemaError(
            fields["expected"], fields["got"], row=fields["row"], column=fields["column"]
        )
    else:
        error = rebuilt(kind, fields["message"])
    split = (int(fields["split"][0]), int(fields["split"][1])) if "split" in fields else None
    return FoundError(error, split)


def rebuilt(
    kind: type[PsystockError], message: str, like: PsystockError | None = None
) -> PsystockError:
    """An error of class ``kind`` with ``message`` (constructors differ: set it directly)."""
    error = kind.__new__(kind)
    PsystockError.__init__(error, message, **(like.details if like is not None else {}))
    return error


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
