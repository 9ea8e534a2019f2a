"""Record a job as an MLflow run, find the runs of an experiment, and end a run.

Written once over ``RegistryTransport``: with an ``http(s)`` tracking URI this speaks MLflow's
REST API (no ``import mlflow``: the batch job stays within its memory budget), otherwise
``MlflowClient``. Failures become ``RegistryError`` saying what was being done.
"""

from __future__ import annotations

import time
from pathlib import Path

from psystock.errors import RegistryError
from psystock.registry._errors import doing
from psystock.registry.records import RunData, RunRecord, RunStatus
from psystock.registry.transport import RegistryTransport, open_transport
from psystock.registry.transport._rest_json import MAX_VALUE_CHARS, quoted
from psystock.settings import Settings

__all__ = [
    "FAILED",
    "FINISHED",
    "KILLED",
    "MAX_VALUE_CHARS",
    "RunRecord",
    "RunRecorder",
    "RunStatus",
    "find_runs",
    "start_run",
    "terminate_run",
]

FINISHED = RunStatus.FINISHED
FAILED = RunStatus.FAILED
KILLED = RunStatus.KILLED


def now_ms() -> int:
    """Milliseconds since the epoch, MLflow's clock."""
    return int(time.time() * 1000)


class RunRecorder:
    """One MLflow run being recorded; ``finish`` ends it and releases the connection."""

    def __init__(self, transport: RegistryTransport, run: RunRecord) -> None:
        self._transport = transport
        self.run = run
        self.run_id = run.run_id
        self.experiment_id = run.experiment_id

    def __enter__(self) -> RunRecorder:
        return self

    def __exit__(self, _type: object, exc: BaseException | None, _traceback: object) -> None:
        if exc is None:
            self.finish(FINISHED)
        else:
            self.finish(FAILED if isinstance(exc, Exception) else KILLED)

    def log(
        self,
        params: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        """Log params, metrics and tags in one request."""
        with doing(f"logging to run {self.run_id}"):
            data = RunData(params or {}, metrics or {}, tags or {})
            self._transport.log_batch(self.run_id, data, now_ms())

    def upload(self, source: Path) -> None:
        """Upload a local file to the run's artifact root."""
        with doing(f"uploading {source.name} to run {self.run_id}"):
            self._transport.log_artifact(self.run, source)

    def finish(self, status: str) -> None:
        """End the run with ``FINISHED``, ``FAILED`` or ``KILLED``, then ``close``."""
        try:
            with doing(f"ending run {self.run_id}"):
                self._transport.update_run(self.run_id, RunStatus(status), now_ms())
        finally:
            self.close()

    def close(self) -> None:
        """Release the connection without ending the run (it stays as it is)."""
        self._transport.close()


def start_run(
    settings: Settings, experiment: str, run_name: str, tags: dict[str, str]
) -> RunRecorder:
    """Create a run named ``run_name`` in ``experiment`` (created if missing).

    Raises:
        RegistryError: the tracking server failed or cannot be reached, or the experiment
            is deleted.
    """
    transport = open_transport(settings)
    try:
        with doing(f"creating run {run_name} in experiment {experiment}"):
            experiment_id = _experiment_id(transport, experiment)
            run = transport.create_run(experiment_id, run_name, tags, now_ms())
    except BaseException:
        transport.close()
        raise
    return RunRecorder(transport, run)


def find_runs(
    settings: Settings,
    experiment: str,
    *,
    tags: dict[str, str] | None = None,
    status: RunStatus | None = None,
    max_results: int = 100,
) -> list[RunRecord]:
    """The runs of ``experiment`` with all of ``tags`` (and ``status``), newest first.

    An experiment that does not exist has no runs.

    Raises:
        RegistryError: the tracking server failed or cannot be reached.
    """
    conditions = [f"tags.`{key}` = '{quoted(value)}'" for key, value in (tags or {}).items()]
    if status is not None:
        conditions.append(f"attributes.status = '{status}'")
    with open_transport(settings) as transport, doing(f"searching runs of {experiment}"):
        found = transport.get_experiment_by_name(experiment)
        if found is None:
            return []
        return transport.search_runs([found.experiment_id], " AND ".join(conditions), max_results)


def terminate_run(settings: Settings, run_id: str, status: RunStatus) -> None:
    """End the run ``run_id`` with ``status`` (e.g. mark the run of a killed job ``KILLED``).

    Raises:
        ResourceNotFoundError: there is no such run.
        RegistryError: the tracking server failed or cannot be reached.
    """
    with open_transport(settings) as transport, doing(f"ending run {run_id} as {status}"):
        transport.update_run(run_id, status, now_ms())


def _experiment_id(transport: RegistryTransport, name: str) -> str:
    found = transport.get_experiment_by_name(name)
    if found is None:
        try:
            return transport.create_experiment(name)
        except RegistryError:
            # Another job created it between the two requests.
            found = transport.get_experiment_by_name(name)
            if found is None:
                raise
    if found.lifecycle_stage == "deleted":
        raise RegistryError(
            f"experiment {name!r} is deleted: restore it in the MLflow UI, or choose another "
            "experiment name"
        )
    return found.experiment_id
