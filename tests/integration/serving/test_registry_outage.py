"""A registry outage seen through /health: a real ``mlflow server`` of this test's own is
stopped under load and started again; predictions keep answering 200 throughout."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from psystock.serving import BackgroundServer
from psystock.settings import load_settings
from tests.conftest import (
    free_port,
    log_xgboost_booster,
    start_mlflow_server,
    stop_process_group,
)
from tests.integration.serving.conftest import BOOK_ROW

BODY = {"dataframe_split": {"data": [BOOK_ROW]}}


class OwnRegistry:
    """A registry only this test uses, on a fixed port, that can be stopped and started again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = start_mlflow_server(self.root, self.port)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            stop_process_group(self._process)


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[OwnRegistry]:
    registry = OwnRegistry(tmp_path / "registry")
    registry.root.mkdir()
    registry.start()
    try:
        yield registry
    finally:
        registry.stop()


def _registry_state(api: BackgroundServer) -> dict[str, Any]:
    answer = httpx.get(f"{api.url}/health", timeout=5)
    assert answer.status_code == 200, answer.text
    registry: dict[str, Any] = answer.json()["registry"]
    return registry


def _wait_for(predicate: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def test_health_counts_registry_failures_while_predictions_answer_then_recovers(
    own_registry: OwnRegistry, tmp_path: Path
) -> None:
    import mlflow
    from mlflow import MlflowClient

    registry = own_registry
    mlflow.set_tracking_uri(registry.url)
    version = log_xgboost_booster("outage-model")
    MlflowClient(registry.url).set_registered_model_alias("outage-model", "production", version)
    settings = load_settings(
        home=tmp_path / "api-home",
        tracking_uri=registry.url,
        scoring={"model_uri": "models:/outage-model@production"},
        serving={"port": 0, "poll_interval_s": 0.2, "webhook": False},
        registry={"client_timeout_s": 2},
    )
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def load() -> None:
        with httpx.Client(base_url=api.url, timeout=10) as client:
            while not stop.is_set():
                statuses[client.post("/invocations", json=BODY).status_code] += 1
                time.sleep(0.01)

    with BackgroundServer(settings) as api:
        api.wait_until_loaded()
        healthy = _registry_state(api)
        assert healthy["consecutive_failures"] == 0
        assert "last_error" not in healthy
        last_success = datetime.fromisoformat(healthy["last_success_at"])
        loader = threading.Thread(target=load)
        loader.start()
        try:
            registry.stop()
            _wait_for(lambda: _registry_state(api)["consecutive_failures"] >= 3)
            failing = _registry_state(api)
            assert failing["last_error"].startswith(
                "resolving models:/outage-model@production: registry"
            )
            assert "unreachable" in failing["last_error"]
            assert datetime.fromisoformat(failing["last_success_at"]) >= last_success
            stale = failing["last_success_at"]
            time.sleep(1.0)
            later = _registry_state(api)
            assert later["consecutive_failures"] > failing["consecutive_failures"]
            assert later["last_success_at"] == stale  # no success while it is down

            registry.start()
            _wait_for(lambda: _registry_state(api)["consecutive_failures"] == 0)
            recovered = _registry_state(api)
            assert "last_error" not in recovered
            assert datetime.fromisoformat(recovered["last_success_at"]) > datetime.fromisoformat(
                stale
            )
        finally:
            stop.set()
            loader.join(30)
    assert set(statuses) == {200}, statuses
    assert statuses[200] > 50
