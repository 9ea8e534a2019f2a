"""What a rendering may change: names, image, model, registry, schedule, sizes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from psystock import __version__
from psystock.errors import ConfigError

KINDS = ("api", "batch-job", "batch-cronjob")
"""What ``psystock k8s render`` prints."""

DEFAULT_TRACKING_URI = "http://psystock-registry:5000"
"""A registry Service named ``psystock-registry`` in the same namespace (the registry image)."""

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?]+$")


@dataclass(frozen=True)
class ManifestOptions:
    """The choices of one rendering; every default gives a working deployment.

    Attributes:
        namespace: namespace of every object (labelled to enforce the restricted standard).
        name: prefix of the objects' names (``NAME-api``, ``NAME-batch``, ...).
        image: image of the workload; default ``psystock-api:VERSION`` or
            ``psystock-batch:VERSION``, as ``psystock docker build`` tags them.
        model: model reference (``PSYSTOCK_SCORING__MODEL_URI``); default: the image's baked
            model, else ``models:/training-model-psystock/Production``.
        tracking_uri: the MLflow registry the pods reach (``MLFLOW_TRACKING_URI``).
        schedule: cron schedule of the CronJob.
        replicas: the api's replicas (and the autoscaler's minimum).
        max_replicas: the autoscaler's maximum.
        api_token: whether the api requires the bearer token of the ``NAME-api-token`` Secret.
        service_monitor: whether the api's output holds a Prometheus Operator ServiceMonitor.
    """

    namespace: str = "psystock"
    name: str = "psystock"
    image: str | None = None
    model: str | None = None
    tracking_uri: str = DEFAULT_TRACKING_URI
    schedule: str = "0 6 * * *"
    replicas: int = 2
    max_replicas: int = 10
    api_token: bool = True
    service_monitor: bool = False

    def __post_init__(self) -> None:
        for option, value in (("--namespace", self.namespace), ("--name", self.name)):
            if len(value) > 40 or not _DNS_LABEL.match(value):
                raise ConfigError(
                    f"{option} {value!r}: expected a DNS label of at most 40 characters "
                    "(lowercase letters, digits and '-', starting and ending alphanumeric)"
                )
        fields = self.schedule.split()
        if len(fields) != 5 or not all(_CRON_FIELD.match(field) for field in fields):
            raise ConfigError(
                f"--schedule {self.schedule!r}: expected a cron schedule of 5 fields "
                "(minute hour day-of-month month day-of-week), e.g. '0 6 * * *'"
            )
        parts = urlsplit(self.tracking_uri)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"--tracking-uri {self.tracking_uri!r}: expected http(s)://HOST[:PORT], the "
                "MLflow server as the pods reach it"
            )
        if not 1 <= self.replicas <= self.max_replicas:
            raise ConfigError(
                f"--replicas {self.replicas}: expected 1 to --max-replicas ({self.max_replicas})"
            )

    def image_of(self, component: str) -> str:
        """The image of ``component`` (``api`` or ``batch``)."""
        return self.image or f"psystock-{component}:{__version__}"

    @property
    def registry_port(self) -> int:
        """The TCP port the pods open to the registry (egress of the NetworkPolicy)."""
        parts = urlsplit(self.tracking_uri)
        return parts.port or (443 if parts.scheme == "https" else 80)
