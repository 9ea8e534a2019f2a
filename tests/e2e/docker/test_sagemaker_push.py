"""``psystock sagemaker build-and-push``: ECR in moto (server mode), the push to a real registry.

Debian's docker-registry on loopback (``../shared/ci/local-registry.sh``, started by
``.ci/run``) stands in for ECR's registry: ``--registry-uri`` sends the push there, while the
repository and the login token come from ECR's API.
"""

from __future__ import annotations

import os
import re

import httpx
import pytest

from psystock import __version__
from tests.conftest import RunCli, require
from tests.e2e.docker.conftest import SESSION
from tests.e2e.docker.containers import docker
from tests.integration.deploy.sagemaker.conftest import Moto, moto, moto_server  # noqa: F401

REGISTRY = os.environ.get("PSYSTOCK_SAGEMAKER_E2E_REGISTRY", "127.0.0.1:5055")
"""Where local-registry.sh serves (.ci/run starts it; its PSYSTOCK_REGISTRY is not exported,
since psystock's settings would read it as their ``registry`` section)."""
MANIFEST_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.oci.image.manifest.v1+json"
)


def _registry_answers() -> bool:
    try:
        return httpx.get(f"http://{REGISTRY}/v2/", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def test_build_and_push_creates_the_repository_logs_in_and_pushes(
    run_cli: RunCli,
    moto: Moto,  # noqa: F811 (the fixture imported above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require(_registry_answers(), f"a local image registry at {REGISTRY} (local-registry.sh)")
    repository = f"psystock-sagemaker-e2e-{SESSION}"
    prefix = f"psystock-sagemaker-e2e-{SESSION}-"
    monkeypatch.setenv("PSYSTOCK_DOCKER__TAG_PREFIX", prefix)
    try:
        done = run_cli(
            "sagemaker", "build-and-push", "--repository", repository, "--tag", SESSION,
            "--registry-uri", REGISTRY,
        )  # fmt: skip
        assert done.exit_code == 0, done.stderr
        uri = f"{REGISTRY}/{repository}:{SESSION}"
        match = re.match(
            rf"Pushed {re.escape(uri)} \(repository created\) in \d+ s, (sha256:[0-9a-f]{{64}})\n",
            done.stdout,
        )
        assert match, done.stdout
        [found] = moto.client("ecr").describe_repositories()["repositories"]
        assert found["repositoryName"] == repository
        tags = httpx.get(f"http://{REGISTRY}/v2/{repository}/tags/list", timeout=10).json()
        assert tags["tags"] == [SESSION]
        manifest = httpx.head(
            f"http://{REGISTRY}/v2/{repository}/manifests/{SESSION}",
            headers={"Accept": MANIFEST_TYPES},
            timeout=10,
        )
        assert manifest.headers["Docker-Content-Digest"] == match.group(1)
        again = run_cli(
            "sagemaker", "build-and-push", "--repository", repository, "--tag", SESSION,
            "--registry-uri", REGISTRY,
        )  # fmt: skip
        assert again.exit_code == 0, again.stderr
        assert again.stdout.startswith(f"Pushed {uri} in ")
    finally:
        # By id: a pushed image keeps a REGISTRY/REPOSITORY@digest name that tags do not free,
        # and each of the two runs built one.
        local = f"{prefix}api:{__version__}"
        ids = {docker("image", "inspect", "-f", "{{.Id}}", local, check=False).strip()}
        ids |= set(docker("images", "-q", "--no-trunc", f"{REGISTRY}/{repository}").split())
        for image_id in sorted(ids - {""}):
            docker("rmi", "-f", image_id, check=False)
        manifest = httpx.head(
            f"http://{REGISTRY}/v2/{repository}/manifests/{SESSION}",
            headers={"Accept": MANIFEST_TYPES},
            timeout=10,
        )
        if "Docker-Content-Digest" in manifest.headers:
            digest = manifest.headers["Docker-Content-Digest"]
            httpx.delete(f"http://{REGISTRY}/v2/{repository}/manifests/{digest}", timeout=10)
