"""The Open Inference Protocol (V2) over real HTTP."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from psystock.scoring import LoadedModel
from tests.integration.serving.conftest import BOOK_ROW, ROWS, as_float32, expected_predictions

NAME = "training-model-psystock"


def test_v2_health_and_server_metadata(client: httpx.Client) -> None:
    assert client.get("/v2/health/live").json() == {"live": True}
    assert client.get("/v2/health/ready").json() == {"ready": True}
    metadata = client.get("/v2").json()
    assert metadata["name"] == "psystock"
    assert metadata["extensions"] == []


def test_v2_model_metadata_describes_the_served_model(
    client: httpx.Client, reference_model: LoadedModel
) -> None:
    response = client.get(f"/v2/models/{NAME}")
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["name"] == NAME
    assert metadata["versions"] == [reference_model.info.version]
    assert metadata["platform"] == "xgboost"
    assert [tensor["name"] for tensor in metadata["inputs"]] == [str(i) for i in range(14)]
    assert {tensor["datatype"] for tensor in metadata["inputs"]} == {"INT64"}
    assert metadata["outputs"] == [{"name": "predict", "datatype": "FP32", "shape": [-1]}]
    version = reference_model.info.version
    assert client.get(f"/v2/models/{NAME}/versions/{version}").json() == metadata
    assert client.get(f"/v2/models/{NAME}/ready").json() == {"name": NAME, "ready": True}


def test_v2_infer_one_2d_tensor(client: httpx.Client, reference_model: LoadedModel) -> None:
    flat = [value for row in ROWS for value in row]
    body = {
        "id": "req-1",
        "inputs": [{"name": "input-0", "shape": [3, 14], "datatype": "INT64", "data": flat}],
    }
    response = client.post(f"/v2/models/{NAME}/infer", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["id"] == "req-1"
    assert answer["model_name"] == NAME
    assert answer["model_version"] == reference_model.info.version
    (output,) = answer["outputs"]
    assert output["name"] == "predict"
    assert output["shape"] == [3]
    assert output["datatype"] == "FP32"
    assert np.array_equal(as_float32(output["data"]), expected_predictions(reference_model, ROWS))


def test_v2_infer_nested_data_and_versioned_path(
    client: httpx.Client, reference_model: LoadedModel
) -> None:
    body = {"inputs": [{"name": "x", "shape": [3, 14], "datatype": "FP64", "data": ROWS}]}
    version = reference_model.info.version
    response = client.post(f"/v2/models/{NAME}/versions/{version}/infer", json=body)
    assert response.status_code == 200, response.text
    assert "id" not in response.json()
    data = response.json()["outputs"][0]["data"]
    assert np.array_equal(as_float32(data), expected_predictions(reference_model, ROWS))


def test_v2_infer_one_named_tensor_per_column(
    client: httpx.Client, reference_model: LoadedModel
) -> None:
    order = list(reversed(range(14)))  # matched by name, not by position
    inputs = [
        {"name": str(c), "shape": [3], "datatype": "INT64", "data": [row[c] for row in ROWS]}
        for c in order
    ]
    response = client.post(f"/v2/models/{NAME}/infer", json={"inputs": inputs})
    assert response.status_code == 200, response.text
    data = response.json()["outputs"][0]["data"]
    assert np.array_equal(as_float32(data), expected_predictions(reference_model, ROWS))


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "/v2/models/other",
            "model other: not served here; this server serves training-model-psystock",
        ),
        (
            f"/v2/models/{NAME}/versions/999",
            f"model {NAME} version 999: this server serves version {{version}}",
        ),
        (
            "/v2/models/other/ready",
            "model other: not served here; this server serves training-model-psystock",
        ),
    ],
)
def test_v2_unknown_model_or_version_answers_404(
    client: httpx.Client, reference_model: LoadedModel, path: str, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == message.format(version=reference_model.info.version)
    assert response.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_v2_infer_unknown_model_answers_404(client: httpx.Client) -> None:
    body = {"inputs": [{"name": "x", "shape": [1, 14], "datatype": "INT64", "data": BOOK_ROW}]}
    response = client.post("/v2/models/other/infer", json=body)
    assert response.status_code == 404


BAD = {
    "no inputs": ({"id": "1"}, "inputs: expected a non-empty list of tensors, got null"),
    "wrong count": (
        {"inputs": [{"name": "x", "shape": [1, 14], "datatype": "FP32", "data": BOOK_ROW[:13]}]},
        "inputs[0].data: expected 14 values for shape [1, 14], got 13",
    ),
    "string in numeric tensor": (
        {"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1, "a"]}]},
        "inputs[0].data[1]: expected a number (FP32), got 'a'",
    ),
    "bad datatype": (
        {"inputs": [{"name": "x", "shape": [1], "datatype": "FLOAT", "data": [1]}]},
        "inputs[0].datatype: expected one of BOOL, BYTES, FP16, FP32, FP64, INT16, INT32, INT64,"
        " INT8, UINT16, UINT32, UINT64, UINT8, got 'FLOAT'",
    ),
    "rows differ": (
        {
            "inputs": [
                {"name": "0", "shape": [2], "datatype": "INT64", "data": [1, 0]},
                {"name": "1", "shape": [1], "datatype": "INT64", "data": [1]},
            ]
        },
        "inputs[1].shape: expected 2 rows like inputs[0], got 1",
    ),
    "too few features": (
        {"inputs": [{"name": "x", "shape": [1, 13], "datatype": "INT64", "data": BOOK_ROW[:13]}]},
        "inputs[0].data row 1: expected 14 columns, got 13",
    ),
}


@pytest.mark.parametrize(("body", "message"), BAD.values(), ids=BAD.keys())
def test_v2_infer_bad_request_answers_400_in_the_protocol_format(
    client: httpx.Client, body: dict[str, object], message: str
) -> None:
    response = client.post(f"/v2/models/{NAME}/infer", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == message


def test_v2_infer_rejects_non_json_content_type(client: httpx.Client) -> None:
    response = client.post(
        f"/v2/models/{NAME}/infer", content=b"1,2", headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 415
    assert (
        response.json()["error"]
        == "unsupported content type 'text/csv': expected one of application/json"
    )
