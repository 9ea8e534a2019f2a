"""Download a resolved model's artifacts into a local directory.

Local directories are copied; anything else is downloaded through the registry's transport:
proxied artifacts (``mlflow-artifacts:/...``, what ``mlflow server`` hands out by default)
over MLflow's REST API, other stores (``runs:/``, ``s3://``, ``gs://``, ``dbfs:/``...)
through MLflow's artifact repositories.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

from psystock.errors import ModelLoadError
from psystock.registry._errors import doing
from psystock.registry.resolve import ResolvedModel
from psystock.registry.transport import open_transport
from psystock.settings import Settings

logger = logging.getLogger(__name__)


def download_model(resolved: ResolvedModel, destination: Path, settings: Settings) -> Path:
    """Fetch the artifacts of ``resolved`` into the empty directory ``destination``.

    Returns:
        The model directory (the one holding ``MLmodel``): ``destination`` or a folder in it.

    Raises:
        RegistryError: the registry or artifact store failed or cannot be reached.
        ModelNotFoundError: the artifacts do not exist.
        ModelLoadError: a local model directory does not exist.
    """
    uri = resolved.artifact_uri or resolved.source
    local = local_path(uri)
    if local is not None:
        if not local.is_dir():
            raise ModelLoadError(
                f"model {resolved.reference}: expected a model directory at {local}, found none"
            )
        shutil.copytree(local, destination, dirs_exist_ok=True)
        return destination
    with (
        open_transport(settings) as transport,
        doing(f"downloading the artifacts of {resolved.reference}", resolved.reference),
    ):
        model_dir = transport.download_artifacts(uri, destination)
    logger.info("downloaded the artifacts of %s from %s", resolved.reference, uri)
    return model_dir


def local_path(uri: str) -> Path | None:
    """The local directory ``uri`` names (a plain path or ``file:`` URI), else None."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if not parts.scheme or len(parts.scheme) == 1:  # no scheme, or a Windows drive letter
        return Path(uri)
    return None
