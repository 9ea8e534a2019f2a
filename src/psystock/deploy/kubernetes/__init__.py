"""Kubernetes manifests of psystock, rendered from one source: this package.

``render(kind, options)`` returns the objects of one workload (``api``, ``batch-job`` or
``batch-cronjob``), each with its Namespace and settings ConfigMap; ``to_yaml`` prints them.
The kustomize base under ``deploy/kubernetes/base`` is this output, written by
``scripts/render-kubernetes`` (a test keeps the two equal).
"""

from __future__ import annotations

from psystock.deploy.kubernetes.options import KINDS, ManifestOptions
from psystock.deploy.kubernetes.render import render, to_yaml

__all__ = ["KINDS", "ManifestOptions", "render", "to_yaml"]
