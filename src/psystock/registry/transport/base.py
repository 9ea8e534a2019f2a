"""The one interface every MLflow operation of psystock is written against.

Two implementations speak it: ``HttpTransport`` (MLflow's REST API over httpx, no ``import
mlflow``) and ``MlflowClientTransport`` (``MlflowClient``, for ``sqlite:///``,
``postgresql://``, ``databricks`` and any other store). Each method is one registry or
tracking call, named after its ``MlflowClient`` twin, and returns the plain values of
``psystock.registry.records``.

Errors are raised bare, without saying what the caller was doing (the operation adds that):
``ResourceNotFoundError`` when the registry says the thing does not exist, ``RegistryError``
when it failed or cannot be reached.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

from psystock.registry import records as rec


class RegistryTransport(ABC):
    """One connection to an MLflow tracking/registry server or store."""

    uri: str
    """The tracking URI, password hidden (for messages)."""

    def __enter__(self) -> RegistryTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Release the connection (idempotent)."""

    # Registered models and versions

    @abstractmethod
    def get_registered_model_aliases(self, name: str) -> dict[str, str]:
        """Alias -> version of the registered model ``name``."""

    @abstractmethod
    def get_model_version(self, name: str, version: str) -> rec.ModelVersionRecord:
        """Version ``version`` of ``name``."""

    @abstractmethod
    def get_model_version_by_alias(self, name: str, alias: str) -> rec.ModelVersionRecord:
        """The version of ``name`` that ``alias`` points at."""

    @abstractmethod
    def search_model_versions(self, name: str) -> list[rec.ModelVersionRecord]:
        """Every version of ``name`` (all pages)."""

    @abstractmethod
    def get_model_version_download_uri(self, name: str, version: str) -> str:
        """The URI the artifacts of ``name`` version ``version`` download from."""

    @abstractmethod
    def create_model_version(
        self, name: str, source: str, run_id: str, tags: dict[str, str], description: str
    ) -> rec.ModelVersionRecord:
        """Register the artifacts at ``source`` (logged by ``run_id``) as a new version."""

    @abstractmethod
    def get_logged_model(self, model_id: str) -> rec.LoggedModelRecord:
        """The MLflow 3 logged model ``model_id``."""

    @abstractmethod
    def transition_model_version_stage(
        self, name: str, version: str, stage: str, *, archive_existing: bool
    ) -> None:
        """Move ``version`` to ``stage``; archive the versions that held it when asked."""

    @abstractmethod
    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        """Point ``alias`` at ``version``."""

    @abstractmethod
    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove ``alias``."""

    # Experiments and runs

    @abstractmethod
    def get_experiment_by_name(self, name: str) -> rec.ExperimentRecord | None:
        """The experiment called ``name``, None when there is none."""

    @abstractmethod
    def create_experiment(self, name: str) -> str:
        """Create an experiment; return its id."""

    @abstractmethod
    def create_run(
        self, experiment_id: str, run_name: str, tags: dict[str, str], start_ms: int
    ) -> rec.RunRecord:
        """Create a ``RUNNING`` run."""

    @abstractmethod
    def get_run(self, run_id: str) -> rec.RunRecord:
        """The run ``run_id`` with its latest metrics, params and tags."""

    @abstractmethod
    def search_runs(
        self, experiment_ids: Sequence[str], filter_string: str, max_results: int
    ) -> list[rec.RunRecord]:
        """Runs matching MLflow's ``filter_string``, newest first, at most ``max_results``."""

    @abstractmethod
    def log_batch(self, run_id: str, data: rec.RunData, timestamp_ms: int) -> None:
        """Log params, metrics (at step 0, at ``timestamp_ms``) and tags in one call."""

    @abstractmethod
    def update_run(self, run_id: str, status: rec.RunStatus, end_ms: int) -> None:
        """Set the run's status and end time (terminates it)."""

    @abstractmethod
    def log_artifact(self, run: rec.RunRecord, source: Path, artifact_path: str = "") -> None:
        """Upload the local file or directory ``source`` into ``artifact_path`` of the run.

        A file keeps its name; a directory's content goes into ``artifact_path`` itself.
        """

    @abstractmethod
    def download_artifacts(self, uri: str, destination: Path) -> Path:
        """Download the artifact directory ``uri`` into ``destination``; return the local copy."""

    # Registry webhooks (MLflow >= 3.3, SQL-backed registries)

    @abstractmethod
    def create_webhook(self, spec: rec.WebhookSpec) -> rec.WebhookRecord:
        """Create an active webhook."""

    @abstractmethod
    def list_webhooks(self) -> list[rec.WebhookRecord]:
        """Every webhook of the registry (all pages)."""

    @abstractmethod
    def delete_webhook(self, webhook_id: str) -> None:
        """Delete the webhook ``webhook_id``."""
