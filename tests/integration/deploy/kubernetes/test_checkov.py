"""checkov's Kubernetes checks pass on every rendered manifest and on both overlays."""

from __future__ import annotations

from pathlib import Path

import pytest

from psystock.deploy.kubernetes import KINDS, ManifestOptions, render, to_yaml
from tests.conftest import require
from tests.integration.deploy.kubernetes.checkov import (
    SKIPPED_CHECKS,
    CheckovUnavailableError,
    checkov_command,
    scan,
)
from tests.integration.deploy.kubernetes.kustomize import TREE, kustomize

pytestmark = pytest.mark.timeout(900)  # a cold cache installs checkov first (about a minute)

DIGEST = "registry.example.com/psystock-api@sha256:" + "0" * 64


@pytest.fixture(scope="module")
def checkov(request: pytest.FixtureRequest) -> Path:
    assert request.config.cache is not None
    cache = Path(request.config.cache.mkdir("checkov"))
    try:
        return checkov_command(cache)
    except CheckovUnavailableError as exc:
        require(False, f"checkov ({exc})")
        raise


def write(directory: Path, name: str, objects: list[dict[str, object]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(to_yaml(objects))


def test_rendered_manifests_pass_checkov(checkov: Path, tmp_path: Path) -> None:
    for kind in KINDS:
        write(tmp_path, f"{kind}.yaml", render(kind, ManifestOptions(service_monitor=True)))
        write(tmp_path, f"{kind}-open.yaml", render(kind, ManifestOptions(api_token=False)))
    result = scan(checkov, tmp_path, set(SKIPPED_CHECKS))
    assert result.failed == []
    assert result.passed > 200  # the scan did read the workloads


def test_overlays_pass_checkov(checkov: Path, tmp_path: Path) -> None:
    write(tmp_path / "dev", "dev.yaml", kustomize(TREE / "overlays" / "dev"))
    write(tmp_path / "prod", "prod.yaml", kustomize(TREE / "overlays" / "prod"))
    assert scan(checkov, tmp_path / "dev", set(SKIPPED_CHECKS)).failed == []
    # prod pulls Always: only the digest check stays off (the images are yours to push).
    assert scan(checkov, tmp_path / "prod", {"CKV_K8S_43"}).failed == []


def test_the_skipped_checks_fail_without_their_reason_and_pass_with_it(
    checkov: Path, tmp_path: Path
) -> None:
    write(tmp_path / "tag", "api.yaml", render("api", ManifestOptions()))
    failed = scan(checkov, tmp_path / "tag", set()).failed
    assert {line.split()[0] for line in failed} == set(SKIPPED_CHECKS)
    pinned = render("api", ManifestOptions(image=DIGEST))
    deployment = next(obj for obj in pinned if obj["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "Always"
    write(tmp_path / "digest", "api.yaml", pinned)
    assert scan(checkov, tmp_path / "digest", set()).failed == []
