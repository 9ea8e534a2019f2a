"""Register a local MLflow model directory as a new version of a registered model.

The directory is uploaded as the ``model`` artifact of a new run (in the experiment of the
run that produced the version it derives from, when that run still exists), then registered
from there with the tags and description given, as ``mlflow.register_model`` does for a
logged model. MLflow's exceptions become ``RegistryError`` here.
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from psystock.registry._client import create_client
from psystock.registry._errors import translate_mlflow_errors
from psystock.registry._uris import redact_uri
from psystock.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

logger = logging.getLogger(__name__)

MODEL_ARTIFACT = "model"


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
    client = create_client(settings)
    reference = f"models:/{name}/{version}"
    with translate_mlflow_errors(f"reading {reference}", reference):
        found = client.get_model_version(name, version)
    return VersionSource(
        name=name,
        version=version,
        run_id=found.run_id or None,
        tags=dict(found.tags or {}),
        description=found.description or "",
    )


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
    client = create_client(settings)
    where = redact_uri(settings.resolved_tracking_uri)
    # MLflow writes "View run ... at ..." to stdout; stdout is for psystock's own output.
    chatter = io.StringIO()
    with (
        translate_mlflow_errors(f"registering a new version of {source.name} at {where}"),
        contextlib.redirect_stdout(chatter),
    ):
        experiment_id = _experiment_of(client, source.run_id, settings.training.experiment)
        run = client.create_run(experiment_id, tags=tags, run_name="psystock-models-upgrade")
        run_id = run.info.run_id
        try:
            client.log_artifacts(run_id, str(model_dir), MODEL_ARTIFACT)
        except BaseException:
            client.set_terminated(run_id, "FAILED")
            raise
        client.set_terminated(run_id, "FINISHED")
        version = client.create_model_version(
            source.name,
            f"{run.info.artifact_uri}/{MODEL_ARTIFACT}",
            run_id=run_id,
            tags={**source.tags, **tags},
            description=description,
        )
    logger.debug("mlflow: %s", chatter.getvalue().strip())
    logger.info("registered %s version %s from run %s", source.name, version.version, run_id)
    return NewVersion(source.name, str(version.version), run_id)


def _experiment_of(client: MlflowClient, run_id: str | None, fallback: str) -> str:
    """The experiment of ``run_id`` when the run still exists, else ``fallback`` (by name).

    A deleted ``fallback`` experiment is not restored: the run goes to the default one.
    """
    from mlflow.exceptions import MlflowException

    if run_id:
        try:
            return str(client.get_run(run_id).info.experiment_id)
        except MlflowException as exc:
            if exc.error_code != "RESOURCE_DOES_NOT_EXIST":
                raise
    experiment = client.get_experiment_by_name(fallback)
    if experiment is not None and experiment.lifecycle_stage != "deleted":
        return str(experiment.experiment_id)
    return str(client.create_experiment(fallback)) if experiment is None else "0"
