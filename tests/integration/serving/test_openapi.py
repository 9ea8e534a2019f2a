"""The OpenAPI description covers every route and matches what the server does.

A table of borderline bodies is judged twice, by the description (jsonschema) and by the
server: both say yes or both say no. A schema-driven fuzz run (schemathesis) over the live
server then checks that valid data is accepted, invalid data refused, every answer follows
its documented status, content type and schema, and nothing answers 5xx.
"""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from psystock.serving import BackgroundServer
from tests.integration.serving.conftest import BOOK_ROW

COLUMNS = [str(position) for position in range(14)]
RECORD = dict(zip(COLUMNS, BOOK_ROW, strict=True))
AGREED_BODIES: dict[str, tuple[Any, bool]] = {
    "split": ({"dataframe_split": {"data": [BOOK_ROW]}}, True),
    "split, integer columns and index": (
        {"dataframe_split": {"columns": list(range(14)), "index": [0], "data": [BOOK_ROW]}},
        True,
    ),
    "split, string columns": ({"dataframe_split": {"columns": COLUMNS, "data": [BOOK_ROW]}}, True),
    "split, whole floats": ({"dataframe_split": {"data": [[1.0] * 14]}}, True),
    "split with params and another key": (
        {"dataframe_split": {"data": [BOOK_ROW]}, "params": {}, "other": 1},
        True,
    ),
    "records": ({"dataframe_records": [RECORD, RECORD]}, True),
    "instances": ({"instances": [BOOK_ROW]}, True),
    "instances as records": ({"instances": [RECORD]}, True),
    "inputs": ({"inputs": [BOOK_ROW]}, True),
    "inputs, one row by column": ({"inputs": RECORD}, True),
    "inputs, column lists": ({"inputs": {key: [value] for key, value in RECORD.items()}}, True),
    "1.x split": ({"columns": list(range(14)), "index": [0], "data": [BOOK_ROW]}, True),
    "1.x rows": ([BOOK_ROW], True),
    "1.x records": ([RECORD], True),
    "an empty record": ({"dataframe_records": [{}]}, False),
    "false cells": ({"dataframe_split": {"data": [[False] * 14]}}, False),
    "one false cell": ([[False]], False),
    "index as an object": (
        {"dataframe_split": {"index": {"a": 1}, "data": [BOOK_ROW]}},
        False,
    ),
    "index with a list": ({"dataframe_split": {"index": [[0]], "data": [BOOK_ROW]}}, False),
    "columns null": ({"dataframe_split": {"columns": None, "data": [BOOK_ROW]}}, False),
    "columns of another model": (
        {"dataframe_split": {"columns": ["a"] * 14, "data": [BOOK_ROW]}},
        False,
    ),
    "params not an object": ({"dataframe_split": {"data": [BOOK_ROW]}, "params": 5}, False),
    "numeric strings": ({"dataframe_split": {"data": [[str(v) for v in BOOK_ROW]]}}, False),
    "a fraction in a long column": ({"instances": [[1.5, *BOOK_ROW[1:]]]}, False),
    "null in a required column": ({"instances": [[None, *BOOK_ROW[1:]]]}, False),
    "a list cell": ({"instances": [[[1], *BOOK_ROW[1:]]]}, False),
    "13 values": ({"instances": [BOOK_ROW[:13]]}, False),
    "two formats": ({"instances": [BOOK_ROW], "inputs": [BOOK_ROW]}, False),
    "records whose keys differ": ({"dataframe_records": [RECORD, {**RECORD, "x": 1}]}, False),
    "a record missing a column": ({"dataframe_records": [{"0": 1}]}, False),
    "inputs, lists and values mixed": ({"inputs": {**RECORD, "0": [1]}}, False),
    "no rows": ({"instances": []}, False),
    "a bare number": (3, False),
}
"""Bodies the description and the server must judge alike: (body, is valid)."""


@pytest.mark.parametrize("name", list(AGREED_BODIES))
def test_the_description_and_the_server_agree_on_a_body(client: httpx.Client, name: str) -> None:
    body, is_valid = AGREED_BODIES[name]
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/invocations"]["post"]["requestBody"]["content"]
    schema = {**content["application/json"]["schema"], "components": spec["components"]}
    described = jsonschema_rs.Draft202012Validator(schema).is_valid(body)
    response = client.post("/invocations", json=body)
    assert described is is_valid
    assert (response.status_code == 200) is is_valid, response.text
    if not is_valid:
        assert response.status_code == 400


def test_openapi_describes_every_route_and_method(
    api: BackgroundServer, client: httpx.Client
) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"] == "3.1.0"
    described = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    served = {
        (getattr(route, "path", ""), method)
        for route in api.app._starlette.routes
        for method in set(getattr(route, "methods", None) or ()) - {"HEAD"}
    }
    assert served == described
    invocations = spec["paths"]["/invocations"]["post"]
    assert set(invocations["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert set(invocations["responses"]) == {"200", "400", "401", "413", "415", "500", "503"}
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error_code", "message"]


FUZZ_CONFIG = """
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "404", "405", "413", "415"]

# JSON Schema cannot tie a V2 tensor's data length to its shape, so data the description allows
# may still be refused there (400 naming the tensor); every other operation's is exact.
[[operations]]
include-path-regex = "^/v2/models/.*/infer$"
checks.positive_data_acceptance.enabled = false
"""
"""Fuzzing configuration: the statuses that refuse bad data, and the one inexact schema."""


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzzing_the_description_finds_every_answer_as_documented(
    api: BackgroundServer, mode: GenerationMode
) -> None:
    config = schemathesis.config.SchemathesisConfig.from_str(FUZZ_CONFIG)
    schema = schemathesis.openapi.from_url(f"{api.url}/openapi.json", config=config)
    model = api.app.state.holder.model
    assert model is not None
    served = {"name": model.info.name, "version": model.info.version}  # reach the model's routes
    cases = schema.as_strategy(mode) | schema.as_strategy(mode, path_parameters=served)
    # A CSV body is text whose grammar (header rule, number spellings) JSON Schema does not
    # state: the CSV route has its own tables of good and bad bodies (test_errors, batch).
    cases = cases.filter(lambda case: case.media_type != "text/csv")

    @given(case=cases)
    @settings(
        max_examples=250, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def call(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate()

    call()
    assert httpx.get(f"{api.url}/ping").status_code == 200
