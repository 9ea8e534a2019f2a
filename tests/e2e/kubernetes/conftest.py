"""The docker tests' images (built once per session), loaded into podman.

These tests need the Docker engine and base image (as ``tests/e2e/docker``) and podman set up by
``../shared/ci/podman-env.sh``; ``.ci/run`` starts all three. Without them they skip, and fail
under ``CI``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from psystock.deploy.docker import BuiltImage
from tests.e2e.docker.conftest import (  # noqa: F401 - fixtures shared with the docker tests
    api_image,
    batch_image,
    build_settings,
)
from tests.e2e.kubernetes.podman import Podman, podman_environment

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.docker)
            item.add_marker(pytest.mark.timeout(1200))  # a cold image build first


@pytest.fixture(scope="session")
def podman() -> Podman:
    return Podman(podman_environment())


@pytest.fixture(scope="session")
def podman_api_image(podman: Podman, api_image: BuiltImage) -> Iterator[str]:  # noqa: F811
    yield from _loaded(podman, api_image)


@pytest.fixture(scope="session")
def podman_batch_image(podman: Podman, batch_image: BuiltImage) -> Iterator[str]:  # noqa: F811
    yield from _loaded(podman, batch_image)


def _loaded(podman: Podman, image: BuiltImage) -> Iterator[str]:
    name = podman.load(image.tag)
    yield name
    podman("rmi", name, check=False)
