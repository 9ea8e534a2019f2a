"""Hostile bodies: never a 5xx, never accepted by mistake, never echoed whole, never a reset."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from psystock.serving import BackgroundServer
from tests.integration.serving.conftest import BOOK_ROW

BAD_CELLS: dict[str, Any] = {"list": [1, 2], "empty list": [], "object": {}, "[1]": [1]}
BAD_CELLS["[[0]]"] = [[0]]
DESCRIBED = {
    "list": "a list of 2 values",
    "empty list": "a list of 0 values",
    "object": "an object",
    "[1]": "a list of 1 values",
    "[[0]]": "a list of 1 values",
}
COLUMNS = [str(column) for column in range(14)]


def _rows(cell: Any, n_rows: int) -> list[list[Any]]:
    """``n_rows`` book rows, the last with ``cell`` in column 3."""
    rows = [list(BOOK_ROW) for _ in range(n_rows)]
    rows[-1][3] = cell
    return rows


def _split(rows: list[list[Any]]) -> tuple[str, Any]:
    return "/invocations", {"dataframe_split": {"columns": COLUMNS, "data": rows}}


def _records(rows: list[list[Any]]) -> tuple[str, Any]:
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows]
    return "/invocations", {"dataframe_records": records}


def _instances(rows: list[list[Any]]) -> tuple[str, Any]:
    return "/invocations", {"instances": rows}


def _columns(rows: list[list[Any]]) -> tuple[str, Any]:
    return "/invocations", {
        "inputs": {name: [row[i] for row in rows] for i, name in enumerate(COLUMNS)}
    }


def _legacy(rows: list[list[Any]]) -> tuple[str, Any]:
    return "/invocations", {"columns": COLUMNS, "index": list(range(len(rows))), "data": rows}


def _v2_columns(rows: list[list[Any]]) -> tuple[str, Any]:
    tensors = [
        {"name": name, "shape": [len(rows)], "datatype": "INT64", "data": [row[i] for row in rows]}
        for i, name in enumerate(COLUMNS)
    ]
    return "/v2/models/training-model-psystock/infer", {"inputs": tensors}


ROUTES: dict[str, tuple[Callable[[list[list[Any]]], tuple[str, Any]], str, str | int]] = {
    "dataframe_split": (_split, "dataframe_split.data", "3"),
    "dataframe_records": (_records, "dataframe_records", "3"),
    "instances": (_instances, "instances", 3),
    "inputs as columns": (_columns, "inputs", "3"),
    "MLflow 1.x split": (_legacy, "data", "3"),
    "V2 tensor per column": (_v2_columns, "inputs", "3"),
}


@pytest.mark.parametrize("n_rows", [1, 3])
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("cell", BAD_CELLS)
def test_a_cell_that_is_not_one_value_is_a_400_naming_row_and_column(
    client: httpx.Client, cell: str, route: str, n_rows: int
) -> None:
    build, source, column = ROUTES[route]
    path, body = build(_rows(BAD_CELLS[cell], n_rows))
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["message"] == (
        f"{source} row {n_rows}, column {column}: expected a number, got {DESCRIBED[cell]}"
    )
    assert (answer["row"], str(answer["column"])) == (n_rows, str(column))


def test_a_two_d_v2_tensor_cannot_smuggle_a_list_into_a_cell(client: httpx.Client) -> None:
    tensor = {"name": "x", "shape": [1, 14], "datatype": "FP64", "data": [[*BOOK_ROW[:13], [1]]]}
    response = client.post("/v2/models/training-model-psystock/infer", json={"inputs": [tensor]})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "inputs[0].data row 1, column 13: expected a number, got a list of 1 values"
    )


@pytest.mark.parametrize("route", ["dataframe_split", "instances", "V2 tensor per column"])
def test_a_boolean_in_a_number_column_is_refused_alike_on_every_route(
    client: httpx.Client, route: str
) -> None:
    build, source, column = ROUTES[route]
    path, body = build(_rows(True, 2))
    response = client.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["message"] == (
        f"{source} row 2, column {column}: expected a number (true and false only in boolean"
        " columns), got true"
    )


def test_a_v2_bool_tensor_is_refused_like_json_booleans(client: httpx.Client) -> None:
    tensor = {"name": "x", "shape": [1, 14], "datatype": "BOOL", "data": [True] * 14}
    response = client.post("/v2/models/training-model-psystock/infer", json={"inputs": [tensor]})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "inputs[0].data row 1, column 0: expected a number (true and false only in boolean"
        " columns), got true"
    )


def test_an_error_echoes_at_most_about_200_characters_of_a_huge_column_name(
    client: httpx.Client,
) -> None:
    huge = "c" * (9 << 20)
    body = {
        "dataframe_records": [dict.fromkeys(COLUMNS, 1), {**dict.fromkeys(COLUMNS, 1), huge: 1}]
    }
    response = client.post("/invocations", json=body)
    assert response.status_code == 400
    assert len(response.content) < 1500
    assert response.json()["message"].startswith(
        "dataframe_records row 2: expected the keys of row 1, got unexpected 'cccccccccc"
    )
    assert response.json()["message"].count("c") < 250


def test_an_error_echoes_at_most_about_200_characters_of_a_huge_cell(client: httpx.Client) -> None:
    body = {"dataframe_split": {"data": [[*BOOK_ROW[:13], "x" * (9 << 20)]]}}
    response = client.post("/invocations", json=body)
    assert response.status_code == 400
    answer = response.json()
    assert len(response.content) < 1500
    assert answer["message"].startswith(
        "dataframe_split.data row 1, column 13: expected a number, got 'xxx"
    )
    assert len(answer["message"]) < 200  # the cell is shown by its first 36 characters
    assert answer["got"] == "'" + "x" * 36 + "..."


def _chunks(total: int, size: int = 1 << 20) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_body_over_the_limit_gets_a_413_the_sending_client_can_read(
    start_api: Callable[..., BackgroundServer], registered_model: Any, declared: bool
) -> None:
    api = start_api(registered_model.uri, max_body_bytes=1 << 20)
    total = 64 << 20
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(total)
    response = httpx.post(
        f"{api.url}/invocations", content=_chunks(total), headers=headers, timeout=60
    )
    assert response.status_code == 413
    limit = 1 << 20
    expected = f"request body size in bytes over the limit of {limit}"
    assert response.json()["message"] == (expected + f", got {total}" if declared else expected)
    assert httpx.post(f"{api.url}/invocations", json={"instances": [BOOK_ROW]}).status_code == 200


def test_a_gzipped_body_is_decoded(client: httpx.Client) -> None:
    body = gzip.compress(json.dumps({"instances": [BOOK_ROW]}).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = client.post("/invocations", content=body, headers=headers)
    assert response.status_code == 200
    assert len(response.json()["predictions"]) == 1


def test_a_gzip_bomb_stops_at_the_limit_with_a_413(client: httpx.Client) -> None:
    bomb = gzip.compress(b"[" + b" " * (200 << 20) + b"]", compresslevel=9)
    assert len(bomb) < 1 << 20
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    response = client.post("/invocations", content=bomb, headers=headers)
    assert response.status_code == 413
    assert response.json()["message"] == (
        f"decoded (gunzipped) request body size in bytes over the limit of {10 << 20}"
    )


@pytest.mark.parametrize(
    ("encoding", "body", "status", "message"),
    [
        (
            "br",
            b"{}",
            415,
            "unsupported Content-Encoding 'br': expected one of gzip, identity, or none",
        ),
        (
            "gzip",
            b"not gzip",
            400,
            "request body is not valid gzip: Error -3 while decompressing data:"
            " incorrect header check",
        ),
        (
            "gzip",
            gzip.compress(b'{"instances": [[1]]}')[:-12],
            400,
            "request body is not valid gzip: the data ends early",
        ),
    ],
)
def test_other_encodings_and_corrupt_gzip_are_refused(
    client: httpx.Client, encoding: str, body: bytes, status: int, message: str
) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
    response = client.post("/invocations", content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["message"] == message
