"""SageMaker's runtime client (boto3) works unchanged against the API: no AWS is contacted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from psystock.scoring import LoadedModel
from psystock.serving import BackgroundServer
from tests.integration.serving.conftest import BOOK_ROW, as_float32, expected_predictions

if TYPE_CHECKING:
    from mypy_boto3_sagemaker_runtime import SageMakerRuntimeClient


def _runtime_client(url: str) -> SageMakerRuntimeClient:
    import boto3  # noqa: TID251 (a client of the API under test; no AWS is contacted)

    return boto3.client(
        "sagemaker-runtime",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_boto3_invoke_endpoint_with_the_books_body_answers_a_bare_list(
    api: BackgroundServer, reference_model: LoadedModel
) -> None:
    client = _runtime_client(api.url)
    body = pd.DataFrame([[1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]]).to_json(orient="split")
    response = client.invoke_endpoint(
        EndpointName="psystock", Body=body, ContentType="application/json"
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["ContentType"] == "application/json"
    answer = json.loads(response["Body"].read())
    assert isinstance(answer, list)
    assert np.array_equal(as_float32(answer), expected_predictions(reference_model, [BOOK_ROW]))


def test_boto3_invoke_endpoint_with_csv_answers_predictions(
    api: BackgroundServer, reference_model: LoadedModel
) -> None:
    client = _runtime_client(api.url)
    response = client.invoke_endpoint(
        EndpointName="psystock", Body=",".join(map(str, BOOK_ROW)), ContentType="text/csv"
    )
    answer = json.loads(response["Body"].read())
    expected = expected_predictions(reference_model, [BOOK_ROW])
    assert np.array_equal(as_float32(answer["predictions"]), expected)


def test_boto3_invoke_endpoint_bad_body_raises_the_apis_message(api: BackgroundServer) -> None:
    from botocore.exceptions import ClientError

    client = _runtime_client(api.url)
    with pytest.raises(ClientError, match="CSV row 1: expected 14 columns, got 2") as raised:
        client.invoke_endpoint(EndpointName="psystock", Body="1,0", ContentType="text/csv")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
