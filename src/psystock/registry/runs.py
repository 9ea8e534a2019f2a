"""Record a job as an MLflow run: create it, log params/metrics/tags, upload files, end it.

With an ``http(s)`` tracking URI this speaks MLflow's REST API (no ``import mlflow``: the
batch job stays within its memory budget); otherwise, and when the server asks for
credentials, it uses ``MlflowClient``. Failures become ``RegistryError`` here.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import urlsplit

from psystock.errors import ModelNotFoundError, RegistryError
from psystock.registry._rest import RegistryAuthError, RestClient
from psystock.registry.resolve import is_http_uri
from psystock.settings import Settings

FINISHED = "FINISHED"
FAILED = "FAILED"
KILLED = "KILLED"
MAX_VALUE_CHARS = 5000
"""Longest param/tag value sent (MLflow rejects params over 6000 characters)."""


class RunRecorder(ABC):
    """One MLflow run being recorded."""

    run_id: str
    experiment_id: str

    @abstractmethod
    def log(
        self,
        params: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        """Log params, metrics and tags in one request."""

    @abstractmethod
    def upload(self, source: Path) -> None:
        """Upload a local file to the run's artifact root."""

    @abstractmethod
    def finish(self, status: str) -> None:
        """End the run with ``FINISHED``, ``FAILED`` or ``KILLED``."""


def start_run(
    settings: Settings, experiment: str, run_name: str, tags: dict[str, str]
) -> RunRecorder:
    """Create a run named ``run_name`` in ``experiment`` (created if missing).

    Raises:
        RegistryError: the tracking server failed or cannot be reached.
    """
    uri = settings.resolved_tracking_uri
    if is_http_uri(uri):
        try:
            return _RestRunRecorder(settings, experiment, run_name, tags)
        except RegistryAuthError:
            pass  # MlflowClient knows MLflow's credential variables
    return _ClientRunRecorder(settings, experiment, run_name, tags)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _pairs(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": str(v)[:MAX_VALUE_CHARS]} for k, v in values.items()]


class _RestRunRecorder(RunRecorder):
    def __init__(self, settings: Settings, experiment: str, run_name: str, tags: dict[str, str]):
        self._client = RestClient(
            settings.resolved_tracking_uri, settings.registry.client_timeout_s
        )
        try:
            self.experiment_id = self._experiment_id(experiment)
            body = {
                "experiment_id": self.experiment_id,
                "run_name": run_name,
                "start_time": _now_ms(),
                "tags": _pairs({"mlflow.runName": run_name, **tags}),
            }
            run = self._client.post_json("/runs/create", body, what=f"creating run {run_name}")
        except RegistryError:
            self._client.__exit__(None, None, None)
            raise
        self.run_id = run["run"]["info"]["run_id"]
        self._artifact_uri = run["run"]["info"]["artifact_uri"]

    def _experiment_id(self, name: str) -> str:
        what = f"finding experiment {name}"
        params = {"experiment_name": name}
        try:
            found = self._client.get_json(
                "/experiments/get-by-name", params, what=what, reference=name
            )
            return str(found["experiment"]["experiment_id"])
        except ModelNotFoundError:
            pass  # "not found" answers are reported as ModelNotFoundError by the REST client
        try:
            created = self._client.post_json(
                "/experiments/create", {"name": name}, what=f"creating experiment {name}"
            )
        except RegistryError:
            # Another job created it between our two requests.
            found = self._client.get_json("/experiments/get-by-name", params, what=what)
            return str(found["experiment"]["experiment_id"])
        return str(created["experiment_id"])

    def log(
        self,
        params: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        now = _now_ms()
        body = {
            "run_id": self.run_id,
            "params": _pairs(params or {}),
            "tags": _pairs(tags or {}),
            "metrics": [
                {"key": k, "value": float(v), "timestamp": now, "step": 0}
                for k, v in (metrics or {}).items()
            ],
        }
        self._client.post_json("/runs/log-batch", body, what=f"logging to run {self.run_id}")

    def upload(self, source: Path) -> None:
        parts = urlsplit(self._artifact_uri)
        if parts.scheme != "mlflow-artifacts":
            raise RegistryError(
                f"uploading {source.name} to run {self.run_id}: expected a proxied artifact "
                f"store (mlflow-artifacts:/), got {self._artifact_uri}"
            )
        self._client.upload_file(source, f"{parts.path.strip('/')}/{source.name}")

    def finish(self, status: str) -> None:
        body = {"run_id": self.run_id, "status": status, "end_time": _now_ms()}
        try:
            self._client.post_json("/runs/update", body, what=f"ending run {self.run_id}")
        finally:
            self._client.__exit__(None, None, None)


class _ClientRunRecorder(RunRecorder):
    def __init__(self, settings: Settings, experiment: str, run_name: str, tags: dict[str, str]):
        from psystock.registry._client import create_client
        from psystock.registry._errors import translate_mlflow_errors

        self._translate = translate_mlflow_errors
        self._client = create_client(settings)
        with self._translate(f"creating run {run_name} in experiment {experiment}"):
            found = self._client.get_experiment_by_name(experiment)
            self.experiment_id = (
                found.experiment_id if found else self._client.create_experiment(experiment)
            )
            run = self._client.create_run(self.experiment_id, run_name=run_name, tags=tags)
        self.run_id = run.info.run_id

    def log(
        self,
        params: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        from mlflow.entities import Metric, Param, RunTag

        now = _now_ms()
        with self._translate(f"logging to run {self.run_id}"):
            self._client.log_batch(
                self.run_id,
                metrics=[Metric(k, float(v), now, 0) for k, v in (metrics or {}).items()],
                params=[Param(k, str(v)[:MAX_VALUE_CHARS]) for k, v in (params or {}).items()],
                tags=[RunTag(k, str(v)[:MAX_VALUE_CHARS]) for k, v in (tags or {}).items()],
            )

    def upload(self, source: Path) -> None:
        with self._translate(f"uploading {source.name} to run {self.run_id}"):
            self._client.log_artifact(self.run_id, str(source))

    def finish(self, status: str) -> None:
        with self._translate(f"ending run {self.run_id}"):
            self._client.set_terminated(self.run_id, status=status)
