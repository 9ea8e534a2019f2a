"""``mlflow deployments ... -t psystock-sagemaker:/REGION``: the plugin through MLflow's own CLI.

Each command is the real ``mlflow`` executable in a subprocess, against moto over HTTP;
``predict`` reaches a real psystock API through ``AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`` (moto's
InvokeEndpoint answers a fixed text, not a model's predictions).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from psystock.scoring import ModelInput, ScoringRuntime
from psystock.serving import BackgroundServer
from psystock.settings import load_settings
from tests.integration.deploy.sagemaker.conftest import BUCKET, IMAGE, REGION, Moto

TARGET = f"psystock-sagemaker:/{REGION}"
NAME = "psystock-plugin"
ROWS = [[1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], [0] * 14, [1] * 14]


def mlflow(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlflow", "deployments", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
        check=False,
    )


def config(moto: Moto) -> list[str]:
    return [
        "-C", f"execution_role_arn={moto.role_arn}", "-C", f"image_url={IMAGE}",
        "-C", f"bucket={BUCKET}", "-C", "instance_type=ml.m5.xlarge",
    ]  # fmt: skip


@pytest.fixture
def api(model_dir: Path, tmp_path: Path) -> Iterator[BackgroundServer]:
    settings = load_settings(
        home=tmp_path / "api-home",
        scoring={"model_uri": str(model_dir)},
        serving={"port": 0, "poll_interval_s": 0},
    )
    server = BackgroundServer(settings)
    server.start()
    try:
        server.wait_until_loaded(timeout_s=60)
        yield server
    finally:
        server.stop()


def test_mlflow_deployments_create_get_list_update_delete(
    moto: Moto, model_dir: Path, tmp_path: Path
) -> None:
    created = mlflow("create", "-t", TARGET, "--name", NAME, "-m", model_dir, *config(moto))
    assert created.returncode == 0, created.stderr
    assert f"deployment {NAME} is created" in created.stdout + created.stderr
    got = mlflow("get", "-t", TARGET, "--name", NAME)
    assert got.returncode == 0, got.stderr
    assert f"name: {NAME}\nstatus: InService\n" in got.stdout, got.stdout
    listed = mlflow("list", "-t", TARGET)
    assert listed.returncode == 0, listed.stderr
    assert f"'name': '{NAME}'" in listed.stdout
    again = mlflow("create", "-t", TARGET, "--name", NAME, "-m", model_dir, *config(moto))
    assert again.returncode != 0
    assert f"endpoint {NAME} already exists (InService): deploy with --mode replace" in (
        again.stderr
    )
    before = moto.leftovers()
    updated = mlflow("update", "-t", TARGET, "--name", NAME, "-m", model_dir, *config(moto))
    assert updated.returncode == 0, updated.stderr
    after = moto.leftovers()
    assert len(after["models"]) == 1
    assert after["models"] != before["models"]
    assert len(after["configs"]) == 1
    deleted = mlflow("delete", "-t", TARGET, "--name", NAME)
    assert deleted.returncode == 0, deleted.stderr
    assert moto.leftovers() == {"endpoints": [], "configs": [], "models": [], "objects": []}
    assert mlflow("delete", "-t", TARGET, "--name", NAME).returncode == 0  # idempotent


def test_mlflow_deployments_predict_sends_the_books_body_through_the_runtime_api(
    moto: Moto,
    model_dir: Path,
    api: BackgroundServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", api.url)
    rows = tmp_path / "rows.json"
    # mlflow's CLI reads the file with pd.read_json (columns orient); the plugin sends the
    # frame on as the book's body, to_json(orient="split").
    rows.write_text(pd.DataFrame(ROWS).to_json())
    output = tmp_path / "predictions.json"
    done = mlflow("predict", "-t", TARGET, "--name", NAME, "--input-path", rows,
                  "--output-path", output)  # fmt: skip
    assert done.returncode == 0, done.stderr
    runtime = ScoringRuntime(load_settings(home=tmp_path / "reference"))
    model = runtime.load(str(model_dir))
    expected = np.asarray(model.predict(model.prepare(ModelInput(np.array(ROWS)))), np.float32)
    answer = json.loads(output.read_text())
    got = np.asarray(answer["predictions"] if isinstance(answer, dict) else answer, np.float32)
    assert np.array_equal(got, expected)


def test_target_help_names_the_config_keys(moto: Moto) -> None:
    done = mlflow("help", "-t", "psystock-sagemaker")
    assert done.returncode == 0, done.stderr
    assert "execution_role_arn" in done.stdout


def test_get_deploy_client_in_python_creates_predicts_and_deletes(
    moto: Moto,
    model_dir: Path,
    api: BackgroundServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from mlflow.deployments import get_deploy_client
    from mlflow.exceptions import MlflowException

    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", api.url)
    client = get_deploy_client(TARGET)  # type: ignore[no-untyped-call]
    settings = {
        "execution_role_arn": moto.role_arn,
        "image_url": IMAGE,
        "bucket": BUCKET,
        "instance_count": "2",
    }
    created = client.create_deployment(NAME, str(model_dir), config=settings)
    assert (created["name"], created["status"]) == (NAME, "InService")
    added = client.update_deployment(NAME, str(model_dir), config={**settings, "mode": "add"})
    assert added["status"] == "InService"
    got = client.get_deployment(NAME)
    assert [v["instance_count"] for v in got["variants"]] == [2, 2]
    assert [d["name"] for d in client.list_deployments()] == [NAME]
    frame = pd.DataFrame(ROWS)
    runtime = ScoringRuntime(load_settings(home=tmp_path / "reference"))
    model = runtime.load(str(model_dir))
    expected = np.asarray(model.predict(model.prepare(ModelInput(np.array(ROWS)))), np.float32)
    predictions = client.predict(NAME, frame).get_predictions(predictions_format="ndarray")
    assert np.array_equal(np.asarray(predictions, np.float32), expected)
    with pytest.raises(MlflowException, match=r"^invalid setting"):
        client.create_deployment("other", str(model_dir), config={"no_such_key": "1"})
    with pytest.raises(MlflowException, match=r"updates need a model"):
        client.update_deployment(NAME)
    client.delete_deployment(NAME)
    client.delete_deployment(NAME)
    assert moto.leftovers() == {"endpoints": [], "configs": [], "models": [], "objects": []}
    with pytest.raises(MlflowException, match=rf"^no SageMaker endpoint '{NAME}' in us-east-1$"):
        client.get_deployment(NAME)
