"""The three images psystock builds, and what each holds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ImageKind(StrEnum):
    """Which image: the REST API, the batch job or the MLflow registry server."""

    API = "api"
    BATCH = "batch"
    REGISTRY = "registry"


@dataclass(frozen=True)
class ImageSpec:
    """How one kind of image is built.

    Attributes:
        kind: which image.
        dockerfile: the Dockerfile's name among the package's files.
        entrypoint: the entry point script copied into the context (None: the Dockerfile's own).
        extras: the psystock extras installed in it (none: the core install).
        can_bake_model: whether ``--model`` may bake a model into it.
        description: one line for the image's OCI description label.
        support_files: other package files its Dockerfile copies from the context.
        strips_libraries: whether the wheels' shared libraries are stripped on the host.
    """

    kind: ImageKind
    dockerfile: str
    entrypoint: str | None
    extras: tuple[str, ...]
    can_bake_model: bool
    description: str
    support_files: tuple[str, ...] = ()
    strips_libraries: bool = False


IMAGES: dict[ImageKind, ImageSpec] = {
    ImageKind.API: ImageSpec(
        ImageKind.API,
        "api.Dockerfile",
        "api-entrypoint.sh",
        (),
        True,
        "psystock REST API (psystock serve on 8080; SageMaker's contract with the argument serve)",
        support_files=("prune-venv.py",),
        strips_libraries=True,
    ),
    ImageKind.BATCH: ImageSpec(
        ImageKind.BATCH,
        "batch.Dockerfile",
        "batch-entrypoint.sh",
        ("batch",),
        True,
        "psystock batch job (psystock batch score on files mounted at /data)",
    ),
    ImageKind.REGISTRY: ImageSpec(
        ImageKind.REGISTRY,
        "registry.Dockerfile",
        None,
        ("registry-server",),
        False,
        "MLflow tracking and registry server (PostgreSQL driver, S3 artifact storage)",
    ),
}
"""Every image ``psystock docker build`` knows."""

PYFUNC_EXTRA = "mlflow"
"""The extra a baked model that is not a native XGBoost booster needs (mlflow.pyfunc)."""
