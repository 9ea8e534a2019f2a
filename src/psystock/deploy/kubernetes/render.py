"""One entry point: the objects of a kind, and their YAML."""

from __future__ import annotations

from typing import Any

import yaml

from psystock.deploy.kubernetes.api import api_manifests
from psystock.deploy.kubernetes.batch import cronjob_manifests, job_manifests
from psystock.deploy.kubernetes.namespace import namespace
from psystock.deploy.kubernetes.options import ManifestOptions

_BUILDERS = {"api": api_manifests, "batch-job": job_manifests, "batch-cronjob": cronjob_manifests}


def render(kind: str, options: ManifestOptions) -> list[dict[str, Any]]:
    """The Namespace, then the objects of ``kind`` (one of ``options.KINDS``).

    Raises:
        KeyError: ``kind`` is not one of ``KINDS`` (the CLI offers only those).
    """
    return [namespace(options), *_BUILDERS[kind](options)]


class _PlainDumper(yaml.SafeDumper):
    """No anchors or aliases: a value used twice is written twice, as kubectl shows it."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002 - every value alike
        return True


def to_yaml(objects: list[dict[str, Any]]) -> str:
    """``objects`` as one multi-document YAML stream, keys in the order they were built."""
    return "---\n".join(
        yaml.dump(obj, Dumper=_PlainDumper, sort_keys=False, width=100) for obj in objects
    )
