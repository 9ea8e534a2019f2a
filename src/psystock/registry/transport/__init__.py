"""How psystock talks to a registry: one interface, an HTTP and an ``MlflowClient`` transport.

``open_transport(settings)`` picks by tracking URI: ``http(s)://`` speaks MLflow's REST API
with httpx (no ``import mlflow``); anything else (``sqlite:///``, ``postgresql://``,
``databricks``...) goes through ``MlflowClient``. The settings have already refused a
tracking URI neither can use (``psystock.settings.check_tracking_uri``).
"""

from __future__ import annotations

from psystock.registry._uris import is_http_uri
from psystock.registry.transport.base import RegistryTransport
from psystock.settings import Settings

__all__ = ["RegistryTransport", "open_transport"]


def open_transport(settings: Settings) -> RegistryTransport:
    """The transport for the tracking URI of ``settings``; close it (or use ``with``) after use.

    Raises:
        MissingExtraError: the URI needs mlflow and it is not installed.
        RegistryError: MLflow cannot open a client for the URI.
    """
    if is_http_uri(settings.resolved_tracking_uri):
        from psystock.registry.transport.http import HttpTransport

        return HttpTransport(settings)
    from psystock.registry.transport.mlflow_client import MlflowClientTransport

    return MlflowClientTransport(settings)
