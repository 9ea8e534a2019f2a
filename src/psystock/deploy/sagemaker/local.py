"""Run the api image on this machine as SageMaker runs it: model at /opt/ml/model, ``serve``.

The model is resolved and downloaded on the host (as ``deploy`` packages it), mounted
read-only at ``/opt/ml/model``, and the container started with the argument ``serve``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from psystock.deploy.docker.bake import bake_model
from psystock.deploy.docker.engine import DockerEngine
from psystock.settings import Settings

logger = logging.getLogger(__name__)

MODEL_PATH = "/opt/ml/model"
"""Where SageMaker unpacks the model archive in the container."""
CONTAINER_PORT = 8080
"""The port SageMaker's contract serves on, unless ``SAGEMAKER_BIND_TO_PORT`` says another."""


@dataclass(frozen=True)
class LocalRun:
    """One local run of the image.

    Attributes:
        model_uri: the model reference to serve.
        image: the api image.
        port: the host port it answers on.
        network: the container's network: ``host`` (the container listens on ``port`` itself,
            through ``SAGEMAKER_BIND_TO_PORT``) or another Docker network (port 8080 is
            published as ``port``).
        name: the container's name.
    """

    model_uri: str
    image: str
    port: int
    network: str = "host"
    name: str = "psystock-sagemaker-local"


def docker_arguments(run: LocalRun, model_dir: Path) -> list[str]:
    """The ``docker run`` arguments after ``--rm --name NAME``."""
    arguments = ["--network", run.network, "-v", f"{model_dir}:{MODEL_PATH}:ro"]
    if run.network == "host":
        arguments += ["-e", f"SAGEMAKER_BIND_TO_PORT={run.port}"]
    else:
        arguments += ["-p", f"{run.port}:{CONTAINER_PORT}"]
    return [*arguments, run.image, "serve"]


def run_local(settings: Settings, run: LocalRun) -> int:
    """Download the model, then run the image in the foreground until it stops.

    Returns:
        The container's exit code.

    Raises:
        DockerError: no engine, or no such image.
        RegistryError, ModelLoadError: the model cannot be had.
    """
    engine = DockerEngine(settings.docker)
    engine.inspect_image(run.image)
    staging = Path(tempfile.mkdtemp(prefix="psystock-sagemaker-local-"))
    try:
        model_dir = staging / "model"
        baked = bake_model(settings, run.model_uri, model_dir)
        for path in [staging, model_dir, *model_dir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # the image's user is not the host's
        logger.info(
            "serving %s (%s) from %s at %s in container %s",
            baked.reference,
            baked.flavor,
            run.image,
            MODEL_PATH,
            run.name,
        )
        return engine.run_foreground(run.name, docker_arguments(run, model_dir))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
