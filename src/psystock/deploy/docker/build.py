"""Build one image: wheelhouse on the host, optional baked model, ``docker build`` offline.

This is the function other deployments build on (``psystock docker build`` is its CLI)::

    built = build_image(settings, BuildRequest(ImageKind.API, model="models:/m/Production"))
    built.tag, built.size_bytes, built.labels
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from psystock import __version__
from psystock.deploy.docker.bake import BakedModel, bake_model
from psystock.deploy.docker.context import MODEL_DIR, WHEELS_DIR, write_context_files
from psystock.deploy.docker.engine import BuildCommand, DockerEngine
from psystock.deploy.docker.images import IMAGES, PYFUNC_EXTRA, ImageKind
from psystock.deploy.docker.labels import image_labels, source_revision
from psystock.deploy.docker.strip import strip_wheels
from psystock.deploy.docker.wheelhouse import build_wheelhouse, source_tree
from psystock.errors import DockerError
from psystock.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildRequest:
    """What to build.

    Attributes:
        kind: api, batch or registry.
        tag: the image's name:tag (default ``<prefix><kind>:<psystock version>``).
        model: a model reference to bake in (api and batch only).
        extras: psystock extras to install besides the image's own (e.g. ``mlflow``).
        wheel_cache: a directory of wheels to take from first and to keep new ones in.
        no_cache: build every layer again (``docker build --no-cache``).
    """

    kind: ImageKind
    tag: str | None = None
    model: str | None = None
    extras: tuple[str, ...] = ()
    wheel_cache: Path | None = None
    no_cache: bool = False


@dataclass(frozen=True)
class BuiltImage:
    """An image that was built.

    Attributes:
        kind: which image.
        tag: its name:tag.
        image_id: the engine's id of it.
        size_bytes: its size as the engine reports it.
        duration_s: how long the whole build took (wheelhouse included).
        extras: the psystock extras installed in it.
        labels: its labels.
        model: the baked model, if any.
        log_file: the build's full output.
    """

    kind: ImageKind
    tag: str
    image_id: str
    size_bytes: int
    duration_s: float
    extras: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)
    model: BakedModel | None = None
    log_file: Path | None = None


def default_tag(settings: Settings, kind: ImageKind) -> str:
    """``<prefix><kind>:<psystock version>``, e.g. ``psystock-api:0.1.0``."""
    return f"{settings.docker.tag_prefix}{kind.value}:{__version__}"


def build_image(settings: Settings, request: BuildRequest) -> BuiltImage:
    """Build the image ``request`` asks for; no step inside the build uses the network.

    Raises:
        DockerError: no engine, pip or docker build failed, or --model on the registry image.
        RegistryError: the model to bake cannot be resolved or downloaded.
        ModelLoadError: the model to bake is not an MLflow model.
    """
    spec = IMAGES[request.kind]
    if request.model is not None and not spec.can_bake_model:
        raise DockerError(
            f"the {spec.kind} image holds no model: --model applies to the api and batch images"
        )
    started = time.monotonic()
    engine = DockerEngine(settings.docker)
    logger.info("Docker engine %s", engine.server_version())
    tag = request.tag or default_tag(settings, request.kind)
    log_file = settings.home.resolve() / "docker" / f"{request.kind.value}.build.log"
    with tempfile.TemporaryDirectory(prefix="psystock-docker-") as folder:
        context = Path(folder)
        write_context_files(spec, context)
        baked = None
        if request.model is not None:
            logger.info("baking model %s into the image", request.model)
            (context / MODEL_DIR).rmdir()
            baked = bake_model(settings, request.model, context / MODEL_DIR)
        extras = _extras(spec.extras, request.extras, baked)
        house = build_wheelhouse(context / WHEELS_DIR, extras, settings.docker, request.wheel_cache)
        if spec.strips_libraries:
            strip_wheels(house.wheels, settings.home.resolve() / "docker" / "stripped-wheels")
        labels = image_labels(
            spec,
            settings.docker.base_image,
            source_revision(source_tree()),
            baked,
            settings.scoring.reference,
        )
        command = BuildCommand(
            context=context,
            dockerfile=spec.dockerfile,
            tag=tag,
            target=spec.kind.value,
            build_args={
                "BASE_IMAGE": settings.docker.base_image,
                "PSYSTOCK_REQUIREMENT": house.requirement,
            },
            labels=labels,
            no_cache=request.no_cache,
        )
        logger.info("building %s from %s (log: %s)", tag, settings.docker.base_image, log_file)
        image_id = engine.build(command, log_file)
    size = int(engine.inspect_image(tag)["Size"])
    return BuiltImage(
        kind=request.kind,
        tag=tag,
        image_id=image_id,
        size_bytes=size,
        duration_s=time.monotonic() - started,
        extras=extras,
        labels=labels,
        model=baked,
        log_file=log_file,
    )


def _extras(
    own: tuple[str, ...], asked: tuple[str, ...], baked: BakedModel | None
) -> tuple[str, ...]:
    wanted = [*own, *asked]
    if baked is not None and baked.needs_pyfunc:
        logger.info("the model is not a native XGBoost booster: adding the mlflow extra (pyfunc)")
        wanted.append(PYFUNC_EXTRA)
    return tuple(sorted(set(wanted)))
