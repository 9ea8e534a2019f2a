"""moto in server mode on a free port (SageMaker, S3, IAM, STS over real HTTP), and a model.

The server is ``moto_sagemaker.py`` beside this file: moto plus what SageMaker does that moto
lacks (UpdateEndpoint, Creating/Updating transitions, health-check failures). Each test starts
from an empty emulator (moto's reset API) with an IAM role, and talks to it through the
standard AWS variables, as a user's shell would: ``AWS_ENDPOINT_URL`` and dummy credentials.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # noqa: TID251 (the tests look at the emulator's state directly)
import httpx
import pytest

from tests.conftest import free_port, psystock_training_frame, stop_process_group

HERE = Path(__file__).parent
REGION = "us-east-1"
ROLE_NAME = "psystock-sagemaker"
BUCKET = "psystock-models"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/psystock-api:test"
BROKEN_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/psystock-api:broken"
SLOW_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/psystock-api:slow"


@dataclass(frozen=True)
class Moto:
    """The emulator: its URL, a role ARN in it, and boto3 clients to inspect it."""

    url: str
    role_arn: str

    def client(self, service: str) -> Any:
        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def leftovers(self) -> dict[str, list[str]]:
        """Every endpoint, config, model and S3 object the emulator holds."""
        sagemaker = self.client("sagemaker")
        s3 = self.client("s3")
        objects = [
            f"{bucket['Name']}/{item['Key']}"
            for bucket in s3.list_buckets()["Buckets"]
            for item in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
        ]
        return {
            "endpoints": [e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]],
            "configs": [
                c["EndpointConfigName"]
                for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]
            ],
            "models": [m["ModelName"] for m in sagemaker.list_models()["Models"]],
            "objects": objects,
        }


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``moto_sagemaker.py`` on a free loopback port; its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "moto_sagemaker.py"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, f"moto did not start:\n{log_path.read_text()}"
                time.sleep(0.2)
        yield url
    finally:
        stop_process_group(process)


@pytest.fixture
def moto(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Moto:
    """An empty emulator reached through the standard AWS variables, with an IAM role."""
    httpx.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("PSYSTOCK_SAGEMAKER__POLL_INTERVAL_S", "0.05")
    monkeypatch.setenv("PSYSTOCK_HOME", str(tmp_path / "home"))
    server = Moto(moto_server, "")
    role = server.client("iam").create_role(
        RoleName=ROLE_NAME,
        AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}',
    )
    return Moto(moto_server, role["Role"]["Arn"])


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book's model shape saved as an MLflow model directory (native XGBoost booster)."""
    import mlflow
    import xgboost as xgb
    from mlflow.models import infer_signature

    features, label = psystock_training_frame()
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "seed": 7},
        xgb.DMatrix(features, label=label),
        num_boost_round=5,
    )
    path = tmp_path_factory.mktemp("model") / "psystock-model"
    signature = infer_signature(features, booster.inplace_predict(features.to_numpy()))
    mlflow.xgboost.save_model(booster, path, signature=signature)
    return path
