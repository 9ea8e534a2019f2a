"""Validation against the Kubernetes OpenAPI schemas of several minor versions, offline.

``kubernetes-validate`` ships the JSON schemas of each Kubernetes release. ServiceMonitor is a
custom resource (the Prometheus Operator's): no release schema has it, so it is left out here
and its fields are checked by the tests of the ServiceMonitor itself.
"""

from __future__ import annotations

from typing import Any

from kubernetes_validate import utils

KUBERNETES_VERSIONS = ("1.29.0", "1.32.0", "1.37.0")
"""The oldest minor with every field used here (CronJob timeZone, podFailurePolicy), kubectl's
on this machine, and the newest the validator knows."""

CUSTOM_KINDS = {"ServiceMonitor"}


def schema_errors(objects: list[dict[str, Any]], version: str) -> list[str]:
    """What the strict schemas of ``version`` refuse in ``objects`` (empty: all valid)."""
    errors = []
    for obj in objects:
        if obj["kind"] in CUSTOM_KINDS:
            continue
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            utils.validate(obj, version, strict=True)
        except utils.ValidationError as exc:
            errors.append(f"{where} (Kubernetes {version}): {exc.message} at {list(exc.path)}")
        except utils.SchemaNotFoundError as exc:
            errors.append(f"{where} (Kubernetes {version}): no schema ({exc})")
    return errors
