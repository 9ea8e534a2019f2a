"""Download a resolved model's artifacts into a local directory.

Proxied artifacts (``mlflow-artifacts:/...``, what ``mlflow server`` hands out by default)
come over MLflow's REST API with httpx; local directories are copied; anything else
(``runs:/``, ``s3://``, ``gs://``, ``dbfs:/`` ...) goes through ``mlflow.artifacts``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from psystock.errors import ModelLoadError
from psystock.registry._rest import RegistryAuthError, RestClient
from psystock.registry.resolve import ResolvedModel, is_http_uri
from psystock.settings import Settings

logger = logging.getLogger(__name__)

PROXY_SCHEME = "mlflow-artifacts"


def download_model(resolved: ResolvedModel, destination: Path, settings: Settings) -> Path:
    """Fetch the artifacts of ``resolved`` into the empty directory ``destination``.

    Returns:
        The model directory (the one holding ``MLmodel``): ``destination`` or a folder in it.

    Raises:
        RegistryError: the registry or artifact store failed or cannot be reached.
        ModelLoadError: a local model directory does not exist.
    """
    uri = resolved.artifact_uri or resolved.source
    tracking_uri = settings.resolved_tracking_uri
    local = local_path(uri)
    if local is not None:
        if not local.is_dir():
            raise ModelLoadError(
                f"model {resolved.reference}: expected a model directory at {local}, found none"
            )
        shutil.copytree(local, destination, dirs_exist_ok=True)
        return destination
    parts = urlsplit(uri)
    if parts.scheme == PROXY_SCHEME and (parts.netloc or is_http_uri(tracking_uri)):
        base = (
            f"{urlsplit(tracking_uri).scheme or 'http'}://{parts.netloc}"
            if parts.netloc
            else (tracking_uri)
        )
        try:
            with RestClient(base, settings.registry.client_timeout_s) as client:
                count = client.download_tree(parts.path.strip("/"), destination)
            logger.info("downloaded %d artifact files of %s", count, resolved.reference)
            return destination
        except RegistryAuthError:
            logger.debug("artifact store wants credentials: using mlflow.artifacts")
    return _download_with_mlflow(resolved.reference, uri, destination, settings)


def local_path(uri: str) -> Path | None:
    """The local directory ``uri`` names (a plain path or ``file:`` URI), else None."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if not parts.scheme or len(parts.scheme) == 1:  # no scheme, or a Windows drive letter
        return Path(uri)
    return None


def _download_with_mlflow(reference: str, uri: str, destination: Path, settings: Settings) -> Path:
    import mlflow.artifacts

    from psystock.registry._client import create_client
    from psystock.registry._errors import translate_mlflow_errors

    create_client(settings)  # sets MLflow's HTTP retry/timeout variables from the settings
    destination.mkdir(parents=True, exist_ok=True)
    with translate_mlflow_errors(f"downloading the artifacts of {reference}", reference):
        downloaded = mlflow.artifacts.download_artifacts(
            artifact_uri=uri, dst_path=str(destination), tracking_uri=settings.resolved_tracking_uri
        )
    return Path(downloaded)
