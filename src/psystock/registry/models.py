"""Registered model versions: promote one to a stage, list them with their runs' metrics.

Promotion does it both ways at once: the registry *stage* the book uses (``Production``,
with the previous Production version archived) and the *alias* MLflow recommends now
(``production``), so ``models:/NAME/Production`` and ``models:/NAME@production`` agree.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from psystock.errors import InputError
from psystock.registry import references
from psystock.registry._client import create_client
from psystock.registry._errors import translate_mlflow_errors
from psystock.registry._uris import redact_uri
from psystock.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

logger = logging.getLogger(__name__)

STAGES = ("Staging", "Production", "Archived", "None")
"""The registry stages a version can be moved to, canonically spelled, in the order shown."""

ALIASED_STAGES = ("Staging", "Production")
"""Stages that also get an alias, the stage's name lower-cased. An alias names one version,
so ``Archived`` and ``None`` (which many versions share) get none."""


@dataclass(frozen=True)
class ModelVersionSummary:
    """One registered model version, as ``psystock models list`` shows it.

    Attributes:
        name: registered model name.
        version: version number, as MLflow spells it (a string).
        stage: registry stage (``None`` when it has none).
        aliases: aliases pointing at this version, sorted.
        run_id: the run that produced it, if any.
        created_at: when the version was registered (UTC).
        metrics: the run's metrics (latest value of each).
        source: where its artifacts come from.
    """

    name: str
    version: str
    stage: str
    aliases: tuple[str, ...]
    run_id: str | None
    created_at: datetime
    metrics: dict[str, float]
    source: str

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON-ready values."""
        return {
            "name": self.name,
            "version": self.version,
            "stage": self.stage,
            "aliases": list(self.aliases),
            "run_id": self.run_id,
            "created_at": self.created_at.isoformat(),
            "metrics": dict(self.metrics),
            "source": self.source,
        }


def canonical_stage(stage: str) -> str:
    """``stage`` spelled as MLflow spells it (``production`` → ``Production``).

    Raises:
        InputError: ``stage`` is not one of ``STAGES``.
    """
    known = references.canonical_stage(stage.strip())
    if known is not None:
        return known
    raise InputError(f"stage {stage!r}: expected one of {', '.join(STAGES)}", stage=stage)


def promote(
    settings: Settings, version: str | int, stage: str, model_name: str | None = None
) -> ModelVersionSummary:
    """Move ``version`` of the model to ``stage`` and point the stage's alias at it.

    The versions that were in ``Staging``/``Production`` before are archived; a stage alias
    (``staging``, ``production``) that this version held for another stage is removed.

    Args:
        settings: where the registry is.
        version: the version number.
        stage: ``Staging``, ``Production``, ``Archived`` or ``None``, in any case.
        model_name: registered model name (default ``settings.scoring.model_name``).

    Raises:
        InputError: the stage or the version number is invalid.
        ModelNotFoundError: no such model or version.
        RegistryError: the registry failed or is unreachable.
    """
    stage = canonical_stage(stage)
    number = _version_number(version)
    name = model_name or settings.scoring.model_name
    client = create_client(settings)
    reference = f"models:/{name}/{number}"
    where = redact_uri(settings.resolved_tracking_uri)
    doing = f"promoting {reference} to {stage} at {where}"
    with translate_mlflow_errors(doing, f"models:/{name}"):
        client.get_registered_model(name)
    with translate_mlflow_errors(doing, reference):
        client.get_model_version(name, number)
        _move_stage(client, name, number, stage)
        _move_aliases(client, name, number, stage)
        return _summarize(client, client.get_model_version(name, number), _aliases_of(client, name))


def list_versions(settings: Settings, model_name: str | None = None) -> list[ModelVersionSummary]:
    """Every version of the model, newest first, with its stage, aliases and run metrics.

    Raises:
        ModelNotFoundError: no registered model of that name.
        RegistryError: the registry failed or is unreachable.
    """
    name = model_name or settings.scoring.model_name
    client = create_client(settings)
    where = redact_uri(settings.resolved_tracking_uri)
    with translate_mlflow_errors(f"listing versions of {name} at {where}", f"models:/{name}"):
        aliases = _aliases_of(client, name)
        versions = client.search_model_versions(f"name = '{name}'")
        summaries = [_summarize(client, version, aliases) for version in versions]
    return sorted(summaries, key=lambda summary: int(summary.version), reverse=True)


def _version_number(version: str | int) -> str:
    text = str(version).strip()
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"version {version!r}: expected a positive integer", version=str(version))
    return str(int(text))


def _move_stage(client: MlflowClient, name: str, version: str, stage: str) -> None:
    with warnings.catch_warnings():
        # Stages are deprecated upstream in favour of aliases; psystock uses them on purpose,
        # because the book's workflow (and models:/NAME/Production references) rely on them.
        warnings.filterwarnings(
            "ignore", message=".*stages will be removed", category=FutureWarning
        )
        client.transition_model_version_stage(
            name, version, stage, archive_existing_versions=stage in ALIASED_STAGES
        )
    logger.info("%s version %s is now in stage %s", name, version, stage)


def _move_aliases(client: MlflowClient, name: str, version: str, stage: str) -> None:
    held = {alias for alias, number in _aliases_of(client, name).items() if number == version}
    for other in ALIASED_STAGES:
        if other != stage and other.lower() in held:
            client.delete_registered_model_alias(name, other.lower())
            logger.info("removed alias %s from %s version %s", other.lower(), name, version)
    if stage in ALIASED_STAGES:
        client.set_registered_model_alias(name, stage.lower(), version)
        logger.info("alias %s now points at %s version %s", stage.lower(), name, version)


def _aliases_of(client: MlflowClient, name: str) -> dict[str, str]:
    """Alias → version of the model (search results may lack aliases; the model has them)."""
    return {
        alias: str(number) for alias, number in client.get_registered_model(name).aliases.items()
    }


def _summarize(
    client: MlflowClient, version: ModelVersion, aliases: dict[str, str]
) -> ModelVersionSummary:
    number = str(version.version)
    return ModelVersionSummary(
        name=version.name,
        version=number,
        stage=version.current_stage or "None",
        aliases=tuple(sorted(alias for alias, target in aliases.items() if target == number)),
        run_id=version.run_id or None,
        created_at=datetime.fromtimestamp(version.creation_timestamp / 1000, tz=UTC),
        metrics=_run_metrics(client, version.run_id),
        source=version.source or "",
    )


def _run_metrics(client: MlflowClient, run_id: str | None) -> dict[str, float]:
    """The latest value of each metric of ``run_id``; none when there is no such run."""
    if not run_id:
        return {}
    from mlflow.exceptions import MlflowException

    try:
        run = client.get_run(run_id)
    except MlflowException as exc:
        if exc.error_code == "RESOURCE_DOES_NOT_EXIST":
            return {}  # the run was deleted for good; the version outlives it
        raise
    return dict(run.data.metrics)
