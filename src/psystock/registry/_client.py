"""The one way psystock creates an MLflow registry client, with HTTP limits fit for a CLI."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from psystock.extras import require_extra
from psystock.registry._uris import redact_uri
from psystock.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

# MLflow waits between retries backoff_factor * 2**n seconds (its default factor is 2, with
# 7 retries: minutes). 1 keeps two retries of a refused connection to about 3 s.
_BACKOFF_FACTOR = "1"


def create_client(settings: Settings) -> MlflowClient:
    """An ``MlflowClient`` for the tracking and registry URI of ``settings``.

    MLflow's REST client reads its retry and timeout knobs from MLflow's own environment
    variables at each request, and by default retries an unreachable server for minutes. They
    are set here, from ``registry.client_max_retries`` and ``registry.client_timeout_s``, so a
    dead registry is a one-line error within seconds. This is the one place outside
    ``settings.py`` that touches ``os.environ``: it writes MLflow's variables, it reads none.
    """
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = str(settings.registry.client_max_retries)
    os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = _BACKOFF_FACTOR
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(settings.registry.client_timeout_s)
    # Each retry would log a WARNING from urllib3; the final error already says what failed.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    uri = settings.resolved_tracking_uri
    require_extra("mlflow", f"the MLflow client (registry at {redact_uri(uri)})")
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)
