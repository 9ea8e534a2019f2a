"""Docker images of psystock, built offline from a wheelhouse made on the host.

Three images (``ImageKind``): ``api`` (``psystock serve``, also SageMaker's serving contract),
``batch`` (``psystock batch score``) and ``registry`` (``mlflow server``). The Dockerfiles and
entry points are package data (``files/``), so an installed psystock can build them.

    from psystock.deploy.docker import BuildRequest, ImageKind, build_image
    built = build_image(settings, BuildRequest(ImageKind.API, model="models:/m/Production"))

``build_wheelhouse`` and ``write_context_files`` are the parts a build for another target
(a registry push, SageMaker) reuses.
"""

from psystock.deploy.docker.bake import BakedModel
from psystock.deploy.docker.build import BuildRequest, BuiltImage, build_image, default_tag
from psystock.deploy.docker.context import dockerfile_text, write_context_files
from psystock.deploy.docker.engine import DockerEngine
from psystock.deploy.docker.images import IMAGES, ImageKind, ImageSpec
from psystock.deploy.docker.wheelhouse import Wheelhouse, build_wheelhouse, platform_tags

__all__ = [
    "IMAGES",
    "BakedModel",
    "BuildRequest",
    "BuiltImage",
    "DockerEngine",
    "ImageKind",
    "ImageSpec",
    "Wheelhouse",
    "build_image",
    "build_wheelhouse",
    "default_tag",
    "dockerfile_text",
    "platform_tags",
    "write_context_files",
]
