"""Every rendered manifest validates against the strict schemas of several Kubernetes minors."""

from __future__ import annotations

import copy

import pytest

from psystock.deploy.kubernetes import KINDS, ManifestOptions, render
from tests.unit.deploy.kubernetes.schemas import KUBERNETES_VERSIONS, schema_errors

OPTIONS = [ManifestOptions(), ManifestOptions(api_token=False, service_monitor=True)]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("kind", KINDS)
def test_rendered_manifests_validate_against_the_schemas(kind: str, version: str) -> None:
    for options in OPTIONS:
        assert schema_errors(render(kind, options), version) == []


def test_the_schema_check_catches_a_misspelt_field() -> None:
    objects = render("api", ManifestOptions())
    broken = copy.deepcopy(objects)
    broken[2]["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    errors = schema_errors(broken, KUBERNETES_VERSIONS[0])
    assert len(errors) == 1
    assert errors[0].startswith("Deployment/psystock-api (Kubernetes 1.29.0): ")
    assert "readinesProbe" in errors[0]
