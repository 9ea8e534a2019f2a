"""Every pod spec and container in rendered objects, wherever the kind keeps them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def pod_specs(objects: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``Kind/name``, pod spec) of every workload in ``objects``."""
    for obj in objects:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] in ("Deployment", "Job"):
            yield where, obj["spec"]["template"]["spec"]
        elif obj["kind"] == "CronJob":
            yield where, obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        elif obj["kind"] == "Pod":
            yield where, obj["spec"]


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of a pod spec, init containers included."""
    return [*spec.get("initContainers", []), *spec["containers"]]
