"""What every psystock object and pod shares: labels, metadata, settings, volumes, secret files."""

from __future__ import annotations

from typing import Any

from psystock import __version__
from psystock.deploy.kubernetes.options import ManifestOptions
from psystock.deploy.kubernetes.security import container_security_context, pod_security_context

HOME_DIR = "/var/lib/psystock"
"""The images' home, TMPDIR and PSYSTOCK_HOME: model cache, metrics of several workers."""

SECRETS_DIR = "/var/run/secrets/psystock"
REGISTRY_CREDENTIALS_DIR = f"{SECRETS_DIR}/registry"
"""Where the registry credentials Secret is mounted (``PSYSTOCK_TRACKING_CREDENTIALS_DIR``)."""

SECRET_FILE_MODE = 0o440
"""Secret files readable by the owner and the pod's fsGroup (the images' group) only."""

API_VERSIONS = {
    "ConfigMap": "v1",
    "Service": "v1",
    "Deployment": "apps/v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
    "NetworkPolicy": "networking.k8s.io/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
    "ServiceMonitor": "monitoring.coreos.com/v1",
}
"""The ``apiVersion`` of each kind of namespaced object psystock renders."""


def labels(options: ManifestOptions, component: str | None = None) -> dict[str, str]:
    """The recommended ``app.kubernetes.io`` labels; with ``component``, a workload's own."""
    common = {
        "app.kubernetes.io/name": options.name,
        "app.kubernetes.io/part-of": "psystock",
        "app.kubernetes.io/version": __version__,
        "app.kubernetes.io/managed-by": "psystock",
    }
    return common if component is None else {**common, "app.kubernetes.io/component": component}


def selector(options: ManifestOptions, component: str) -> dict[str, str]:
    """The labels that select a workload's pods (stable across versions)."""
    return {"app.kubernetes.io/name": options.name, "app.kubernetes.io/component": component}


def metadata(options: ManifestOptions, name: str, component: str | None) -> dict[str, Any]:
    """``metadata`` of a namespaced object."""
    return {"name": name, "namespace": options.namespace, "labels": labels(options, component)}


def manifest(
    options: ManifestOptions, kind: str, name: str, component: str | None, **fields: Any
) -> dict[str, Any]:
    """A namespaced object of ``kind``: ``apiVersion``, ``kind``, ``metadata``, then ``fields``."""
    return {
        "apiVersion": API_VERSIONS[kind],
        "kind": kind,
        "metadata": metadata(options, name, component),
        **fields,
    }


def network_policy(
    options: ManifestOptions, name: str, component: str, ingress_port: str | None
) -> dict[str, Any]:
    """In: ``ingress_port`` only (nothing when None). Out: DNS and the registry's port only."""
    spec: dict[str, Any] = {
        "podSelector": {"matchLabels": selector(options, component)},
        "policyTypes": ["Ingress", "Egress"],
    }
    if ingress_port is not None:
        spec["ingress"] = [{"ports": [{"port": ingress_port, "protocol": "TCP"}]}]
    # DNS, and TCP to the registry's port (its address is not known here).
    spec["egress"] = [
        {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]},
        {"ports": [{"port": options.registry_port, "protocol": "TCP"}]},
    ]
    return manifest(options, "NetworkPolicy", name, component, spec=spec)


def settings_config_map(
    options: ManifestOptions, component: str, extra: dict[str, str]
) -> dict[str, Any]:
    """The ConfigMap of a workload's settings, read as environment variables (``envFrom``)."""
    data = {
        "MLFLOW_TRACKING_URI": options.tracking_uri,
        "PSYSTOCK_LOG_LEVEL": "INFO",
        "PSYSTOCK_TRACKING_CREDENTIALS_DIR": REGISTRY_CREDENTIALS_DIR,
    }
    if options.model is not None:
        data["PSYSTOCK_SCORING__MODEL_URI"] = options.model
    name = settings_name(options, component)
    return manifest(options, "ConfigMap", name, component, data={**data, **extra})


def settings_name(options: ManifestOptions, component: str) -> str:
    """Name of a workload's settings ConfigMap."""
    return f"{options.name}-{component}-settings"


def registry_credentials_name(options: ManifestOptions) -> str:
    """Name of the registry credentials Secret (keys ``token`` or ``username``/``password``)."""
    return f"{options.name}-registry-credentials"


def container(
    options: ManifestOptions, component: str, mounts: list[dict[str, Any]]
) -> dict[str, Any]:
    """A workload's container: its image, settings, restricted security and volumes."""
    return {
        "name": component,
        "image": options.image_of(component),
        "imagePullPolicy": "IfNotPresent",
        "envFrom": [{"configMapRef": {"name": settings_name(options, component)}}],
        "securityContext": container_security_context(),
        "volumeMounts": [
            {"name": "home", "mountPath": HOME_DIR},
            {"name": "tmp", "mountPath": "/tmp"},
            {
                "name": "registry-credentials",
                "mountPath": REGISTRY_CREDENTIALS_DIR,
                "readOnly": True,
            },
            *mounts,
        ],
    }


def pod_spec(
    options: ManifestOptions, containers: list[dict[str, Any]], volumes: list[dict[str, Any]]
) -> dict[str, Any]:
    """A pod spec: no service account token, restricted security, the shared volumes."""
    return {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": pod_security_context(),
        "containers": containers,
        "volumes": [
            {"name": "home", "emptyDir": {"sizeLimit": "1Gi"}},
            {"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}},
            {
                "name": "registry-credentials",
                # Optional: an open registry needs none; the directory is then empty.
                "secret": {
                    "secretName": registry_credentials_name(options),
                    "optional": True,
                    "defaultMode": SECRET_FILE_MODE,
                },
            },
            *volumes,
        ],
    }
