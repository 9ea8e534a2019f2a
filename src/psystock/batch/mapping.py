"""Map an input's columns onto the model's, or say exactly how to make them fit.

By name when the input names its columns (a CSV header, Parquet), by position otherwise or
with ``--by-position``. When names do not fit, the error lists the columns the model expects
and the ways out: rename the input's columns, ``--by-position`` (when the input has enough
columns), ``--no-header`` (a CSV whose first row may be data), or dropping ``--header`` (a
forced header that looks like a data row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psystock.errors import InputError, SchemaError
from psystock.scoring.columns import ColumnPlan, listing
from psystock.scoring.csv_text import is_header
from psystock.scoring.model import LoadedModel
from psystock.scoring.schema import InputSchema

_SHOWN_FIELDS = 6


@dataclass(frozen=True)
class InputColumns:
    """The columns of an opened input, as the job will map them.

    Attributes:
        source: the input as messages name it.
        names: the input's column names (``"0"``, ``"1"``... without a header).
        positional: map by position (no header, or ``--by-position``).
        header: for a CSV, the ``--header/--no-header`` choice (None: detected); None for
            Parquet, whose columns always have names.
        is_csv: whether the input is a CSV (the advice mentions its header).
    """

    source: str
    names: tuple[str, ...]
    positional: bool
    header: bool | None = None
    is_csv: bool = True


def map_columns(model: LoadedModel, columns: InputColumns) -> ColumnPlan:
    """The model's column plan for ``columns``.

    Raises:
        SchemaError: without names, the column count differs from the model's.
        InputError: the names do not fit the model; the message says how to make them fit.
    """
    if columns.positional:
        return model.plan(None, len(columns.names))
    try:
        return model.plan(columns.names, len(columns.names))
    except SchemaError as exc:
        schema = model.schema
        if schema is None or schema.is_positional:
            raise  # the column count differs; names play no part
        raise InputError(_advice(schema, columns, exc)) from exc


def _advice(schema: InputSchema, columns: InputColumns, error: SchemaError) -> str:
    expected = [column.key for column in schema.columns]
    given = list(columns.names)
    if columns.is_csv and columns.header and not is_header(given, schema):
        shown = ",".join(given[:_SHOWN_FIELDS]) + (",..." if len(given) > _SHOWN_FIELDS else "")
        return (
            f"input {columns.source}: --header was given, but its first row ({shown}) looks "
            f"like data, not like the model's {listing(expected)}: drop --header to score it "
            "as a row"
        )
    if len(set(given)) != len(given):
        return f"input {columns.source}: {error.message}"
    required = [column.key for column in schema.columns if column.required]
    missing = [name for name in required if name not in given]
    found = "none of them" if len(missing) == len(required) else f"missing {_names(missing)}"
    where = "its header names" if columns.is_csv else "its columns are"
    ways = ["Rename the input's columns to the model's"]
    if len(given) >= len(expected):
        ways.append(f"pass --by-position to use its first {len(expected)} columns in order")
    if columns.is_csv and columns.header is None:
        ways.append("pass --no-header if its first row is data")
    return (
        f"input {columns.source}: the model expects {listing(expected)} (by name, in any "
        f"order; other columns are ignored); {where} {_names(given)} ({found}). "
        + _one_of(ways)
        + "."
    )


def _names(given: Sequence[str]) -> str:
    return listing(list(given)).partition(" ")[2] or "no columns"


def _one_of(ways: list[str]) -> str:
    if len(ways) == 1:
        return ways[0]
    return ", ".join(ways[:-1]) + ", or " + ways[-1]
