"""The kustomize tree and ``psystock k8s render`` cannot drift apart."""

from __future__ import annotations

import pytest
import yaml

from psystock.deploy.kubernetes import KINDS
from tests.conftest import RunCli
from tests.integration.deploy.kubernetes.kustomize import OVERLAYS, TREE, by_key, kustomize
from tests.unit.deploy.kubernetes.pod_specs import containers, pod_specs


def test_kustomize_base_is_what_psystock_k8s_render_prints(run_cli: RunCli) -> None:
    rendered = []
    for kind in KINDS:
        result = run_cli("k8s", "render", kind)
        assert result.exit_code == 0, result.said
        rendered += list(yaml.safe_load_all(result.stdout))
    assert by_key(kustomize(TREE / "base")) == by_key(rendered)


def test_the_service_monitor_component_is_what_render_adds(run_cli: RunCli) -> None:
    result = run_cli("k8s", "render", "api", "--service-monitor")
    monitors = [doc for doc in yaml.safe_load_all(result.stdout) if doc["kind"] == "ServiceMonitor"]
    prod = [obj for obj in kustomize(TREE / "overlays" / "prod") if obj["kind"] == "ServiceMonitor"]
    assert prod == monitors
    assert len(monitors) == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_keep_every_pod_restricted(overlay: str) -> None:
    objects = kustomize(TREE / "overlays" / overlay)
    namespace = next(obj for obj in objects if obj["kind"] == "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    specs = list(pod_specs(objects))
    assert [where for where, _ in specs] == [
        "Deployment/psystock-api",
        "CronJob/psystock-batch",
        "Job/psystock-batch",
    ]
    for where, spec in specs:
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        for container in containers(spec):
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where
