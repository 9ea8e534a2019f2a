"""The Namespace, labelled so that the API server enforces the restricted Pod Security Standard."""

from __future__ import annotations

from typing import Any

from psystock.deploy.kubernetes.options import ManifestOptions
from psystock.deploy.kubernetes.pod import labels
from psystock.deploy.kubernetes.security import POD_SECURITY_LABELS


def namespace(options: ManifestOptions) -> dict[str, Any]:
    """The Namespace every object lives in."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": options.namespace,
            "labels": {**labels(options), **POD_SECURITY_LABELS},
        },
    }
