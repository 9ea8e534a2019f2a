"""Every request format of POST /invocations, over real HTTP, against the runtime's answers."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import orjson
import pandas as pd
import pytest

from psystock.scoring import LoadedModel
from tests.integration.serving.conftest import (
    BOOK_ROW,
    ROWS,
    as_float32,
    expected_predictions,
)

COLUMNS = [str(i) for i in range(14)]
REVERSED = list(reversed(range(14)))


def _post_json(client: httpx.Client, body: Any, content_type: str = "application/json") -> Any:
    response = client.post(
        "/invocations", content=orjson.dumps(body), headers={"Content-Type": content_type}
    )
    assert response.status_code == 200, response.text
    return response.json()


WRAPPED_BODIES = {
    "dataframe_split string names": {"dataframe_split": {"columns": COLUMNS, "data": ROWS}},
    "dataframe_split integer names": {
        "dataframe_split": {"columns": list(range(14)), "index": [0, 1, 2], "data": ROWS}
    },
    "dataframe_split positional": {"dataframe_split": {"data": ROWS}},
    "dataframe_split reordered by name": {
        "dataframe_split": {
            "columns": [str(i) for i in REVERSED],
            "data": [[row[i] for i in REVERSED] for row in ROWS],
        }
    },
    "dataframe_records": {
        "dataframe_records": [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]
    },
    "instances rows": {"instances": ROWS},
    "instances records": {"instances": [dict(zip(COLUMNS, row, strict=True)) for row in ROWS]},
    "inputs rows": {"inputs": ROWS},
    "inputs columns": {"inputs": {c: [row[i] for row in ROWS] for i, c in enumerate(COLUMNS)}},
    "params ignored": {"dataframe_split": {"data": ROWS}, "params": {"threshold": 0.7}},
}


@pytest.mark.parametrize("body", WRAPPED_BODIES.values(), ids=WRAPPED_BODIES.keys())
def test_invocations_mlflow2_formats_answer_wrapped_runtime_predictions(
    client: httpx.Client, reference_model: LoadedModel, body: dict[str, Any]
) -> None:
    answer = _post_json(client, body)
    assert list(answer) == ["predictions"]
    assert np.array_equal(
        as_float32(answer["predictions"]), expected_predictions(reference_model, ROWS)
    )


def _frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS)


LEGACY = {
    "split, application/json": (_frame().to_json(orient="split"), "application/json"),
    "split, format=pandas-split": (
        _frame().to_json(orient="split"),
        "application/json; format=pandas-split",
    ),
    "records, application/json": (_frame().to_json(orient="records"), "application/json"),
    "records, format=pandas-records": (
        _frame().to_json(orient="records"),
        "application/json; format=pandas-records",
    ),
    "rows list": (orjson.dumps(ROWS).decode(), "application/json"),
}


@pytest.mark.parametrize(("body", "content_type"), LEGACY.values(), ids=LEGACY.keys())
def test_invocations_mlflow1_bodies_answer_a_bare_list(
    client: httpx.Client, reference_model: LoadedModel, body: str, content_type: str
) -> None:
    response = client.post("/invocations", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert isinstance(answer, list)
    assert np.array_equal(as_float32(answer), expected_predictions(reference_model, ROWS))


def test_invocations_book_sagemaker_client_body_answers_a_bare_list(
    client: httpx.Client, reference_model: LoadedModel
) -> None:
    body = pd.DataFrame([[1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]]).to_json(orient="split")
    response = client.post(
        "/endpoints/psystock/invocations",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert np.array_equal(
        as_float32(response.json()), expected_predictions(reference_model, [BOOK_ROW])
    )


CSV = {
    "headerless": "\n".join(",".join(map(str, row)) for row in ROWS) + "\n",
    "with header": ",".join(COLUMNS) + "\n" + "\n".join(",".join(map(str, r)) for r in ROWS),
    "pandas to_csv with index": _frame().to_csv(),
    "pandas to_csv without index": _frame().to_csv(index=False),
    "crlf and charset": "\r\n".join(",".join(map(str, row)) for row in ROWS),
}


@pytest.mark.parametrize("body", CSV.values(), ids=CSV.keys())
def test_invocations_csv_answers_wrapped_runtime_predictions(
    client: httpx.Client, reference_model: LoadedModel, body: str
) -> None:
    response = client.post(
        "/invocations", content=body, headers={"Content-Type": "text/csv; charset=utf-8"}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert np.array_equal(
        as_float32(answer["predictions"]), expected_predictions(reference_model, ROWS)
    )


def test_invocations_answers_the_same_on_the_sagemaker_path(client: httpx.Client) -> None:
    body = {"dataframe_split": {"data": ROWS}}
    plain = _post_json(client, body)
    response = client.post("/endpoints/any-name/invocations", json=body)
    assert response.status_code == 200
    assert response.json() == plain


def test_invocations_answers_many_concurrent_requests_each_with_its_own_rows(
    client: httpx.Client, reference_model: LoadedModel
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    rows = [[(i >> bit) & 1 for bit in range(14)] for i in range(64)]
    expected = expected_predictions(reference_model, rows)

    def score(index: int) -> float:
        answer = _post_json(client, {"dataframe_split": {"data": [rows[index]]}})
        return float(answer["predictions"][0])

    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(score, range(64)))
    assert np.array_equal(as_float32(got), expected)
