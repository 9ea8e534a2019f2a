"""Map the columns of an input onto a model's columns, by name or by position.

- No names given (a headerless CSV, JSON ``instances``), a positional signature, or no
  signature: columns map by position and their count must match the model's.
- Names given and a named signature: each model column is looked up by name, where a given
  ``"3"`` matches a saved ``3`` (the book's integer names). Extra given columns are ignored,
  as MLflow's schema enforcement ignores them; a missing required column is an error naming
  the missing columns and the unknown given ones.

Columns in messages are named as the user sees them: the given name when there is a header,
else the signature's name, else the 0-based position (how ``pandas.read_csv(header=None)``
names headerless columns, and so the book's ``input.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass

from psystock.errors import SchemaError
from psystock.scoring.schema import InputSchema

DEFAULT_TYPE = "double"
"""Type assumed for every column of a model without a signature."""
_MAX_LISTED = 20


@dataclass(frozen=True)
class ColumnPlan:
    """Where each model column comes from in the given input.

    Attributes:
        sources: for each model column, the index of the given column feeding it, or None
            when an optional column is not given.
        labels: each model column as named in messages.
        types: each model column's type (``long``, ``double`` ...).
        required: whether each model column must hold a finite number.
        n_given: how many columns each given row has.
        names: the signature's names (int or str) for pyfunc frames, None when positional.
    """

    sources: tuple[int | None, ...]
    labels: tuple[str | int, ...]
    types: tuple[str, ...]
    required: tuple[bool, ...]
    n_given: int
    names: tuple[str | int, ...] | None


def plan_columns(
    schema: InputSchema | None,
    given: tuple[str, ...] | None,
    n_given: int,
    n_features: int | None = None,
) -> ColumnPlan:
    """Decide which given column feeds each model column.

    Args:
        schema: the model's signature, None when it has none.
        given: the given column names, None when the input is positional.
        n_given: how many columns the input has.
        n_features: the model's own feature count when the schema does not say (XGBoost).

    Raises:
        SchemaError: a column count differs (``row 1: expected 14 columns, got 13``) or a
            required column is missing (``expected columns 5, got columns a, b``).
    """
    if schema is not None and not schema.is_positional and given is not None:
        return _plan_by_name(schema, given)
    expected = (schema.n_features if schema is not None else None) or n_features
    if expected is not None and n_given != expected:
        raise SchemaError(f"{expected} columns", n_given, row=1)
    count = n_given if expected is None else expected
    specs = schema.columns if schema is not None and schema.columns else ()
    labels: tuple[str | int, ...]
    if given is not None:
        labels = given
    elif specs and not schema.is_positional:  # type: ignore[union-attr]
        labels = tuple(spec.name for spec in specs)  # type: ignore[misc]
    else:
        labels = tuple(range(count))
    return ColumnPlan(
        sources=tuple(range(count)),
        labels=labels,
        types=tuple(spec.type for spec in specs) if specs else (DEFAULT_TYPE,) * count,
        required=tuple(spec.required for spec in specs) if specs else (True,) * count,
        n_given=n_given,
        names=schema.names if schema is not None else None,
    )


def _plan_by_name(schema: InputSchema, given: tuple[str, ...]) -> ColumnPlan:
    index: dict[str, int] = {}
    for position, name in enumerate(given):
        key = str(name)
        if key in index:
            raise SchemaError("unique column names", f"column {key} twice")
        index[key] = position
    missing = [spec.key for spec in schema.columns if spec.required and spec.key not in index]
    if missing:
        known = {spec.key for spec in schema.columns}
        unknown = [name for name in given if name not in known]
        raise SchemaError(listing(missing), listing(unknown or list(given)))
    return ColumnPlan(
        sources=tuple(index.get(spec.key) for spec in schema.columns),
        labels=tuple(spec.name for spec in schema.columns),  # type: ignore[misc]
        types=tuple(spec.type for spec in schema.columns),
        required=tuple(spec.required for spec in schema.columns),
        n_given=len(given),
        names=schema.names,
    )


def listing(names: list[str]) -> str:
    """``column a`` or ``columns a, b, c`` (the first 20, then how many more)."""
    if not names:
        return "no columns"
    shown = ", ".join(names[:_MAX_LISTED])
    more = f" and {len(names) - _MAX_LISTED} more" if len(names) > _MAX_LISTED else ""
    return f"{'column' if len(names) == 1 else 'columns'} {shown}{more}"
