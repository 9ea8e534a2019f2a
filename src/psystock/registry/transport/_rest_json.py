"""MLflow's REST JSON bodies, read into ``psystock.registry.records`` and written from values."""

from __future__ import annotations

from typing import Any

from psystock.errors import RegistryError, ResourceNotFoundError
from psystock.registry.records import (
    ExperimentRecord,
    ModelVersionRecord,
    RunRecord,
    RunStatus,
    WebhookRecord,
)

MAX_VALUE_CHARS = 5000
"""Longest param/tag value sent (MLflow rejects params over 6000 characters)."""


def is_missing(error: RegistryError) -> bool:
    """Whether the registry said the thing does not exist."""
    return isinstance(error, ResourceNotFoundError)


def quoted(value: str) -> str:
    """``value`` inside a single-quoted MLflow filter string."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def pairs(values: dict[str, str]) -> list[dict[str, str]]:
    """``[{"key": k, "value": v}, ...]`` with values cut to ``MAX_VALUE_CHARS``."""
    return [{"key": k, "value": str(v)[:MAX_VALUE_CHARS]} for k, v in values.items()]


def _dict_of(entries: list[dict[str, Any]] | None) -> dict[str, str]:
    return {str(entry["key"]): str(entry.get("value", "")) for entry in entries or []}


def aliases(registered_model: dict[str, Any]) -> dict[str, str]:
    """Alias -> version of a ``RegisteredModel`` body."""
    return {
        str(entry["alias"]): str(entry["version"]) for entry in registered_model.get("aliases", [])
    }


def model_version(body: dict[str, Any]) -> ModelVersionRecord:
    """A ``ModelVersion`` body."""
    return ModelVersionRecord(
        name=str(body["name"]),
        version=str(body["version"]),
        stage=str(body.get("current_stage") or "None"),
        source=str(body.get("source") or ""),
        run_id=body.get("run_id") or None,
        created_ms=int(body.get("creation_timestamp", 0)),
        aliases=tuple(sorted(str(alias) for alias in body.get("aliases", []))),
        tags=_dict_of(body.get("tags")),
        description=str(body.get("description") or ""),
    )


def experiment(body: dict[str, Any]) -> ExperimentRecord:
    """An ``Experiment`` body."""
    return ExperimentRecord(
        experiment_id=str(body["experiment_id"]),
        name=str(body.get("name", "")),
        lifecycle_stage=str(body.get("lifecycle_stage", "active")),
    )


def run(body: dict[str, Any]) -> RunRecord:
    """A ``Run`` body (``info`` and ``data``)."""
    info, data = body.get("info", {}), body.get("data", {})
    end = info.get("end_time")
    return RunRecord(
        run_id=str(info["run_id"]),
        experiment_id=str(info["experiment_id"]),
        name=str(info.get("run_name", "")),
        status=RunStatus(info.get("status", "RUNNING")),
        start_ms=int(info.get("start_time", 0)),
        end_ms=int(end) if end else None,
        artifact_uri=str(info.get("artifact_uri", "")),
        metrics={str(m["key"]): float(m["value"]) for m in data.get("metrics", [])},
        params=_dict_of(data.get("params")),
        tags=_dict_of(data.get("tags")),
    )


def event_json(event: str) -> dict[str, str]:
    """``model_version_alias.created`` as ``{"entity": "MODEL_VERSION_ALIAS", ...}``."""
    entity, _, action = event.partition(".")
    return {"entity": entity.upper(), "action": action.upper()}


def webhook(body: dict[str, Any]) -> WebhookRecord:
    """A ``Webhook`` body."""
    events = tuple(
        f"{str(event['entity']).lower()}.{str(event['action']).lower()}"
        for event in body.get("events", [])
    )
    return WebhookRecord(
        webhook_id=str(body["webhook_id"]),
        name=str(body.get("name", "")),
        url=str(body.get("url", "")),
        events=events,
        status=str(body.get("status", "ACTIVE")),
        description=str(body.get("description", "")),
    )
