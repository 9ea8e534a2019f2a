"""Both overlays' ``kubectl kustomize`` output validates against the schemas."""

from __future__ import annotations

import pytest

from tests.integration.deploy.kubernetes.kustomize import OVERLAYS, TREE, kustomize
from tests.unit.deploy.kubernetes.schemas import KUBERNETES_VERSIONS, schema_errors


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_validate_against_the_schemas(overlay: str, version: str) -> None:
    assert schema_errors(kustomize(TREE / "overlays" / overlay), version) == []
