"""Register a local MLflow model directory as a new version of a registered model.

The directory is uploaded as the ``model`` artifact of a new run (in the experiment of the
run that produced the version it derives from, when that run still exists), then registered
from there with the tags and description given, as ``mlflow.register_model`` does for a
logged model. Written over ``RegistryTransport``: an ``http(s)`` registry needs no mlflow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from psystock.errors import ResourceNotFoundError
from psystock.registry._errors import doing
from psystock.registry.records import RunStatus
from psystock.registry.runs import now_ms
from psystock.registry.transport import RegistryTransport, open_transport
from psystock.settings import Settings

logger = logging.getLogger(__name__)

MODEL_ARTIFACT = "model"
RUN_NAME = "psystock-models-upgrade"
DEFAULT_EXPERIMENT_ID = "0"


@dataclass(frozen=True)
class VersionSource:
    """The registered version a new one derives from: what it passes on."""

    name: str
    version: str
    run_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class NewVersion:
    """Where a registered directory ended up."""

    name: str
    version: str
    run_id: str


def read_version(settings: Settings, name: str, version: str) -> VersionSource:
    """The run, tags and description of ``name`` version ``version``.

    Raises:
        ModelNotFoundError: no such version.
        RegistryError: the registry failed or is unreachable.
    """
    reference = f"models:/{name}/{version}"
    with open_transport(settings) as transport, doing(f"reading {reference}", reference):
        found = transport.get_model_version(name, version)
    return VersionSource(name, version, found.run_id, dict(found.tags), found.description)


def register_model_dir(
    settings: Settings,
    model_dir: Path,
    source: VersionSource,
    tags: dict[str, str],
    description: str,
) -> NewVersion:
    """Upload ``model_dir`` and register it as a new version of ``source.name``.

    The run (``psystock-models-upgrade``) carries ``tags``; the version's tags are the
    source's, updated with ``tags``.

    Raises:
        RegistryError: the registry failed or is unreachable.
    """
    with open_transport(settings) as transport:
        where = f"registering a new version of {source.name} at {transport.uri}"
        with doing(where):
            experiment_id = _experiment_of(transport, source.run_id, settings.training.experiment)
            run = transport.create_run(experiment_id, RUN_NAME, tags, now_ms())
            try:
                transport.log_artifact(run, model_dir, MODEL_ARTIFACT)
            except BaseException:
                transport.update_run(run.run_id, RunStatus.FAILED, now_ms())
                raise
            transport.update_run(run.run_id, RunStatus.FINISHED, now_ms())
            version = transport.create_model_version(
                source.name,
                f"{run.artifact_uri}/{MODEL_ARTIFACT}",
                run.run_id,
                {**source.tags, **tags},
                description,
            )
    logger.info("registered %s version %s from run %s", source.name, version.version, run.run_id)
    return NewVersion(source.name, version.version, run.run_id)


def _experiment_of(transport: RegistryTransport, run_id: str | None, fallback: str) -> str:
    """The experiment of ``run_id`` when the run still exists, else ``fallback`` (by name).

    A deleted ``fallback`` experiment is not restored: the run goes to the default one.
    """
    if run_id:
        try:
            return transport.get_run(run_id).experiment_id
        except ResourceNotFoundError:
            pass  # the run was deleted for good; the version outlives it
    experiment = transport.get_experiment_by_name(fallback)
    if experiment is None:
        return transport.create_experiment(fallback)
    return (
        DEFAULT_EXPERIMENT_ID
        if experiment.lifecycle_stage == "deleted"
        else experiment.experiment_id
    )
