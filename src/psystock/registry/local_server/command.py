"""The ``mlflow server`` command line and environment ``psystock registry up`` runs."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from psystock.registry.local_server.backend import with_default_driver
from psystock.settings import Settings

SERVER_ENVIRONMENT = {
    # Without this, mlflow server also starts a job runner: 10 processes and 2 GB instead of 2.
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    # Registry webhooks may call a psystock API on this machine or network over plain http
    # (MLflow's defaults allow https only and never a private address).
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    # MLflow caches its webhook list (60 s by default): a new API's webhook counts within 1 s.
    "MLFLOW_WEBHOOK_CACHE_TTL": "1",
}
"""Environment variables set for every server psystock starts."""


def build_server_command(settings: Settings) -> list[str]:
    """The ``mlflow server`` command line for ``settings`` (the backend store goes by env)."""
    registry = settings.registry
    return [
        sys.executable, "-m", "mlflow", "server",
        "--host", registry.host,
        "--port", str(registry.port),
        "--workers", str(registry.workers),
        "--serve-artifacts",
        "--artifacts-destination", settings.artifacts_destination,
    ]  # fmt: skip


def build_server_environment(settings: Settings, base: Mapping[str, str]) -> dict[str, str]:
    """The server's environment: ``base`` plus psystock's variables.

    The backend store URI travels in ``MLFLOW_BACKEND_STORE_URI`` (read by ``mlflow server``)
    rather than on the command line, so a database password never shows in ``ps``; a bare
    ``postgresql://`` gets the psycopg2 driver (see ``with_default_driver``).
    """
    return {
        **base,
        **SERVER_ENVIRONMENT,
        "MLFLOW_BACKEND_STORE_URI": with_default_driver(settings.backend_store_uri),
    }
