"""Request bodies of ``POST /invocations`` turned into a ``ModelInput``.

Accepted JSON layouts (``application/json``):

- MLflow 2/3: an object with exactly one of ``dataframe_split``, ``dataframe_records``,
  ``instances`` or ``inputs`` (``params`` and other keys are ignored, as MLflow does); answered
  ``{"predictions": [...]}``.
- MLflow 1.x: a bare pandas ``to_json(orient="split")`` object (``columns``, ``index``, ``data``)
  or ``orient="records"`` list, optionally flagged ``format=pandas-split|pandas-records`` in
  the content type; answered with a bare JSON list, as MLflow 1.x did.

CSV is parsed in :mod:`psystock.serving.csv_payloads`. This module checks the layout only
(rows are lists of equal length, records have the same keys); values are checked against the
model's signature by the scoring runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from psystock.errors import InputError, PayloadError
from psystock.scoring import ModelInput
from psystock.scoring.inputs import ArrowRows

DATAFRAME_SPLIT = "dataframe_split"
DATAFRAME_RECORDS = "dataframe_records"
INSTANCES = "instances"
INPUTS = "inputs"
MLFLOW_FORMATS = (DATAFRAME_SPLIT, DATAFRAME_RECORDS, INSTANCES, INPUTS)
"""The top-level keys of MLflow 2/3 JSON requests."""

BODY = "request body"
PARAMS = "params"
"""MLflow's inference parameters beside the rows: an object, not used by psystock's models."""
_NAME_TYPES: frozenset[type] = frozenset({str, int})
"""What a column name may be in JSON (booleans are not)."""


@dataclass(frozen=True)
class ParsedPayload:
    """A request body ready for ``LoadedModel.prepare``.

    Attributes:
        model_input: the rows, with column names when the payload had them (CSV: Arrow rows).
        rows: the number of rows.
        source: where the rows were in the payload (``dataframe_split.data``), for messages.
        is_wrapped: answer ``{"predictions": [...]}`` (MLflow 2/3) rather than a bare list.
    """

    model_input: ModelInput | ArrowRows
    rows: int
    source: str
    is_wrapped: bool = True

    def locate(self, error: InputError) -> PayloadError:
        """The ``error`` raised while preparing these rows, its message prefixed by ``source``."""
        separator = " " if error.message.startswith("row ") else ": "
        return PayloadError(f"{self.source}{separator}{error.message}", **error.details)


def describe(value: Any) -> str:
    """A short description of a JSON value for an error message (``'x'``, ``an object``)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)} values"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def first_duplicate(names: Sequence[str]) -> str | None:
    """The first name that appears twice in ``names`` (one pass), or None."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def load_json(body: bytes, what: str = BODY) -> Any:
    """Decode a JSON body.

    Raises:
        PayloadError: the body is empty or not valid UTF-8 JSON.
    """
    if not body.strip():
        raise PayloadError(f"{what} is empty: expected a JSON document")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(f"{what} is not valid JSON: {exc}") from exc


def parse_json_body(body: bytes, pandas_orient: str | None = None) -> ParsedPayload:
    """Parse an ``application/json`` prediction request.

    Args:
        body: the raw body.
        pandas_orient: ``"split"`` or ``"records"`` from ``format=pandas-...``, else ``None``.

    Raises:
        PayloadError: the layout is none of the accepted ones; the message names the field,
            the row and what was expected.
    """
    document = load_json(body)
    if isinstance(document, dict):
        return _parse_object(document, pandas_orient)
    if isinstance(document, list):
        if pandas_orient == "split":
            raise PayloadError(
                f"{BODY}: expected a JSON object with data (format=pandas-split), got a list"
            )
        return parse_rows_or_records(document, BODY, is_wrapped=False)
    raise PayloadError(f"{BODY}: expected a JSON object or a list, got {describe(document)}")


def _parse_object(document: dict[str, Any], pandas_orient: str | None) -> ParsedPayload:
    keys = [key for key in MLFLOW_FORMATS if key in document]
    if len(keys) > 1:
        raise PayloadError(
            f"{BODY}: expected exactly one of {', '.join(MLFLOW_FORMATS)}, got {', '.join(keys)}"
        )
    if keys:
        params = document.get(PARAMS, {})
        if not isinstance(params, dict):
            raise PayloadError(f"{PARAMS}: expected an object, got {describe(params)}")
        return _parse_mlflow_format(keys[0], document[keys[0]])
    if "data" in document:
        if pandas_orient == "records":
            raise PayloadError(
                f"{BODY}: expected a JSON list of records (format=pandas-records), got an object"
            )
        return parse_split(document, BODY, is_wrapped=False)
    got = _keys(document)
    raise PayloadError(
        f"{BODY}: expected an object with one of {', '.join(MLFLOW_FORMATS)} (MLflow 2/3) or a"
        f" pandas split object with data (MLflow 1.x), got keys: {got}"
    )


def _parse_mlflow_format(key: str, value: Any) -> ParsedPayload:
    if key == DATAFRAME_SPLIT:
        if not isinstance(value, dict):
            raise PayloadError(f"{key}: expected an object with data, got {describe(value)}")
        return parse_split(value, key)
    if isinstance(value, dict) and key == INPUTS:
        return parse_columns(value, key)
    if not isinstance(value, list):
        expected = "a list of records" if key == DATAFRAME_RECORDS else "a list of rows"
        raise PayloadError(f"{key}: expected {expected}, got {describe(value)}")
    if key == DATAFRAME_RECORDS:
        return parse_records(value, key)
    return parse_rows_or_records(value, key)


def parse_split(value: dict[str, Any], source: str, *, is_wrapped: bool = True) -> ParsedPayload:
    """Parse a pandas ``orient="split"`` object; ``index`` (row labels) is checked, not used."""
    if "data" not in value:
        raise PayloadError(f"{source}: expected an object with data, got keys: {_keys(value)}")
    prefix = f"{source}." if source != BODY else ""
    if "index" in value:
        _check_index(value["index"], f"{prefix}index")
    columns = _columns(value["columns"], f"{prefix}columns") if "columns" in value else None
    rows = value["data"]
    where = f"{source}.data" if source != BODY else "data"
    check_rows(rows, where, None if columns is None else len(columns))
    return ParsedPayload(ModelInput(rows, columns), len(rows), where, is_wrapped)


def parse_rows_or_records(
    items: list[Any], source: str, *, is_wrapped: bool = True
) -> ParsedPayload:
    """Parse a list of rows (lists), of records (objects) or of scalars (one column)."""
    if not items:
        raise PayloadError(f"{source}: expected at least one row, got none")
    first = items[0]
    if isinstance(first, dict):
        return parse_records(items, source, is_wrapped=is_wrapped)
    if isinstance(first, list):
        check_rows(items, source, None)
        return ParsedPayload(ModelInput(items), len(items), source, is_wrapped)
    for number, item in enumerate(items, start=1):
        if isinstance(item, dict | list):
            raise PayloadError(
                f"{source} row {number}: expected a single value like row 1, got {describe(item)}"
            )
    return ParsedPayload(ModelInput([[item] for item in items]), len(items), source, is_wrapped)


def parse_records(items: list[Any], source: str, *, is_wrapped: bool = True) -> ParsedPayload:
    """Parse a pandas ``orient="records"`` list: every object has the keys of the first one."""
    if not items:
        raise PayloadError(f"{source}: expected at least one record, got none")
    first = items[0]
    if not isinstance(first, dict):
        raise PayloadError(f"{source} row 1: expected an object, got {describe(first)}")
    columns = tuple(first)
    rows = [list(first.values())]
    for number, record in enumerate(items[1:], start=2):
        if not isinstance(record, dict):
            raise PayloadError(f"{source} row {number}: expected an object, got {describe(record)}")
        if len(record) != len(columns) or any(column not in record for column in columns):
            raise PayloadError(_key_mismatch(source, number, columns, record))
        rows.append([record[column] for column in columns])
    return ParsedPayload(ModelInput(rows, columns), len(rows), source, is_wrapped)


def parse_columns(value: dict[str, Any], source: str) -> ParsedPayload:
    """Parse a column-oriented object ``{"name": [v1, v2, ...], ...}`` (MLflow ``inputs``)."""
    if not value:
        raise PayloadError(f"{source}: expected at least one column, got none")
    columns = tuple(value)
    lists = [value[column] for column in columns]
    if not any(isinstance(item, list) for item in lists):
        return ParsedPayload(ModelInput([lists], columns), 1, source)
    length = len(lists[0]) if isinstance(lists[0], list) else -1
    for column, item in zip(columns, lists, strict=True):
        if not isinstance(item, list) or len(item) != length:
            expected = f"a list of {length} values like {columns[0]!r}"
            raise PayloadError(f"{source}.{column}: expected {expected}, got {describe(item)}")
    if length == 0:
        raise PayloadError(f"{source}: expected at least one row, got none")
    rows = [list(row) for row in zip(*lists, strict=True)]
    return ParsedPayload(ModelInput(rows, columns), length, source)


def check_rows(rows: Any, source: str, width: int | None) -> None:
    """Check that ``rows`` is a non-empty list of lists of ``width`` (or equal) length.

    Raises:
        PayloadError: e.g. ``dataframe_split.data row 3: expected 14 values, got 13``.
    """
    if not isinstance(rows, list):
        raise PayloadError(f"{source}: expected a list of rows, got {describe(rows)}")
    if not rows:
        raise PayloadError(f"{source}: expected at least one row, got none")
    expected = width
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list):
            wanted = f"a list of {expected} values" if expected is not None else "a list of values"
            raise PayloadError(f"{source} row {number}: expected {wanted}, got {describe(row)}")
        if expected is None:
            expected = len(row)
        elif len(row) != expected:
            raise PayloadError(
                f"{source} row {number}: expected {expected} values, got {len(row)}",
                field=source,
                row=number,
            )


def _check_index(value: Any, source: str) -> None:
    """Check pandas row labels: a list of single values."""
    if not isinstance(value, list):
        raise PayloadError(f"{source}: expected a list of row labels, got {describe(value)}")
    for position, label in enumerate(value):
        if isinstance(label, dict | list):
            raise PayloadError(
                f"{source}[{position}]: expected a single value, got {describe(label)}"
            )


def _columns(value: Any, source: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PayloadError(f"{source}: expected a list of column names, got {describe(value)}")
    if set(map(type, value)) <= _NAME_TYPES:  # the usual case, checked in one pass in C
        names = list(map(str, value))
    else:
        names = _checked_names(value, source)
    if len(set(names)) != len(names):
        duplicate = first_duplicate(names)
        raise PayloadError(f"{source}: expected unique names, got {describe(duplicate)} twice")
    return tuple(names)


def _checked_names(value: list[Any], source: str) -> list[str]:
    """Column names as strings, naming the first one that is not a string or an integer."""
    names: list[str] = []
    for position, name in enumerate(value):
        if isinstance(name, bool) or not isinstance(name, str | int):
            raise PayloadError(
                f"{source}[{position}]: expected a string or an integer, got {describe(name)}"
            )
        names.append(str(name))
    return names


def _key_mismatch(source: str, number: int, columns: Sequence[str], record: dict[str, Any]) -> str:
    missing = [column for column in columns if column not in record]
    unexpected = [key for key in record if key not in columns]
    parts = []
    if missing:
        parts.append("missing " + _names(missing))
    if unexpected:
        parts.append("unexpected " + _names(unexpected))
    return f"{source} row {number}: expected the keys of row 1, got {'; '.join(parts)}"


def _keys(value: dict[str, Any]) -> str:
    return _names(sorted(value), quote=False) or "none"


def _names(names: Sequence[str], *, quote: bool = True, shown: int = 5) -> str:
    """Up to ``shown`` names, each cut to 40 characters, for a message."""
    listed = [describe(name) if quote else describe(name).strip("'") for name in names[:shown]]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(listed) + more
