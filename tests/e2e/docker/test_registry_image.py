"""The registry image on the machine's real PostgreSQL, its artifacts in an S3-compatible store
(moto's server on loopback), and the api image resolving its model from it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from psystock.deploy.docker import BuiltImage
from tests.conftest import free_port, stop_process_group
from tests.e2e.docker.conftest import ROWS, in_process_probabilities
from tests.e2e.docker.containers import running, wait_for_ok
from tests.e2e.docker.test_api_image import predict
from tests.integration.registry.test_server_postgres import (
    MODEL_NAME,
    postgres_database,  # noqa: F401 - a fixture of this module too
    register_through,
)

BUCKET = "psystock-artifacts"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture
def s3_endpoint(tmp_path: Path) -> Iterator[str]:
    """moto's S3 server on a loopback port, with an empty bucket."""
    port = free_port()
    log = (tmp_path / "moto.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.put(f"{url}/{BUCKET}", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, (tmp_path / "moto.log").read_text()
            time.sleep(0.1)
        else:
            raise AssertionError(f"moto's server at {url} did not create bucket {BUCKET}")
        yield url
    finally:
        stop_process_group(process, timeout_s=10)
        log.close()


def _objects(s3_endpoint: str) -> list[str]:
    import boto3  # noqa: TID251 (reads the S3 stand-in; no AWS is contacted)

    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
    )
    listed = client.list_objects_v2(Bucket=BUCKET)
    return [str(item["Key"]) for item in listed.get("Contents", [])]


def test_registry_image_on_postgresql_and_s3_serves_a_model_to_the_api_image(
    registry_image: BuiltImage,
    api_image: BuiltImage,
    postgres_database: str,  # noqa: F811 - the imported fixture
    s3_endpoint: str,
    tmp_path: Path,
) -> None:
    port = free_port()
    environment = {
        "MLFLOW_PORT": str(port),
        "MLFLOW_BACKEND_STORE_URI": postgres_database.replace(
            "postgresql://", "postgresql+psycopg2://"
        ),
        "MLFLOW_ARTIFACTS_DESTINATION": f"s3://{BUCKET}/artifacts",
        "MLFLOW_S3_ENDPOINT_URL": s3_endpoint,
        **CREDENTIALS,
    }
    with running(registry_image.tag, environment=environment) as registry:
        url = f"http://127.0.0.1:{port}"
        wait_for_ok(f"{url}/health", registry, timeout_s=180)
        assert registry.exec("id", "-u").strip() == "10001"
        version = register_through(url)
        keys = _objects(s3_endpoint)
        assert any(key.startswith("artifacts/") and key.endswith("MLmodel") for key in keys), keys
        reference = f"models:/{MODEL_NAME}/{version}"
        api_port = free_port()
        api_environment = {
            "PSYSTOCK_SERVING__PORT": str(api_port),
            "MLFLOW_TRACKING_URI": url,
            "PSYSTOCK_SCORING__MODEL_URI": reference,
        }
        with running(api_image.tag, environment=api_environment) as api:
            wait_for_ok(f"http://127.0.0.1:{api_port}/ping", api)
            expected = in_process_probabilities(url, reference, tmp_path)
            answer = predict(f"http://127.0.0.1:{api_port}", {"instances": ROWS})
            assert np.array_equal(answer, expected)
