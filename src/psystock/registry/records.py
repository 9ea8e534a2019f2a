"""What the registry answers, as plain values both transports return alike.

The transports (``psystock.registry.transport``) turn MLflow's REST JSON or ``MlflowClient``
entities into these, so the operations above them (resolve, promote, runs, webhooks) are
written once and never see which transport spoke.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class RunStatus(StrEnum):
    """The states of an MLflow run, as MLflow spells them."""

    RUNNING = "RUNNING"
    SCHEDULED = "SCHEDULED"
    FINISHED = "FINISHED"
    FAILED = "FAILED"
    KILLED = "KILLED"


@dataclass(frozen=True)
class ModelVersionRecord:
    """One registered model version.

    Attributes:
        name: registered model name.
        version: version number, as MLflow spells it (a string).
        stage: registry stage (``None`` when it has none).
        source: where its artifacts came from, as registered (``models:/m-<id>``, a run URI...).
        run_id: the run that produced it, if any.
        created_ms: registration time, milliseconds since the epoch.
        aliases: aliases the registry reported with it (search results may lack them).
        tags: its tags.
        description: its description.
    """

    name: str
    version: str
    stage: str
    source: str
    run_id: str | None
    created_ms: int
    aliases: tuple[str, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class LoggedModelRecord:
    """An MLflow 3 logged model (``models:/m-<id>``)."""

    model_id: str
    run_id: str | None
    artifact_uri: str


@dataclass(frozen=True)
class ExperimentRecord:
    """An experiment: its id and whether it is active or deleted."""

    experiment_id: str
    name: str
    lifecycle_stage: str


@dataclass(frozen=True)
class RunRecord:
    """One run: identity, state, where its artifacts go, and its latest data.

    Attributes:
        run_id: the run's id.
        experiment_id: its experiment.
        name: its run name.
        status: ``RUNNING``, ``FINISHED``, ``FAILED``, ``KILLED`` or ``SCHEDULED``.
        start_ms: start time, milliseconds since the epoch.
        end_ms: end time, when it ended.
        artifact_uri: the root of its artifacts.
        metrics: latest value of each metric.
        params: its parameters.
        tags: its tags.
    """

    run_id: str
    experiment_id: str
    name: str
    status: RunStatus
    start_ms: int
    end_ms: int | None
    artifact_uri: str
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunData:
    """What one ``log_batch`` call records: params, metrics (at step 0) and tags."""

    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookSpec:
    """A webhook to create: ``events`` are ``ENTITY.ACTION`` strings."""

    name: str
    url: str
    events: tuple[str, ...]
    secret: str | None = None
    description: str = ""


@dataclass(frozen=True)
class WebhookRecord:
    """A registry webhook (MLflow >= 3.3).

    Attributes:
        webhook_id: its id.
        name: its name.
        url: where events are POSTed.
        events: the events it fires on, as ``ENTITY.ACTION`` (``model_version_alias.created``).
        status: ``ACTIVE`` or ``DISABLED``.
        description: free text.
    """

    webhook_id: str
    name: str
    url: str
    events: tuple[str, ...]
    status: str
    description: str = ""
