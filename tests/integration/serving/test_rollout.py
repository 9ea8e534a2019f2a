"""Hot rollout over real HTTP: 503 until a model exists, zero failed requests while a new
version rolls out, and a broken version that leaves the old one serving."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from psystock.scoring import ScoringRuntime
from psystock.settings import load_settings
from tests.conftest import MlflowServer, log_xgboost_booster
from tests.integration.serving.conftest import ROWS, as_float32, unique_model_name


def _register(mlflow_server: MlflowServer, name: str, seed: int, rounds: int = 10) -> str:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(mlflow_server.url)
    version = log_xgboost_booster(name, rounds=rounds, seed=seed)
    MlflowClient(mlflow_server.url).transition_model_version_stage(
        name, version, "Production", archive_existing_versions=True
    )
    return version


def _wait_for(predicate: Any, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def _expected(mlflow_server: MlflowServer, tmp_path: Path, name: str, version: str) -> np.ndarray:
    settings = load_settings(home=tmp_path / "ref", tracking_uri=mlflow_server.url)
    model = ScoringRuntime(settings).load(f"models:/{name}/{version}")
    from psystock.scoring import ModelInput

    return np.asarray(model.predict(model.prepare(ModelInput(ROWS))))


def test_health_is_503_until_the_model_is_registered_then_200_after_a_poll(
    start_api: Any, mlflow_server: MlflowServer
) -> None:
    name = unique_model_name("late")
    api = start_api(f"models:/{name}/Production", wait=False, poll_interval_s=0.2)
    _wait_for(lambda: httpx.get(f"{api.url}/ping").json()["message"] != "loading the model")
    waiting = httpx.get(f"{api.url}/ping")
    assert waiting.status_code == 503
    assert waiting.json()["status"] == "unavailable"
    assert waiting.json()["reference"] == f"models:/{name}/Production"
    assert waiting.json()["message"].startswith(f"model models:/{name}/Production: ")
    scored = httpx.post(f"{api.url}/invocations", json={"instances": ROWS})
    assert scored.status_code == 503
    assert scored.json()["error_code"] == "TEMPORARILY_UNAVAILABLE"
    assert scored.json()["message"].startswith(
        f"no model loaded yet for models:/{name}/Production: "
    )
    assert httpx.get(f"{api.url}/v2/health/ready").status_code == 503

    version = _register(mlflow_server, name, seed=1)
    _wait_for(lambda: httpx.get(f"{api.url}/ping").status_code == 200)
    health = httpx.get(f"{api.url}/health").json()
    assert health["status"] == "ok"
    assert (health["model"], health["version"]) == (name, version)
    assert health["reference"] == f"models:/{name}/Production"
    assert health["loaded_at"].endswith("+00:00")


def test_rollout_under_concurrent_load_fails_no_request(
    start_api: Any, mlflow_server: MlflowServer, tmp_path: Path
) -> None:
    name = unique_model_name("rollout")
    first = _register(mlflow_server, name, seed=1)
    api = start_api(f"models:/{name}/Production", poll_interval_s=0.2)
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def fire() -> None:
        with httpx.Client(base_url=api.url, timeout=30) as client:
            while not stop.is_set():
                response = client.post("/invocations", json={"dataframe_split": {"data": ROWS}})
                statuses[response.status_code] += 1

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        second = _register(mlflow_server, name, seed=2, rounds=20)
        _wait_for(lambda: httpx.get(f"{api.url}/health").json()["version"] == second)
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert set(statuses) == {200}, statuses
    assert statuses[200] > 20
    after = httpx.post(f"{api.url}/invocations", json={"dataframe_split": {"data": ROWS}}).json()
    new = _expected(mlflow_server, tmp_path, name, second)
    assert np.array_equal(as_float32(after["predictions"]), new)
    assert not np.array_equal(new, _expected(mlflow_server, tmp_path, name, first))
    metrics = httpx.get(f"{api.url}/metrics").text
    assert "psystock_model_reloads_total 2.0" in metrics
    info = f'psystock_model_info{{model="{name}",reference="models:/{name}/Production"'
    assert f'{info},version="{second}"}} 1.0' in metrics
    assert f'{info},version="{first}"}} 0.0' in metrics


def _corrupt_booster(mlflow_server: MlflowServer, name: str, version: str) -> Path:
    from mlflow import MlflowClient

    source = MlflowClient(mlflow_server.url).get_model_version(name, version).source
    model_id = str(source).rsplit("/", 1)[-1]  # models:/m-<id>
    (directory,) = (
        path for path in (mlflow_server.root / "artifacts").rglob(model_id) if path.is_dir()
    )
    (booster,) = [
        path for path in directory.rglob("model.*") if path.suffix in (".ubj", ".json", ".xgb")
    ]
    booster.write_bytes(b"{ this is not a model")
    return booster


def test_broken_new_version_keeps_the_old_one_serving_and_is_counted(
    start_api: Any, mlflow_server: MlflowServer, tmp_path: Path
) -> None:
    import mlflow

    name = unique_model_name("broken")
    good = _register(mlflow_server, name, seed=1)
    api = start_api(f"models:/{name}/Production", poll_interval_s=0.2)
    mlflow.set_tracking_uri(mlflow_server.url)
    bad = log_xgboost_booster(name, seed=3)
    _corrupt_booster(mlflow_server, name, bad)
    from mlflow import MlflowClient

    MlflowClient(mlflow_server.url).transition_model_version_stage(name, bad, "Production")
    failures = re.compile(
        r"psystock_model_reload_failures_total"
        rf'{{error_code="MODEL_LOAD_ERROR",version="{bad}"}} (\S+)'
    )

    def failure_count() -> float:
        match = failures.search(httpx.get(f"{api.url}/metrics").text)
        return float(match.group(1)) if match else 0.0

    _wait_for(lambda: failure_count() >= 1)
    time.sleep(1.0)  # five more polls: backed off, not retried every tick
    assert failure_count() == 1.0
    health = httpx.get(f"{api.url}/health").json()
    assert (health["status"], health["version"]) == ("ok", good)
    response = httpx.post(f"{api.url}/invocations", json={"instances": ROWS})
    assert response.status_code == 200
    expected = _expected(mlflow_server, tmp_path, name, good)
    assert np.array_equal(as_float32(response.json()["predictions"]), expected)


@pytest.mark.parametrize("reference", ["models:/", "models:/a/b/c"])
def test_invalid_model_reference_fails_when_the_app_is_built(
    start_api: Any, reference: str
) -> None:
    from psystock.errors import ModelReferenceError

    with pytest.raises(ModelReferenceError, match=r"invalid model reference"):
        start_api(reference, wait=False)
