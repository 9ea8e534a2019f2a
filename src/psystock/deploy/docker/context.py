"""The build context of an image: its Dockerfile, entry point, wheels and model, in one folder."""

from __future__ import annotations

import shutil
from importlib.resources import as_file, files
from pathlib import Path

from psystock.deploy.docker.images import ImageSpec

WHEELS_DIR = "wheels"
MODEL_DIR = "model"


def dockerfile_text(spec: ImageSpec) -> str:
    """The Dockerfile of ``spec``, as shipped in the package."""
    return (files("psystock.deploy.docker") / "files" / spec.dockerfile).read_text()


def write_context_files(spec: ImageSpec, context: Path) -> None:
    """Copy the Dockerfile, the entry point and the support files of ``spec`` into ``context``.

    ``model/`` is created empty unless a model was put there: the Dockerfiles always copy it.
    """
    context.mkdir(parents=True, exist_ok=True)
    names = [spec.dockerfile, *([spec.entrypoint] if spec.entrypoint else []), *spec.support_files]
    for name in names:
        with as_file(files("psystock.deploy.docker") / "files" / name) as source:
            shutil.copy2(source, context / name)
            (context / name).chmod(0o755 if name.endswith(".sh") else 0o644)
    (context / MODEL_DIR).mkdir(exist_ok=True)
