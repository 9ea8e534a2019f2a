"""Images built once per session with the real engine, and what the tests compare them with.

These tests need a Docker engine (``DOCKER_HOST``) and the base image (``python:3.11-slim``):
``.ci/run`` starts both. Without them they skip, and fail under ``CI``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from psystock.deploy.docker import BuildRequest, BuiltImage, DockerEngine, ImageKind, build_image
from psystock.errors import DockerError
from psystock.scoring import ModelInput, ScoringRuntime
from psystock.settings import Settings, load_settings
from tests.conftest import RegisteredModel, require
from tests.e2e.docker.containers import docker

HERE = Path(__file__).parent
BUILD_TIMEOUT_S = 1200
SESSION = uuid.uuid4().hex[:8]
ROWS = [
    [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.docker)
            # A cold build of the registry image downloads and installs mlflow: minutes.
            item.add_marker(pytest.mark.timeout(BUILD_TIMEOUT_S))


@pytest.fixture(scope="session")
def build_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of the builds; a working engine and base image, or a skip (a failure in CI)."""
    home = tmp_path_factory.mktemp("docker-home")
    settings = load_settings(home=home)
    engine = DockerEngine(settings.docker)
    try:
        engine.server_version()
    except DockerError as exc:
        require(False, f"a Docker engine ({exc.message})")
    require(
        engine.has_image(settings.docker.base_image), f"base image {settings.docker.base_image}"
    )
    return settings


def _build(settings: Settings, request: BuildRequest) -> Iterator[BuiltImage]:
    built = build_image(settings, request)
    yield built
    docker("rmi", built.tag, check=False)  # the tag only: layers stay cached for the next run


@pytest.fixture(scope="session")
def api_image(build_settings: Settings) -> Iterator[BuiltImage]:
    yield from _build(
        build_settings, BuildRequest(ImageKind.API, tag=f"psystock-e2e-api:{SESSION}")
    )


@pytest.fixture(scope="session")
def baked_api_image(
    build_settings: Settings, registered_model: RegisteredModel, api_image: BuiltImage
) -> Iterator[BuiltImage]:
    settings = build_settings.model_copy(update={"tracking_uri": registered_model.tracking_uri})
    request = BuildRequest(
        ImageKind.API, tag=f"psystock-e2e-api-baked:{SESSION}", model=registered_model.uri
    )
    yield from _build(settings, request)


@pytest.fixture(scope="session")
def batch_image(build_settings: Settings) -> Iterator[BuiltImage]:
    tag = f"psystock-e2e-batch:{SESSION}"
    yield from _build(build_settings, BuildRequest(ImageKind.BATCH, tag=tag))


@pytest.fixture(scope="session")
def registry_image(build_settings: Settings) -> Iterator[BuiltImage]:
    tag = f"psystock-e2e-registry:{SESSION}"
    yield from _build(build_settings, BuildRequest(ImageKind.REGISTRY, tag=tag))


def in_process_probabilities(tracking_uri: str, reference: str, home: Path) -> np.ndarray:
    """What the in-process runtime predicts for ``ROWS``."""
    runtime = ScoringRuntime(load_settings(tracking_uri=tracking_uri, home=home))
    model = runtime.load(reference)
    return np.asarray(model.predict(model.prepare(ModelInput(np.array(ROWS)))), dtype=np.float32)
