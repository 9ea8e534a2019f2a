"""``psystock sagemaker ...``: AWS SageMaker endpoints of the api image (a thin layer).

The work is done by ``psystock.deploy.sagemaker``; this module turns options into settings and
results into lines. It imports that package (and so boto3) only inside the commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeVar

import click

from psystock.cli._context import get_state
from psystock.extras import require_extra

if TYPE_CHECKING:
    from psystock.deploy.sagemaker import Aws
    from psystock.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

EPILOG = (
    "AWS credentials, region and endpoints come from the standard AWS environment and profiles "
    "(AWS_PROFILE, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SAGEMAKER, ...). "
    "Errors end in one line with AWS's error code and request id; exit 1 when AWS or the "
    "endpoint failed, 2 for bad options or settings."
)


def aws_options(command: F) -> F:
    """``--region-name`` and ``--profile`` on a command."""
    command = click.option(
        "--profile",
        default=None,
        help="AWS profile. Env: PSYSTOCK_SAGEMAKER__PROFILE or AWS_PROFILE.",
    )(command)
    return click.option(
        "--region-name",
        default=None,
        help="AWS region. Env: PSYSTOCK_SAGEMAKER__REGION_NAME or AWS_DEFAULT_REGION.",
    )(command)


name_option = click.option(
    "-a", "--app-name", "name", required=True, help="Name of the SageMaker endpoint."
)


def _session(**sagemaker: Any) -> tuple[Settings, Aws]:
    require_extra("aws", "psystock sagemaker")
    from psystock.deploy.sagemaker import Aws

    settings = get_state().settings(sagemaker=sagemaker)
    return settings, Aws(settings.sagemaker)


@click.group(epilog=EPILOG)
def sagemaker() -> None:
    """Deploy the api image to AWS SageMaker endpoints, list, describe and delete them.

    The endpoint runs the api image (`psystock docker build api`) with SageMaker's contract:
    the model archive unpacked at /opt/ml/model, /ping and /invocations on port 8080.
    """


@sagemaker.command(epilog=EPILOG)
@name_option
@click.option(
    "-m",
    "--model-uri",
    required=True,
    help="Model to deploy: models:/NAME/STAGE, models:/NAME@ALIAS, models:/NAME/VERSION, "
    "runs:/RUN_ID/PATH or a path.",
)
@aws_options
@click.option(
    "--execution-role-arn",
    default=None,
    help="IAM role SageMaker assumes. Env: PSYSTOCK_SAGEMAKER__EXECUTION_ROLE_ARN.",
)
@click.option(
    "--image-url",
    default=None,
    help="Image to run. Env: PSYSTOCK_SAGEMAKER__IMAGE_URL.  "
    "[default: ACCOUNT.dkr.ecr.REGION.amazonaws.com/psystock-api:VERSION]",
)
@click.option(
    "--bucket",
    default=None,
    help="S3 bucket of the model archive, created if missing. Env: PSYSTOCK_SAGEMAKER__BUCKET.  "
    "[default: psystock-sagemaker-REGION-ACCOUNT]",
)
@click.option(
    "--instance-type",
    default=None,
    help="Instance type of the new variant. Env: PSYSTOCK_SAGEMAKER__INSTANCE_TYPE.  "
    "[default: ml.m5.large]",
)
@click.option(
    "--instance-count",
    type=click.IntRange(min=1),
    default=None,
    help="Instances of the new variant.  [default: 1]",
)
@click.option(
    "--mode",
    type=click.Choice(["create", "replace", "add"]),
    default="create",
    show_default=True,
    help="create: a new endpoint (refused if it exists); replace: the endpoint serves only "
    "the new model, then the old config, models and archives are deleted; add: a new variant "
    "beside the old ones (weight --variant-weight). An endpoint that does not exist is created.",
)
@click.option(
    "--variant-weight",
    type=click.FloatRange(min=0),
    default=None,
    help="Weight of the variant --mode add adds.  [default: 1.0]",
)
@click.option(
    "--async",
    "is_async",
    is_flag=True,
    help="Return once SageMaker accepted the request, without waiting for InService (a "
    "replace then keeps the old config and models; delete removes them with the endpoint).",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds to wait for InService before rolling back. Env: "
    "PSYSTOCK_SAGEMAKER__TIMEOUT_S.  [default: 1200]",
)
def deploy(
    name: str,
    model_uri: str,
    mode: str,
    is_async: bool,
    timeout_s: float | None,
    **options: Any,
) -> None:
    """Deploy a model to a SageMaker endpoint and wait until it is InService.

    Packages the model as model.tar.gz in S3, creates a SageMaker model and endpoint config,
    then creates (or updates) the endpoint. If it does not come up, SageMaker's reason is
    reported and what this deployment created is deleted again.
    """
    from psystock.deploy.sagemaker import DeployRequest, Mode, deploy

    settings, aws = _session(timeout_s=timeout_s, **options)
    request = DeployRequest(name, model_uri, Mode(mode), wait=not is_async)
    done = deploy(settings, aws, request)
    endpoint = done.endpoint
    verb = "Created" if done.created else f"Updated ({mode})"
    click.echo(
        f"{verb} endpoint {endpoint.name}: {endpoint.status} in {done.duration_s:.0f} s "
        f"({endpoint.arn})"
    )
    click.echo(f"Model {done.model} ({done.image}, {done.model_data_url}), config {done.config}")
    if done.removed:
        click.echo(f"Removed {', '.join(done.removed)}")
    click.echo(f"Invoke: psystock sagemaker invoke -a {endpoint.name} --input rows.json")


@sagemaker.command("list", epilog=EPILOG)
@aws_options
def list_command(**options: Any) -> None:
    """List the region's endpoints: name, status, creation time."""
    from psystock.deploy.sagemaker import list_endpoints

    _, aws = _session(**options)
    endpoints = list_endpoints(aws)
    if not endpoints:
        click.echo(f"No endpoints in {aws.region}")
    for item in endpoints:
        created = item["CreationTime"].isoformat(timespec="seconds")
        click.echo(f"{item['EndpointName']:40} {item['EndpointStatus']:15} {created}")


@sagemaker.command(epilog=EPILOG)
@name_option
@aws_options
def describe(name: str, **options: Any) -> None:
    """Describe an endpoint as JSON: status, config, variants (model, instances, weight)."""
    from psystock.deploy.sagemaker import describe_endpoint

    _, aws = _session(**options)
    endpoint = describe_endpoint(aws, name)
    summary = {k: v for k, v in asdict(endpoint).items() if k != "raw"}
    click.echo(json.dumps(summary, indent=2))


@sagemaker.command(epilog=EPILOG)
@name_option
@aws_options
def delete(name: str, **options: Any) -> None:
    """Delete an endpoint, its endpoint configs, their models and the models' S3 archives."""
    from psystock.deploy.sagemaker import delete_endpoint

    _, aws = _session(**options)
    owned = delete_endpoint(aws, name)
    click.echo(
        f"Deleted endpoint {name}, {len(owned.configs)} endpoint config(s) and "
        f"{len(owned.models)} model(s) with their S3 archives"
    )
