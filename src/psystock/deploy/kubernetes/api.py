"""The REST API's objects: Deployment, Service, autoscaler, disruption budget, network policy.

A Prometheus Operator ServiceMonitor is added on request.

What the manifests rely on in ``psystock serve``: ``/health`` answers 503 until a model is
loaded and 200 while one serves (readiness); ``/ping`` is the same answer on the hot path
(startup and liveness); ``/metrics`` is Prometheus text on the same port (no token: only
``POST`` routes need one); ``PSYSTOCK_SERVING__AUTH_TOKEN_FILE`` reads the bearer token from a
file; ``PSYSTOCK_SERVING__PUBLIC_URL`` is where the registry's webhook reaches this pod.
"""

from __future__ import annotations

from typing import Any

from psystock.deploy.kubernetes import pod
from psystock.deploy.kubernetes.options import ManifestOptions
from psystock.deploy.kubernetes.pod import (
    API_VERSIONS,
    SECRET_FILE_MODE,
    SECRETS_DIR,
    container,
    labels,
    manifest,
    pod_spec,
    selector,
    settings_config_map,
)

COMPONENT = "api"
PORT = 8080
"""The API's port in the image (``PSYSTOCK_SERVING__PORT``)."""

SERVICE_PORT = 80
METRICS_SERVICE_PORT = 9090
"""The Service's ``metrics`` port (to the API's port, where ``/metrics`` is served)."""

API_TOKEN_DIR = f"{SECRETS_DIR}/api-token"
DRAIN_S = 10
"""preStop pause: endpoints drop the pod before uvicorn stops accepting connections."""


def api_manifests(options: ManifestOptions) -> list[dict[str, Any]]:
    """The API's objects, in the order ``kubectl apply`` wants them."""
    objects = [
        config_map(options),
        deployment(options),
        service(options),
        autoscaler(options),
        disruption_budget(options),
        network_policy(options),
    ]
    if options.service_monitor:
        objects.append(service_monitor(options))
    return objects


def name(options: ManifestOptions) -> str:
    """Name of the API's objects."""
    return f"{options.name}-{COMPONENT}"


def token_secret_name(options: ManifestOptions) -> str:
    """Name of the Secret holding the API's bearer token (key ``token``)."""
    return f"{options.name}-api-token"


def config_map(options: ManifestOptions) -> dict[str, Any]:
    """The API's settings."""
    extra = {
        "PSYSTOCK_SERVING__HOST": "0.0.0.0",
        "PSYSTOCK_SERVING__PORT": str(PORT),
        "PSYSTOCK_SERVING__WORKERS": "1",
    }
    if options.api_token:
        extra["PSYSTOCK_SERVING__AUTH_TOKEN_FILE"] = f"{API_TOKEN_DIR}/token"
    return settings_config_map(options, COMPONENT, extra)


def deployment(options: ManifestOptions) -> dict[str, Any]:
    """The API's Deployment: probes, rolling update without unavailability, drain, spread."""
    api = container(options, COMPONENT, _token_mounts(options))
    http = {"path": "/ping", "port": "http"}
    api |= {
        "ports": [{"name": "http", "containerPort": PORT, "protocol": "TCP"}],
        # Each replica registers its own registry webhook: it must be reached at its own address.
        "env": [
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "PSYSTOCK_SERVING__PUBLIC_URL", "value": f"http://$(POD_IP):{PORT}"},
        ],
        "resources": {
            "requests": {"cpu": "250m", "memory": "384Mi"},
            "limits": {"cpu": "2", "memory": "1Gi"},
        },
        # The model loads before /ping answers 200: up to 3 minutes for a cold registry.
        "startupProbe": {"httpGet": http, "periodSeconds": 5, "failureThreshold": 36},
        "readinessProbe": {
            "httpGet": {"path": "/health", "port": "http"},
            "periodSeconds": 5,
            "timeoutSeconds": 2,
            "failureThreshold": 2,
        },
        "livenessProbe": {
            "httpGet": http,
            "periodSeconds": 10,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", str(DRAIN_S)]}}},
    }
    spec = pod_spec(options, [api], _token_volumes(options))
    spec |= {
        "terminationGracePeriodSeconds": DRAIN_S + 30,
        "topologySpreadConstraints": [
            _spread(options, "topology.kubernetes.io/zone"),
            _spread(options, "kubernetes.io/hostname"),
        ],
    }
    deployment_spec = {
        "replicas": options.replicas,
        "revisionHistoryLimit": 5,
        "selector": {"matchLabels": selector(options, COMPONENT)},
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
        },
        "template": {"metadata": {"labels": labels(options, COMPONENT)}, "spec": spec},
    }
    return _manifest(options, "Deployment", deployment_spec)


def _spread(options: ManifestOptions, key: str) -> dict[str, Any]:
    return {
        "maxSkew": 1,
        "topologyKey": key,
        "whenUnsatisfiable": "ScheduleAnyway",
        "labelSelector": {"matchLabels": selector(options, COMPONENT)},
    }


def _token_mounts(options: ManifestOptions) -> list[dict[str, Any]]:
    if not options.api_token:
        return []
    return [{"name": "api-token", "mountPath": API_TOKEN_DIR, "readOnly": True}]


def _token_volumes(options: ManifestOptions) -> list[dict[str, Any]]:
    if not options.api_token:
        return []
    secret = {"secretName": token_secret_name(options), "defaultMode": SECRET_FILE_MODE}
    return [{"name": "api-token", "secret": secret}]


def service(options: ManifestOptions) -> dict[str, Any]:
    """The API's Service: ``http`` for clients, ``metrics`` for Prometheus (same container port)."""
    ports = [
        {"name": "http", "port": SERVICE_PORT, "targetPort": "http", "protocol": "TCP"},
        {"name": "metrics", "port": METRICS_SERVICE_PORT, "targetPort": "http", "protocol": "TCP"},
    ]
    spec = {"type": "ClusterIP", "selector": selector(options, COMPONENT), "ports": ports}
    return _manifest(options, "Service", spec)


def autoscaler(options: ManifestOptions) -> dict[str, Any]:
    """Scale on CPU between ``replicas`` and ``max_replicas``; scale down slowly."""
    cpu = {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}
    spec = {
        "scaleTargetRef": {
            "apiVersion": API_VERSIONS["Deployment"],
            "kind": "Deployment",
            "name": name(options),
        },
        "minReplicas": options.replicas,
        "maxReplicas": options.max_replicas,
        "metrics": [{"type": "Resource", "resource": cpu}],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300}},
    }
    return _manifest(options, "HorizontalPodAutoscaler", spec)


def disruption_budget(options: ManifestOptions) -> dict[str, Any]:
    """At most one API pod evicted at a time (node drains, upgrades)."""
    spec = {"maxUnavailable": 1, "selector": {"matchLabels": selector(options, COMPONENT)}}
    return _manifest(options, "PodDisruptionBudget", spec)


def network_policy(options: ManifestOptions) -> dict[str, Any]:
    """In: the API's port only. Out: DNS and the registry's port only."""
    return pod.network_policy(options, name(options), COMPONENT, ingress_port="http")


def service_monitor(options: ManifestOptions) -> dict[str, Any]:
    """A Prometheus Operator ServiceMonitor scraping ``/metrics`` on the ``metrics`` port."""
    spec = {
        "selector": {"matchLabels": selector(options, COMPONENT)},
        "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "30s"}],
    }
    return _manifest(options, "ServiceMonitor", spec)


def _manifest(options: ManifestOptions, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """One of the API's objects (named ``name(options)``) of ``kind``."""
    return manifest(options, kind, name(options), COMPONENT, spec=spec)
