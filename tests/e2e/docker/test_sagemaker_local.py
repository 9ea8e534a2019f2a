"""``psystock sagemaker run-local`` on the api image, called through the SageMaker runtime API.

The container runs as SageMaker runs it (model at /opt/ml/model, argument ``serve``); boto3's
``sagemaker-runtime`` client and ``psystock sagemaker invoke`` reach it through an endpoint URL
override. No path translation is needed: the API serves the runtime's own path,
``/endpoints/NAME/invocations``, beside ``/invocations``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3  # noqa: TID251 (a client of the container under test; no AWS is contacted)
import httpx
import numpy as np
import orjson
import pandas as pd
import pytest

from psystock.deploy.docker import BuiltImage
from tests.conftest import RegisteredModel, RunCli, free_port
from tests.e2e.docker.conftest import ROWS, SESSION, in_process_probabilities
from tests.e2e.docker.containers import docker

PSYSTOCK = Path(sys.executable).parent / "psystock"


def predictions(body: bytes) -> np.ndarray:
    answer = orjson.loads(body)
    values = answer["predictions"] if isinstance(answer, dict) else answer
    return np.asarray(values, dtype=np.float32)


@pytest.fixture
def local_endpoint(
    api_image: BuiltImage, registered_model: RegisteredModel, tmp_path: Path
) -> Iterator[str]:
    """``psystock sagemaker run-local`` in the foreground of a subprocess; its URL."""
    port = free_port()
    name = f"psystock-e2e-sagemaker-{SESSION}"
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": registered_model.tracking_uri,
        "PSYSTOCK_HOME": str(tmp_path / "home"),
    }
    log = (tmp_path / "run-local.log").open("wb")
    process = subprocess.Popen(
        [str(PSYSTOCK), "sagemaker", "run-local", "-m", registered_model.uri,
         "--image", api_image.tag, "-p", str(port), "--name", name],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, (tmp_path / "run-local.log").read_text()
            try:
                if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "run-local.log").read_text()
            time.sleep(0.2)
        yield url
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) in (0, 143), (tmp_path / "run-local.log").read_text()
        assert docker("ps", "-aq", "--filter", f"name=^{name}$").strip() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        docker("rm", "-f", name, check=False)
        log.close()


def test_run_local_answers_the_runtime_api_with_the_in_process_predictions(
    local_endpoint: str, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    expected = in_process_probabilities(
        registered_model.tracking_uri, registered_model.uri, tmp_path
    )
    client = boto3.client(
        "sagemaker-runtime",
        endpoint_url=local_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    book_body = pd.DataFrame(ROWS).to_json(orient="split")
    bodies = [
        ("application/json", orjson.dumps({"instances": ROWS})),
        ("application/json", book_body.encode()),  # the book's body
        ("application/json; format=pandas-split", book_body.encode()),
        ("text/csv", "\n".join(",".join(map(str, row)) for row in ROWS).encode()),
    ]
    for content_type, body in bodies:
        answer = client.invoke_endpoint(EndpointName="local", ContentType=content_type, Body=body)
        got = predictions(answer["Body"].read())
        assert np.array_equal(got, expected), (content_type, got, expected)


def test_invoke_command_reaches_the_local_container(
    local_endpoint: str,
    registered_model: RegisteredModel,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", local_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("PSYSTOCK_HOME", str(tmp_path / "home"))
    rows = tmp_path / "rows.json"
    rows.write_text(pd.DataFrame(ROWS).to_json(orient="split"))
    done = run_cli(
        "sagemaker", "invoke", "-a", "local", "--input", rows, "--region-name", "eu-west-1"
    )
    assert done.exit_code == 0, done.stderr
    expected = in_process_probabilities(
        registered_model.tracking_uri, registered_model.uri, tmp_path / "reference"
    )
    assert np.array_equal(predictions(done.stdout.encode()), expected)
    bad = tmp_path / "bad.json"
    bad.write_text('{"instances": [[1, 0]]}')
    done = run_cli(
        "sagemaker", "invoke", "-a", "local", "--input", bad, "--region-name", "eu-west-1"
    )
    assert done.exit_code == 1
    assert done.said.startswith("Error: sagemaker-runtime InvokeEndpoint failed: "), done.said
    assert done.said.count("\n") == 1
