"""Bad requests get the right status and an exact message; the server keeps serving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from psystock.serving import BackgroundServer
from tests.integration.serving.conftest import BOOK_ROW, ROWS

ROW_13 = BOOK_ROW[:13]


def _post(
    client: httpx.Client, body: bytes | str, content_type: str = "application/json"
) -> httpx.Response:
    return client.post("/invocations", content=body, headers={"Content-Type": content_type})


BAD_JSON: dict[str, tuple[str, str]] = {
    "not json": (
        "{nope",
        (
            "request body is not valid JSON:"
            " unexpected character, expected a string key: line 1 column 2 (char 1)"
        ),
    ),
    "empty": ("", "request body is empty: expected a JSON document"),
    "unknown keys": (
        '{"rows": [[1]]}',
        "request body: expected an object with one of dataframe_split, dataframe_records,"
        " instances, inputs (MLflow 2/3) or a pandas split object with data (MLflow 1.x),"
        " got keys: rows",
    ),
    "two formats": (
        '{"instances": [[1]], "inputs": [[1]]}',
        "request body: expected exactly one of dataframe_split, dataframe_records, instances,"
        " inputs, got instances, inputs",
    ),
    "scalar": ("3", "request body: expected a JSON object or a list, got 3"),
    "ragged row": (
        json.dumps({"dataframe_split": {"data": [BOOK_ROW, BOOK_ROW, ROW_13]}}),
        "dataframe_split.data row 3: expected 14 values, got 13",
    ),
    "too few columns": (
        json.dumps({"dataframe_split": {"data": [ROW_13]}}),
        "dataframe_split.data row 1: expected 14 columns, got 13",
    ),
    "not a number": (
        json.dumps({"dataframe_split": {"data": [BOOK_ROW, [*ROW_13, "x"]]}}),
        "dataframe_split.data row 2, column 13: expected a number, got 'x'",
    ),
    "row is not a list": (
        json.dumps({"dataframe_split": {"data": [BOOK_ROW, 5]}}),
        "dataframe_split.data row 2: expected a list of 14 values, got 5",
    ),
    "no data": (
        '{"dataframe_split": {"columns": ["a"]}}',
        "dataframe_split: expected an object with data, got keys: columns",
    ),
    "no rows": (
        '{"dataframe_split": {"data": []}}',
        "dataframe_split.data: expected at least one row, got none",
    ),
    "records keys differ": (
        '{"dataframe_records": [{"a": 1, "b": 2}, {"a": 1, "c": 2}]}',
        "dataframe_records row 2: expected the keys of row 1, got missing 'b'; unexpected 'c'",
    ),
    "unknown column names": (
        '{"dataframe_records": [{"a": 1, "b": 2}]}',
        "dataframe_records: expected columns 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,"
        " got columns a, b",
    ),
    "legacy split with list for pandas-records": (
        '{"columns": [0], "data": [[1]]}',
        "request body: expected a JSON list of records (format=pandas-records), got an object",
    ),
}


@pytest.mark.parametrize(("body", "message"), BAD_JSON.values(), ids=BAD_JSON.keys())
def test_invocations_bad_json_answers_400_naming_the_problem(
    client: httpx.Client, body: str, message: str
) -> None:
    content_type = "application/json"
    if "pandas-records" in message:
        content_type += "; format=pandas-records"
    response = _post(client, body, content_type)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "BAD_REQUEST"
    assert response.json()["message"] == message


BAD_CSV = {
    "ragged": ("1,0\n1,0,1\n", "CSV row 2: expected 2 values, got 3"),
    "not a number": (
        "0,1,2,3,4,5,6,7,8,9,10,11,12,13\n" + ",".join(["1"] * 13) + ",x\n",
        "CSV row 1, column 13: expected a number, got 'x'",
    ),
    "header only": ("a,b\n", "CSV body has a header row but no data rows"),
    "empty": ("\n\n", "CSV body is empty: expected rows of comma-separated values"),
}


@pytest.mark.parametrize(("body", "message"), BAD_CSV.values(), ids=BAD_CSV.keys())
def test_invocations_bad_csv_answers_400_naming_the_row(
    client: httpx.Client, body: str, message: str
) -> None:
    response = _post(client, body, "text/csv")
    assert response.status_code == 400, response.text
    assert response.json()["message"] == message


def test_invocations_body_over_the_limit_answers_413_from_content_length(
    start_api: Any, registered_model: Any
) -> None:
    api = start_api(registered_model.uri, max_body_bytes=1000)
    body = b'{"dataframe_split": {"data": [%s]}}' % (b"1," * 600 + b"1")
    response = httpx.post(
        f"{api.url}/invocations", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "error_code": "BAD_REQUEST",
        "message": f"request body size in bytes over the limit of 1000, got {len(body)}",
        "limit": 1000,
        "got": len(body),
    }


def test_invocations_streamed_body_over_the_limit_answers_413(
    start_api: Any, registered_model: Any
) -> None:
    api = start_api(registered_model.uri, max_body_bytes=100_000)

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked, counted as it arrives
        yield b'{"dataframe_split": {"data": [['
        for _ in range(64):
            yield b"1," * 8192

    response = httpx.post(
        f"{api.url}/invocations", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "error_code": "BAD_REQUEST",
        "message": "request body size in bytes over the limit of 100000",
        "limit": 100_000,
    }
    assert httpx.get(f"{api.url}/ping").status_code == 200


def test_invocations_rows_over_the_limit_answer_413(client: httpx.Client) -> None:
    response = client.post("/invocations", json={"instances": [BOOK_ROW] * 501})
    assert response.status_code == 413
    assert response.json()["message"] == "rows in the request over the limit of 500, got 501"


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
        "application/json; format=pandas-index",
    ],
)
def test_invocations_unknown_content_type_answers_415(
    client: httpx.Client, content_type: str
) -> None:
    response = _post(client, '{"instances": [[1]]}', content_type)
    assert response.status_code == 415
    assert response.json()["message"] == (
        f"unsupported content type {content_type!r}: expected one of application/json,"
        " application/json; format=pandas-split, application/json; format=pandas-records, text/csv"
    )


def test_invocations_without_content_type_answers_415(client: httpx.Client) -> None:
    response = client.post("/invocations", content=b"1,2")
    assert response.status_code == 415
    assert response.json()["content_type"] == "(none)"


def test_unknown_route_and_wrong_method_answer_json_404_and_405(client: httpx.Client) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error_code": "ENDPOINT_NOT_FOUND", "message": "GET /nope: Not Found"}
    wrong = client.get("/invocations")
    assert wrong.status_code == 405
    assert wrong.json()["message"] == "GET /invocations: Method Not Allowed"


def test_server_keeps_serving_after_bad_requests(client: httpx.Client) -> None:
    for body in ("{", "[1, [2]]", '{"inputs": {"a": [1], "b": 2}}', "\xff"):
        assert _post(client, body).status_code == 400
    response = client.post("/invocations", json={"instances": ROWS})
    assert response.status_code == 200


@pytest.fixture
def secured(start_api: Any, registered_model: Any) -> BackgroundServer:
    api: BackgroundServer = start_api(registered_model.uri, auth_token="s3cret")
    return api


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "missing bearer token: send the header 'Authorization: Bearer <token>'"),
        ("Bearer wrong", "invalid bearer token"),
        (
            "Basic czNjcmV0",
            "expected the header 'Authorization: Bearer <token>', got another scheme",
        ),
    ],
)
def test_invocations_with_auth_token_answer_401_without_the_right_token(
    secured: BackgroundServer, authorization: str | None, message: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.post(f"{secured.url}/invocations", json={"instances": ROWS}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="psystock"'
    assert response.json() == {"error_code": "UNAUTHENTICATED", "message": message}


def test_auth_token_guards_posts_and_leaves_gets_open(secured: BackgroundServer) -> None:
    good = {"Authorization": "Bearer s3cret"}
    assert (
        httpx.post(f"{secured.url}/invocations", json={"instances": ROWS}, headers=good).status_code
        == 200
    )
    infer = {"inputs": [{"name": "x", "shape": [1, 14], "datatype": "INT64", "data": BOOK_ROW}]}
    v2 = httpx.post(f"{secured.url}/v2/models/training-model-psystock/infer", json=infer)
    assert v2.status_code == 401
    assert (
        v2.json()["error"]
        == "missing bearer token: send the header 'Authorization: Bearer <token>'"
    )
    for path in ("/ping", "/health", "/metrics", "/openapi.json", "/docs", "/v2/health/ready"):
        assert httpx.get(f"{secured.url}{path}").status_code == 200, path
