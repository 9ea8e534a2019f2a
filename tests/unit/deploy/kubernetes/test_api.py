"""The API's manifests say what ``psystock serve`` actually reads and answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from psystock.deploy.kubernetes import ManifestOptions, render
from psystock.deploy.kubernetes.api import API_TOKEN_DIR
from psystock.deploy.kubernetes.pod import REGISTRY_CREDENTIALS_DIR
from psystock.serving.routes import build_routes
from psystock.settings import ServingSettings, load_settings


def by_kind(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {obj["kind"]: obj for obj in objects}


def api_container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    container: dict[str, Any] = by_kind(objects)["Deployment"]["spec"]["template"]["spec"][
        "containers"
    ][0]
    return container


def test_api_probes_use_the_routes_the_api_serves() -> None:
    container = api_container(render("api", ManifestOptions()))
    paths = {route.path for route in build_routes() if hasattr(route, "path")}
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"
    assert container["livenessProbe"]["httpGet"]["path"] == "/ping"
    assert container["startupProbe"]["httpGet"]["path"] == "/ping"
    assert {"/health", "/ping", "/metrics"} <= paths
    assert container["lifecycle"]["preStop"] == {"exec": {"command": ["sleep", "10"]}}


def test_api_rolls_out_without_unavailability_and_spreads() -> None:
    objects = by_kind(render("api", ManifestOptions(replicas=3, max_replicas=7)))
    deployment = objects["Deployment"]["spec"]
    assert deployment["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    assert deployment["replicas"] == 3
    keys = [c["topologyKey"] for c in deployment["template"]["spec"]["topologySpreadConstraints"]]
    assert keys == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    assert (objects["HorizontalPodAutoscaler"]["spec"]["minReplicas"], 7) == (
        3,
        objects["HorizontalPodAutoscaler"]["spec"]["maxReplicas"],
    )
    assert objects["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1
    assert "ServiceMonitor" not in objects


def test_api_settings_are_the_variables_psystock_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    objects = by_kind(render("api", ManifestOptions(model="models:/m@production")))
    data = objects["ConfigMap"]["data"]
    assert data["PSYSTOCK_SERVING__AUTH_TOKEN_FILE"] == f"{API_TOKEN_DIR}/token"
    assert data["PSYSTOCK_TRACKING_CREDENTIALS_DIR"] == REGISTRY_CREDENTIALS_DIR
    # pydantic-settings ignores an unknown variable: each one must name a setting.
    known = {f"PSYSTOCK_SERVING__{name.upper()}" for name in ServingSettings.model_fields} | {
        "PSYSTOCK_SCORING__MODEL_URI",
        "PSYSTOCK_LOG_LEVEL",
        "PSYSTOCK_TRACKING_CREDENTIALS_DIR",
        "MLFLOW_TRACKING_URI",
    }
    assert set(data) <= known
    # The settings the pod gets, with its mounted files here under tmp_path.
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "token").write_text("registry-secret\n")
    (tmp_path / "api-token").write_text("api-secret")
    files = {
        REGISTRY_CREDENTIALS_DIR: str(tmp_path / "registry"),
        f"{API_TOKEN_DIR}/token": str(tmp_path / "api-token"),
    }
    for key, value in data.items():
        monkeypatch.setenv(key, files.get(value, value))
    settings = load_settings()
    assert (settings.serving.host, settings.serving.port, settings.scoring.reference) == (
        "0.0.0.0",
        8080,
        "models:/m@production",
    )
    assert settings.serving.auth_token is not None
    assert settings.serving.auth_token.get_secret_value() == "api-secret"
    assert settings.tracking_token is not None
    assert settings.tracking_token.get_secret_value() == "registry-secret"
    container = api_container(list(objects.values()))
    env = {variable["name"]: variable.get("value") for variable in container["env"]}
    assert env["PSYSTOCK_SERVING__PUBLIC_URL"] == "http://$(POD_IP):8080"
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert {API_TOKEN_DIR, REGISTRY_CREDENTIALS_DIR, "/var/lib/psystock", "/tmp"} <= mounts


def test_api_without_a_token_mounts_none() -> None:
    objects = by_kind(render("api", ManifestOptions(api_token=False)))
    assert "PSYSTOCK_SERVING__AUTH_TOKEN_FILE" not in objects["ConfigMap"]["data"]
    volumes = objects["Deployment"]["spec"]["template"]["spec"]["volumes"]
    assert [v["name"] for v in volumes] == ["home", "tmp", "registry-credentials"]


def test_api_metrics_port_and_service_monitor() -> None:
    objects = by_kind(render("api", ManifestOptions(service_monitor=True)))
    ports = {p["name"]: p for p in objects["Service"]["spec"]["ports"]}
    assert ports["metrics"]["targetPort"] == "http"
    assert objects["ServiceMonitor"]["spec"]["endpoints"] == [
        {"port": "metrics", "path": "/metrics", "interval": "30s"}
    ]


def test_api_network_policy_opens_the_api_port_and_reaches_the_registry() -> None:
    options = ManifestOptions(tracking_uri="https://mlflow.example.com")
    policy = by_kind(render("api", options))["NetworkPolicy"]["spec"]
    assert policy["ingress"] == [{"ports": [{"port": "http", "protocol": "TCP"}]}]
    assert {"port": 443, "protocol": "TCP"} in policy["egress"][1]["ports"]
