"""Restricted pod security on every pod psystock renders: a missing setting fails here."""

from __future__ import annotations

from typing import Any

import pytest

from psystock.deploy.kubernetes import KINDS, ManifestOptions, render
from tests.unit.deploy.kubernetes.pod_specs import containers, pod_specs

OPTIONS = [
    ManifestOptions(),
    ManifestOptions(api_token=False, service_monitor=True, model="models:/m@production"),
    ManifestOptions(namespace="ml", name="scoring", image="registry.local/psystock:1"),
]


def rendered() -> list[tuple[str, list[dict[str, Any]]]]:
    return [(kind, render(kind, options)) for options in OPTIONS for kind in KINDS]


@pytest.mark.parametrize(("kind", "objects"), rendered())
def test_every_pod_is_restricted(kind: str, objects: list[dict[str, Any]]) -> None:
    specs = list(pod_specs(objects))
    assert len(specs) == 1, kind
    for where, spec in specs:
        assert spec["automountServiceAccountToken"] is False, where
        assert spec.get("hostNetwork", False) is False, where
        assert spec.get("hostPID", False) is False, where
        assert spec.get("hostIPC", False) is False, where
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, where
        assert pod["runAsUser"] >= 10000, where
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for container in containers(spec):
            context = container["securityContext"]
            name = f"{where} container {container['name']}"
            assert context["runAsNonRoot"] is True, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["privileged"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
            assert set(container["resources"]) == {"requests", "limits"}, name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            assert all("hostPath" not in volume for volume in spec["volumes"]), name


@pytest.mark.parametrize(("kind", "objects"), rendered())
def test_the_namespace_enforces_the_restricted_standard(
    kind: str, objects: list[dict[str, Any]]
) -> None:
    namespace = objects[0]
    assert namespace["kind"] == "Namespace", kind
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert {obj["metadata"].get("namespace") for obj in objects[1:]} == {
        namespace["metadata"]["name"]
    }


@pytest.mark.parametrize(("kind", "objects"), rendered())
def test_secrets_are_mounted_files_never_inline(kind: str, objects: list[dict[str, Any]]) -> None:
    assert "Secret" not in {obj["kind"] for obj in objects}, kind
    for where, spec in pod_specs(objects):
        for container in containers(spec):
            for variable in container.get("env", []):
                assert "secretKeyRef" not in variable.get("valueFrom", {}), where
            assert all("secretRef" not in source for source in container["envFrom"]), where
        secrets = [volume["secret"] for volume in spec["volumes"] if "secret" in volume]
        assert secrets, where
        assert all(secret["defaultMode"] == 0o440 for secret in secrets), where
    settings = [obj["data"] for obj in objects if obj["kind"] == "ConfigMap"]
    for data in settings:
        assert not any("TOKEN=" in value or "PASSWORD" in key for key, value in data.items())
