"""``psystock k8s render api|batch-job|batch-cronjob``: the Kubernetes manifests, as YAML."""

from __future__ import annotations

from typing import Any

import click

from psystock.cli._setting_option import setting_variable
from psystock.deploy.kubernetes.options import DEFAULT_TRACKING_URI, KINDS, ManifestOptions
from psystock.settings import ScoringSettings


@click.group()
def k8s() -> None:
    """Kubernetes manifests of the REST API and the batch job.

    The same manifests as the kustomize base in deploy/kubernetes/base, for users without
    kustomize: `psystock k8s render api | kubectl apply -f -`.
    """


@k8s.command("render")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--image",
    default=None,
    help="Image to run.  [default: psystock-api:VERSION or psystock-batch:VERSION]",
)
@click.option(
    "--model",
    default=None,
    help=f"Model reference ({setting_variable('scoring.model_uri')}).  [default: the image's "
    f"baked model, else {ScoringSettings().reference}]",
)
@click.option(
    "--namespace", default="psystock", show_default=True, help="Namespace of every object."
)
@click.option("--name", default="psystock", show_default=True, help="Prefix of the objects' names.")
@click.option(
    "--tracking-uri",
    default=DEFAULT_TRACKING_URI,
    show_default=True,
    help="The MLflow registry as the pods reach it (their MLFLOW_TRACKING_URI).",
)
@click.option(
    "--schedule",
    default="0 6 * * *",
    show_default=True,
    help="Cron schedule of batch-cronjob (UTC).",
)
@click.option(
    "--replicas",
    default=2,
    show_default=True,
    type=click.IntRange(min=1),
    help="API replicas (the autoscaler's minimum).",
)
@click.option(
    "--max-replicas",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="The API autoscaler's maximum.",
)
@click.option(
    "--api-token/--no-api-token",
    default=True,
    show_default=True,
    help="Require the bearer token of the Secret NAME-api-token (key `token`) on predictions.",
)
@click.option(
    "--service-monitor", is_flag=True, help="Add a Prometheus Operator ServiceMonitor to api."
)
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
