from __future__ import annotations

from typing import Any

import orjson
import pytest

from psystock.errors import PayloadError, SchemaError
from psystock.scoring import ModelInput
from psystock.serving.payloads import ParsedPayload, parse_json_body

ROW = [1, 0, 1]


def _parse(body: Any, orient: str | None = None) -> ParsedPayload:
    return parse_json_body(orjson.dumps(body), orient)


@pytest.mark.parametrize(
    ("body", "values", "columns", "source"),
    [
        (
            {"dataframe_split": {"columns": [0, "1", 2], "data": [ROW]}},
            [ROW],
            ("0", "1", "2"),
            "dataframe_split.data",
        ),
        (
            {"dataframe_split": {"data": [ROW, ROW], "index": [5, 6]}},
            [ROW, ROW],
            None,
            "dataframe_split.data",
        ),
        (
            {"dataframe_records": [{"a": 1, "b": 2}, {"b": 4, "a": 3}]},
            [[1, 2], [3, 4]],
            ("a", "b"),
            "dataframe_records",
        ),
        ({"instances": [ROW]}, [ROW], None, "instances"),
        ({"instances": [{"a": 1}]}, [[1]], ("a",), "instances"),
        ({"instances": [1, 2]}, [[1], [2]], None, "instances"),
        ({"inputs": [ROW]}, [ROW], None, "inputs"),
        ({"inputs": {"a": [1, 2], "b": [3, 4]}}, [[1, 3], [2, 4]], ("a", "b"), "inputs"),
        ({"inputs": {"a": 1, "b": 3}}, [[1, 3]], ("a", "b"), "inputs"),
        ({"inputs": [ROW], "params": {"x": 1}, "other": 2}, [ROW], None, "inputs"),
    ],
)
def test_parse_json_body_mlflow2_layouts_are_wrapped(
    body: Any, values: list[list[Any]], columns: tuple[str, ...] | None, source: str
) -> None:
    parsed = _parse(body)
    assert isinstance(parsed.model_input, ModelInput)
    assert parsed.model_input.values == values
    assert parsed.model_input.columns == columns
    assert parsed.rows == len(values)
    assert parsed.source == source
    assert parsed.is_wrapped


@pytest.mark.parametrize(
    ("body", "orient", "values", "columns"),
    [
        ({"columns": [0, 1, 2], "index": [0], "data": [ROW]}, None, [ROW], ("0", "1", "2")),
        ({"columns": [0, 1, 2], "index": [0], "data": [ROW]}, "split", [ROW], ("0", "1", "2")),
        ([{"0": 1, "1": 0}], None, [[1, 0]], ("0", "1")),
        ([{"0": 1, "1": 0}], "records", [[1, 0]], ("0", "1")),
        ([ROW], None, [ROW], None),
    ],
)
def test_parse_json_body_mlflow1_layouts_answer_bare(
    body: Any, orient: str | None, values: list[list[Any]], columns: tuple[str, ...] | None
) -> None:
    parsed = _parse(body, orient)
    assert isinstance(parsed.model_input, ModelInput)
    assert (parsed.model_input.values, parsed.model_input.columns) == (values, columns)
    assert not parsed.is_wrapped


@pytest.mark.parametrize(
    ("body", "orient", "message"),
    [
        (b"", None, "request body is empty: expected a JSON document"),
        ([], None, "request body: expected at least one row, got none"),
        (
            {"dataframe_split": [ROW]},
            None,
            "dataframe_split: expected an object with data, got a list of 1 values",
        ),
        (
            {"dataframe_split": {"data": ROW}},
            None,
            "dataframe_split.data row 1: expected a list of values, got 1",
        ),
        (
            {"dataframe_split": {"columns": ["a"], "data": [ROW]}},
            None,
            "dataframe_split.data row 1: expected 1 values, got 3",
        ),
        (
            {"dataframe_split": {"columns": ["a", "a"], "data": [[1, 2]]}},
            None,
            "dataframe_split.columns: expected unique names, got 'a' twice",
        ),
        (
            {"dataframe_split": {"columns": [1.5], "data": [[1]]}},
            None,
            "dataframe_split.columns[0]: expected a string or an integer, got 1.5",
        ),
        (
            {"dataframe_split": {"columns": [True], "data": [[1]]}},
            None,
            "dataframe_split.columns[0]: expected a string or an integer, got True",
        ),
        (
            {"dataframe_split": {"columns": "a", "data": [[1]]}},
            None,
            "dataframe_split.columns: expected a list of column names, got 'a'",
        ),
        (
            {"dataframe_records": {"a": 1}},
            None,
            "dataframe_records: expected a list of records, got an object",
        ),
        (
            {"dataframe_records": [ROW]},
            None,
            "dataframe_records row 1: expected an object, got a list of 3 values",
        ),
        (
            {"dataframe_records": [{"a": 1}, 2]},
            None,
            "dataframe_records row 2: expected an object, got 2",
        ),
        ({"instances": "x"}, None, "instances: expected a list of rows, got 'x'"),
        (
            {"instances": [1, [2]]},
            None,
            "instances row 2: expected a single value like row 1, got a list of 1 values",
        ),
        ({"inputs": {}}, None, "inputs: expected at least one column, got none"),
        (
            {"inputs": {"a": [1, 2], "b": [3]}},
            None,
            "inputs.b: expected a list of 2 values like 'a', got a list of 1 values",
        ),
        ({"inputs": {"a": [], "b": []}}, None, "inputs: expected at least one row, got none"),
        (
            {"data": [ROW]},
            "records",
            "request body: expected a JSON list of records (format=pandas-records), got an object",
        ),
        (
            [ROW],
            "split",
            "request body: expected a JSON object with data (format=pandas-split), got a list",
        ),
        (
            "x" * 50,
            None,
            "request body: expected a JSON object or a list, got '" + "x" * 36 + "...",
        ),
        (None, None, "request body: expected a JSON object or a list, got null"),
        (
            {"dataframe_split": {"index": {"a": 1}, "data": [ROW]}},
            None,
            "dataframe_split.index: expected a list of row labels, got an object",
        ),
        (
            {"dataframe_split": {"index": [0, [1]], "data": [ROW]}},
            None,
            "dataframe_split.index[1]: expected a single value, got a list of 1 values",
        ),
        (
            {"dataframe_split": {"columns": None, "data": [ROW]}},
            None,
            "dataframe_split.columns: expected a list of column names, got null",
        ),
        (
            {"columns": None, "data": [ROW]},
            None,
            "columns: expected a list of column names, got null",
        ),
        (
            {"instances": [ROW], "params": [1]},
            None,
            "params: expected an object, got a list of 1 values",
        ),
    ],
)
def test_parse_json_body_bad_layouts_name_the_field(
    body: Any, orient: str | None, message: str
) -> None:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    with pytest.raises(PayloadError, match="^" + _escape(message) + "$"):
        parse_json_body(raw, orient)


def test_parse_json_body_invalid_json_names_the_position() -> None:
    with pytest.raises(
        PayloadError, match=r"^request body is not valid JSON: .*line 1 column 2 \(char 1\)$"
    ):
        parse_json_body(b"[}")


def test_parsed_payload_locate_prefixes_the_source() -> None:
    parsed = _parse({"dataframe_split": {"data": [ROW]}})
    located = parsed.locate(SchemaError("a number", "'x'", row=2, column=1))
    assert located.message == "dataframe_split.data row 2, column 1: expected a number, got 'x'"
    assert located.details == {"row": 2, "column": 1, "expected": "a number", "got": "'x'"}
    assert parsed.locate(SchemaError("14 columns", 3)).message == (
        "dataframe_split.data: expected 14 columns, got 3"
    )


def _escape(text: str) -> str:
    import re

    return re.escape(text)
