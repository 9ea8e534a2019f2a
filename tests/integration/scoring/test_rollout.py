"""The registry watcher against a real registry: back-off per failed version, an unreachable
registry logged once while the loaded model keeps serving."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from psystock.errors import PsystockError
from psystock.registry.resolve import ResolvedModel
from psystock.scoring import ModelInfo, ScoringRuntime
from psystock.scoring.rollout import FIRST_LOAD_RETRY_S, ModelHolder, RegistryWatcher
from psystock.settings import load_settings
from tests.conftest import MlflowServer, RegisteredModel, free_port


class RecordingListener:
    """Keeps the rollout events it is told about."""

    def __init__(self) -> None:
        self.loaded: list[tuple[str | None, str | None]] = []
        self.failed: list[tuple[str | None, str]] = []
        self.registry_errors: list[str] = []

    def on_model_loaded(self, info: ModelInfo, previous: ModelInfo | None) -> None:
        self.loaded.append((info.version, previous.version if previous else None))

    def on_load_failed(self, resolved: ResolvedModel, error: PsystockError) -> None:
        self.failed.append((resolved.version, error.error_code))

    def on_registry_error(self, error: PsystockError) -> None:
        self.registry_errors.append(error.error_code)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _runtime(tracking_uri: str, home: Path) -> ScoringRuntime:
    return ScoringRuntime(load_settings(home=home, tracking_uri=tracking_uri))


def test_watcher_loads_then_keeps_serving_when_the_registry_is_unreachable(
    registered_model: RegisteredModel, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder, listener = ModelHolder(), RecordingListener()
    live = RegistryWatcher(
        _runtime(registered_model.tracking_uri, tmp_path),
        holder,
        registered_model.uri,
        30,
        listener,
    )
    assert live.check_once() is True
    assert live.check_once() is False  # same version: nothing to do
    model = holder.model
    assert model is not None
    assert listener.loaded == [(model.info.version, None)]

    dead_uri = f"http://127.0.0.1:{free_port()}"
    dead = RegistryWatcher(_runtime(dead_uri, tmp_path), holder, registered_model.uri, 30, listener)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="psystock.scoring.rollout"):
        for _ in range(3):
            assert dead.check_once() is False
    assert holder.model is model
    assert listener.registry_errors == ["TEMPORARILY_UNAVAILABLE"] * 3
    # Only warnings count: an earlier CLI test may have set psystock's loggers to INFO.
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("cannot check the registry (")
    assert warnings[0].endswith("); the loaded model keeps serving")


def test_watcher_backs_off_a_version_that_fails_to_load(
    mlflow_server: MlflowServer, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    import mlflow
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server.url)
    name = f"no-artifacts-{tmp_path.name}"
    client.create_registered_model(name)
    mlflow.set_tracking_uri(mlflow_server.url)
    with mlflow.start_run() as run:
        pass
    version = client.create_model_version(
        name, source=f"runs:/{run.info.run_id}/nothing-here", run_id=run.info.run_id
    ).version
    client.transition_model_version_stage(name, version, "Production")

    holder, listener, clock = ModelHolder(), RecordingListener(), Clock()
    watcher = RegistryWatcher(
        _runtime(mlflow_server.url, tmp_path), holder, f"models:/{name}/Production", 1.0,
        listener, clock=clock,
    )  # fmt: skip
    assert watcher.check_once() is False
    assert len(listener.failed) == 1
    assert listener.failed[0][0] == version
    assert holder.model is None
    assert holder.last_error is not None
    first_delay = FIRST_LOAD_RETRY_S * 2
    clock.now += first_delay - 0.1
    watcher.check_once()
    assert len(listener.failed) == 1  # still backing off
    clock.now += 0.2
    watcher.check_once()
    assert len(listener.failed) == 2  # retried once the delay passed, then doubled
    clock.now += first_delay + 0.1
    watcher.check_once()
    assert len(listener.failed) == 2
    clock.now += first_delay
    watcher.check_once()
    assert len(listener.failed) == 3
