"""``psystock k8s render api|batch-job|batch-cronjob``: the Kubernetes manifests, as YAML."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import click

from psystock.cli._setting_option import setting_variable
from psystock.deploy.kubernetes.options import KINDS, ManifestOptions
from psystock.settings import ScoringSettings

F = TypeVar("F", bound=Callable[..., Any])


_DEFAULTS = {field.name: field.default for field in dataclasses.fields(ManifestOptions)}


def _manifest_option(
    field: str, *, help: str, type: click.ParamType[Any] | None = None
) -> Callable[[F], F]:
    """``--FIELD`` for the ``ManifestOptions`` field of that name, with its default.

    A boolean field is a flag: ``--FIELD/--no-FIELD`` when it defaults to on.
    """
    default = _DEFAULTS[field]
    flag = "--" + field.replace("_", "-")
    if default is True:
        flag = f"{flag}/--no-{flag[2:]}"
    if default is False:
        return click.option(flag, is_flag=True, help=help)
    return click.option(flag, default=default, show_default=True, type=type, help=help)


@click.group()
def k8s() -> None:
    """Kubernetes manifests of the REST API and the batch job.

    The same manifests as the kustomize base in deploy/kubernetes/base, for users without
    kustomize: `psystock k8s render api | kubectl apply -f -`.
    """


@k8s.command("render")
@click.argument("kind", type=click.Choice(KINDS))
@_manifest_option(
    "image", help="Image to run.  [default: psystock-api:VERSION or psystock-batch:VERSION]"
)
@_manifest_option(
    "model",
    help=f"Model reference ({setting_variable('scoring.model_uri')}).  [default: the image's "
    f"baked model, else {ScoringSettings().reference}]",
)
@_manifest_option("namespace", help="Namespace of every object.")
@_manifest_option("name", help="Prefix of the objects' names.")
@_manifest_option(
    "tracking_uri", help="The MLflow registry as the pods reach it (their MLFLOW_TRACKING_URI)."
)
@_manifest_option("schedule", help="Cron schedule of batch-cronjob (UTC).")
@_manifest_option(
    "replicas", type=click.IntRange(min=1), help="API replicas (the autoscaler's minimum)."
)
@_manifest_option("max_replicas", type=click.IntRange(min=1), help="The API autoscaler's maximum.")
@_manifest_option(
    "api_token",
    help="Require the bearer token of the Secret NAME-api-token (key `token`) on predictions.",
)
@_manifest_option("service_monitor", help="Add a Prometheus Operator ServiceMonitor to api.")
def render(kind: str, **options: Any) -> None:
    """Print the manifests of KIND: api, batch-job or batch-cronjob.

    \b
    api            Deployment, Service, HorizontalPodAutoscaler, PodDisruptionBudget,
                   NetworkPolicy (and a ServiceMonitor with --service-monitor)
    batch-job      Job scoring NAME-batch-input:/input.csv into NAME-batch-output:/output.csv
    batch-cronjob  the same as a CronJob on --schedule, never two runs at once

    Each comes with its Namespace (enforcing the restricted Pod Security Standard) and its
    settings ConfigMap. Secrets are referenced, never written: NAME-registry-credentials
    (optional; keys token, or username and password) and NAME-api-token (key token), mounted
    as files.
    """  # noqa: D301 (click's paragraph mark is the backspace character, not a raw \b)
    from psystock.deploy.kubernetes import render as render_objects
    from psystock.deploy.kubernetes import to_yaml

    # Each option is the ManifestOptions field of the same name.
    click.echo(to_yaml(render_objects(kind, ManifestOptions(**options))), nl=False)
