"""``RegistryTransport`` through ``MlflowClient``: any store MLflow knows.

Used for ``sqlite:///``, ``postgresql://``, ``databricks`` and every other tracking URI that
is not ``http(s)://``, and by ``HttpTransport`` for artifact stores the server does not proxy.
This is the only module of ``registry`` that imports mlflow at run time (lazily, so a missing
extra is a one-line error); MLflow's exceptions become psystock's here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typing_extensions import override

from psystock.registry import records as rec
from psystock.registry._client import create_client
from psystock.registry._errors import mlflow_errors
from psystock.registry._uris import redact_uri
from psystock.registry.transport._rest_json import MAX_VALUE_CHARS, quoted
from psystock.registry.transport.base import RegistryTransport
from psystock.settings import Settings

if TYPE_CHECKING:
    from mlflow.entities import Run
    from mlflow.entities.model_registry import ModelVersion
    from mlflow.entities.webhook import Webhook

_PAGE_SIZE = 1000


class MlflowClientTransport(RegistryTransport):
    """MLflow's own client, its exceptions translated."""

    def __init__(self, settings: Settings) -> None:
        self._tracking_uri = settings.resolved_tracking_uri
        self.uri = redact_uri(self._tracking_uri)
        self._client = create_client(settings)  # says which extra to install without mlflow

    @override
    def close(self) -> None:
        """Nothing to release: ``MlflowClient`` holds no connection of its own."""

    # Registered models and versions

    @override
    def get_registered_model_aliases(self, name: str) -> dict[str, str]:
        with mlflow_errors(self.uri):
            found = self._client.get_registered_model(name)
        return {alias: str(version) for alias, version in found.aliases.items()}

    @override
    def get_model_version(self, name: str, version: str) -> rec.ModelVersionRecord:
        with mlflow_errors(self.uri):
            return _model_version(self._client.get_model_version(name, version))

    @override
    def get_model_version_by_alias(self, name: str, alias: str) -> rec.ModelVersionRecord:
        with mlflow_errors(self.uri):
            return _model_version(self._client.get_model_version_by_alias(name, alias))

    @override
    def search_model_versions(self, name: str) -> list[rec.ModelVersionRecord]:
        found: list[rec.ModelVersionRecord] = []
        token: str | None = None
        with mlflow_errors(self.uri):
            while True:
                page = self._client.search_model_versions(
                    f"name = '{quoted(name)}'", max_results=_PAGE_SIZE, page_token=token
                )
                found.extend(_model_version(version) for version in page)
                token = page.token
                if not token:
                    return found

    @override
    def get_model_version_download_uri(self, name: str, version: str) -> str:
        with mlflow_errors(self.uri):
            return str(self._client.get_model_version_download_uri(name, version))

    @override
    def create_model_version(
        self, name: str, source: str, run_id: str, tags: dict[str, str], description: str
    ) -> rec.ModelVersionRecord:
        with mlflow_errors(self.uri):
            created = self._client.create_model_version(
                name, source, run_id=run_id, tags=_cut(tags), description=description
            )
        return _model_version(created)

    @override
    def get_logged_model(self, model_id: str) -> rec.LoggedModelRecord:
        with mlflow_errors(self.uri):
            logged = self._client.get_logged_model(model_id)
        return rec.LoggedModelRecord(model_id, logged.source_run_id, logged.artifact_location)

    @override
    def transition_model_version_stage(
        self, name: str, version: str, stage: str, *, archive_existing: bool
    ) -> None:
        import warnings

        with mlflow_errors(self.uri), warnings.catch_warnings():
            # Stages are deprecated upstream in favour of aliases; psystock uses them on
            # purpose (the book's workflow and models:/NAME/Production references rely on them).
            warnings.filterwarnings("ignore", message=".*stages will be removed")
            self._client.transition_model_version_stage(
                name, version, stage, archive_existing_versions=archive_existing
            )

    @override
    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        with mlflow_errors(self.uri):
            self._client.set_registered_model_alias(name, alias, version)

    @override
    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        with mlflow_errors(self.uri):
            self._client.delete_registered_model_alias(name, alias)

    # Experiments and runs

    @override
    def get_experiment_by_name(self, name: str) -> rec.ExperimentRecord | None:
        with mlflow_errors(self.uri):
            found = self._client.get_experiment_by_name(name)
        if found is None:
            return None
        return rec.ExperimentRecord(str(found.experiment_id), found.name, found.lifecycle_stage)

    @override
    def create_experiment(self, name: str) -> str:
        with mlflow_errors(self.uri):
            return str(self._client.create_experiment(name))

    @override
    def create_run(
        self, experiment_id: str, run_name: str, tags: dict[str, str], start_ms: int
    ) -> rec.RunRecord:
        with mlflow_errors(self.uri):
            created = self._client.create_run(
                experiment_id, start_time=start_ms, tags=_cut(tags), run_name=run_name
            )
        return _run(created)

    @override
    def get_run(self, run_id: str) -> rec.RunRecord:
        with mlflow_errors(self.uri):
            return _run(self._client.get_run(run_id))

    @override
    def search_runs(
        self, experiment_ids: Sequence[str], filter_string: str, max_results: int
    ) -> list[rec.RunRecord]:
        with mlflow_errors(self.uri):
            found = self._client.search_runs(
                list(experiment_ids),
                filter_string=filter_string,
                max_results=max_results,
                order_by=["attributes.start_time DESC"],
            )
        return [_run(run) for run in found]

    @override
    def log_batch(self, run_id: str, data: rec.RunData, timestamp_ms: int) -> None:
        from mlflow.entities import Metric, Param, RunTag

        with mlflow_errors(self.uri):
            self._client.log_batch(
                run_id,
                metrics=[Metric(k, float(v), timestamp_ms, 0) for k, v in data.metrics.items()],
                params=[Param(k, v) for k, v in _cut(data.params).items()],
                tags=[RunTag(k, v) for k, v in _cut(data.tags).items()],
            )

    @override
    def update_run(self, run_id: str, status: rec.RunStatus, end_ms: int) -> None:
        with mlflow_errors(self.uri):
            self._client.set_terminated(run_id, status=str(status), end_time=end_ms)

    @override
    def log_artifact(self, run: rec.RunRecord, source: Path, artifact_path: str = "") -> None:
        with mlflow_errors(self.uri):
            if source.is_dir():
                self._client.log_artifacts(run.run_id, str(source), artifact_path or None)
            else:
                self._client.log_artifact(run.run_id, str(source), artifact_path or None)

    @override
    def download_artifacts(self, uri: str, destination: Path) -> Path:
        import mlflow.artifacts

        destination.mkdir(parents=True, exist_ok=True)
        with mlflow_errors(self.uri):
            downloaded = mlflow.artifacts.download_artifacts(
                artifact_uri=uri, dst_path=str(destination), tracking_uri=self._tracking_uri
            )
        return Path(downloaded)

    # Registry webhooks

    @override
    def create_webhook(self, spec: rec.WebhookSpec) -> rec.WebhookRecord:
        from mlflow.entities.webhook import WebhookEvent

        with mlflow_errors(self.uri):
            events: list[Any] = [WebhookEvent.from_str(e) for e in spec.events]  # type: ignore[arg-type]
            created = self._client.create_webhook(
                spec.name, spec.url, events, description=spec.description, secret=spec.secret
            )
        return _webhook(created)

    @override
    def list_webhooks(self) -> list[rec.WebhookRecord]:
        found: list[rec.WebhookRecord] = []
        token: str | None = None
        with mlflow_errors(self.uri):
            while True:
                page = self._client.list_webhooks(max_results=_PAGE_SIZE, page_token=token)
                found.extend(_webhook(webhook) for webhook in page)
                token = page.token
                if not token:
                    return found

    @override
    def delete_webhook(self, webhook_id: str) -> None:
        with mlflow_errors(self.uri):
            self._client.delete_webhook(webhook_id)


def _cut(values: dict[str, str]) -> dict[str, str]:
    return {k: str(v)[:MAX_VALUE_CHARS] for k, v in values.items()}


def _model_version(version: ModelVersion) -> rec.ModelVersionRecord:
    return rec.ModelVersionRecord(
        name=version.name,
        version=str(version.version),
        stage=version.current_stage or "None",
        source=version.source or "",
        run_id=version.run_id or None,
        created_ms=int(version.creation_timestamp or 0),
        aliases=tuple(sorted(version.aliases or ())),
        tags=dict(version.tags or {}),
        description=version.description or "",
    )


def _run(run: Run) -> rec.RunRecord:
    info, data = run.info, run.data
    return rec.RunRecord(
        run_id=info.run_id,
        experiment_id=str(info.experiment_id),
        name=info.run_name or "",
        status=rec.RunStatus(info.status),
        start_ms=int(info.start_time or 0),
        end_ms=int(info.end_time) if info.end_time else None,
        artifact_uri=info.artifact_uri or "",
        metrics={k: float(v) for k, v in data.metrics.items()},
        params=dict(data.params),
        tags=dict(data.tags),
    )


def _webhook(webhook: Webhook) -> rec.WebhookRecord:
    status: Any = webhook.status
    return rec.WebhookRecord(
        webhook_id=webhook.webhook_id,
        name=webhook.name,
        url=webhook.url,
        events=tuple(str(event) for event in webhook.events),
        status=str(getattr(status, "value", status)),
        description=webhook.description or "",
    )
