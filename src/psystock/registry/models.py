"""Registered model versions: promote one to a stage, list them with their runs' metrics.

Promotion does it both ways at once: the registry *stage* the book uses (``Production``,
with the previous Production version archived) and the *alias* MLflow recommends now
(``production``), so ``models:/NAME/Production`` and ``models:/NAME@production`` agree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psystock.errors import InputError, ResourceNotFoundError
from psystock.registry import references
from psystock.registry._errors import doing
from psystock.registry.records import ModelVersionRecord
from psystock.registry.transport import RegistryTransport, open_transport
from psystock.settings import Settings

logger = logging.getLogger(__name__)

STAGES = ("Staging", "Production", "Archived", "None")
"""The registry stages a version can be moved to, canonically spelled, in the order shown."""

ALIASED_STAGES = ("Staging", "Production")
"""Stages that also get an alias, the stage's name lower-cased. An alias names one version,
so ``Archived`` and ``None`` (which many versions share) get none."""


@dataclass(frozen=True)
class ModelVersionSummary:
    """One row of ``psystock models list``.

    A version (as in ``ModelVersionRecord``) with the aliases the model gives it (sorted), its
    registration time (UTC) and its run's metrics (latest value of each).
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
    reference = f"models:/{name}/{number}"
    with open_transport(settings) as transport:
        doing_what = f"promoting {reference} to {stage} at {transport.uri}"
        with doing(doing_what, f"models:/{name}"):
            transport.get_registered_model_aliases(name)
        with doing(doing_what, reference):
            transport.get_model_version(name, number)
            _move_stage(transport, name, number, stage)
            _move_aliases(transport, name, number, stage)
            aliases = transport.get_registered_model_aliases(name)
            return _summarize(transport, transport.get_model_version(name, number), aliases)


def list_versions(settings: Settings, model_name: str | None = None) -> list[ModelVersionSummary]:
    """Every version of the model, newest first, with its stage, aliases and run metrics.

    Raises:
        ModelNotFoundError: no registered model of that name.
        RegistryError: the registry failed or is unreachable.
    """
    name = model_name or settings.scoring.model_name
    with (
        open_transport(settings) as transport,
        doing(f"listing versions of {name} at {transport.uri}", f"models:/{name}"),
    ):
        aliases = transport.get_registered_model_aliases(name)
        versions = transport.search_model_versions(name)
        summaries = [_summarize(transport, version, aliases) for version in versions]
    return sorted(summaries, key=lambda summary: int(summary.version), reverse=True)


def _version_number(version: str | int) -> str:
    text = str(version).strip()
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"version {version!r}: expected a positive integer", version=str(version))
    return str(int(text))


def _move_stage(transport: RegistryTransport, name: str, version: str, stage: str) -> None:
    transport.transition_model_version_stage(
        name, version, stage, archive_existing=stage in ALIASED_STAGES
    )
    logger.info("%s version %s is now in stage %s", name, version, stage)


def _move_aliases(transport: RegistryTransport, name: str, version: str, stage: str) -> None:
    held = {
        alias
        for alias, number in transport.get_registered_model_aliases(name).items()
        if number == version
    }
    for other in ALIASED_STAGES:
        if other != stage and other.lower() in held:
            transport.delete_registered_model_alias(name, other.lower())
            logger.info("removed alias %s from %s version %s", other.lower(), name, version)
    if stage in ALIASED_STAGES:
        transport.set_registered_model_alias(name, stage.lower(), version)
        logger.info("alias %s now points at %s version %s", stage.lower(), name, version)


def _summarize(
    transport: RegistryTransport, version: ModelVersionRecord, aliases: dict[str, str]
) -> ModelVersionSummary:
    """The summary of ``version``; aliases come from the model (search results may lack them)."""
    return ModelVersionSummary(
        name=version.name,
        version=version.version,
        stage=version.stage,
        aliases=tuple(
            sorted(alias for alias, target in aliases.items() if target == version.version)
        ),
        run_id=version.run_id,
        created_at=datetime.fromtimestamp(version.created_ms / 1000, tz=UTC),
        metrics=_run_metrics(transport, version.run_id),
        source=version.source,
    )


def _run_metrics(transport: RegistryTransport, run_id: str | None) -> dict[str, float]:
    """The latest value of each metric of ``run_id``; none when there is no such run."""
    if not run_id:
        return {}
    try:
        return dict(transport.get_run(run_id).metrics)
    except ResourceNotFoundError:
        return {}  # the run was deleted for good; the version outlives it
