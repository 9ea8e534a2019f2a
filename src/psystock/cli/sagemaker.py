"""``psystock sagemaker ...``: AWS SageMaker endpoints of the api image (a thin layer).

The work is done by ``psystock.deploy.sagemaker``; this module turns options into settings and
results into lines. It imports that package (and so boto3) only inside the commands.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from psystock.cli._context import command_settings, get_state
from psystock.cli._options import choice_option
from psystock.cli._setting_option import setting_option
from psystock.extras import require_extra
from psystock.settings import SageMakerSettings

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
    command = setting_option(
        "sagemaker.profile", "--profile", help="AWS profile.", fallback_variable="AWS_PROFILE"
    )(command)
    return setting_option(
        "sagemaker.region_name",
        "--region-name",
        help="AWS region.",
        fallback_variable="AWS_DEFAULT_REGION",
    )(command)


name_option = click.option(
    "-a", "--app-name", "name", required=True, help="Name of the SageMaker endpoint."
)


model_option = click.option(
    "-m",
    "--model-uri",
    required=True,
    help="The model: models:/NAME/STAGE, models:/NAME@ALIAS, models:/NAME/VERSION, "
    "runs:/RUN_ID/PATH or a path.",
)


def deployment_options(command: F) -> F:
    """What a SageMaker model needs (role, image, bucket, instances), and the AWS options."""
    options = [
        setting_option(
            "sagemaker.execution_role_arn",
            "--execution-role-arn",
            help="IAM role SageMaker assumes.",
        ),
        setting_option(
            "sagemaker.image_url",
            "--image-url",
            help="Image to run.",
            shown_default="ACCOUNT.dkr.ecr.REGION.amazonaws.com/"
            f"{SageMakerSettings().repository}:VERSION",
        ),
        setting_option(
            "sagemaker.bucket",
            "--bucket",
            help="S3 bucket of the model archive, created if missing.",
            shown_default="psystock-sagemaker-REGION-ACCOUNT",
        ),
        setting_option("sagemaker.instance_type", "--instance-type", help="Instance type."),
        setting_option(
            "sagemaker.instance_count",
            "--instance-count",
            type=click.IntRange(min=1),
            help="Number of instances.",
            shows_variable=False,
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return aws_options(command)


def wait_options(
    *, async_help: str, timeout_help: str, shows_variable: bool = True
) -> Callable[[F], F]:
    """``--async`` (return at once) and ``--timeout`` (the wait: ``sagemaker.timeout_s``)."""

    def decorate(command: F) -> F:
        command = setting_option(
            "sagemaker.timeout_s",
            "--timeout",
            "timeout_s",
            type=click.FloatRange(min=1),
            help=timeout_help,
            shows_variable=shows_variable,
        )(command)
        return click.option("--async", "is_async", is_flag=True, help=async_help)(command)

    return decorate


def _session() -> tuple[Settings, Aws]:
    """The command's settings (its options applied) and an AWS session on them."""
    require_extra("aws", "psystock sagemaker")
    from psystock.deploy.sagemaker.aws import Aws

    settings = command_settings()
    return settings, Aws(settings.sagemaker)


@click.group(epilog=EPILOG)
def sagemaker() -> None:
    """Deploy the api image to AWS SageMaker endpoints; list, describe, invoke, delete them.

    The endpoint runs the api image (`psystock docker build api`) with SageMaker's contract:
    the model archive unpacked at /opt/ml/model, /ping and /invocations on port 8080.
    """


@sagemaker.command(epilog=EPILOG)
@name_option
@model_option
@deployment_options
@choice_option(
    "--mode",
    choices=("create", "replace", "add"),
    help="create: a new endpoint (refused if it exists); replace: the endpoint serves only "
    "the new model, then the old config, models and archives are deleted; add: a new variant "
    "beside the old ones (weight --variant-weight). An endpoint that does not exist is created.",
)
@setting_option(
    "sagemaker.variant_weight",
    "--variant-weight",
    type=click.FloatRange(min=0),
    help="Weight of the variant --mode add adds.",
    shown_default=str(SageMakerSettings().variant_weight),
    shows_variable=False,
)
@wait_options(
    async_help="Return once SageMaker accepted the request, without waiting for InService (a "
    "replace then keeps the old config and models; delete removes them with the endpoint).",
    timeout_help="Seconds to wait for InService before rolling back.",
)
def deploy(
    name: str,
    model_uri: str,
    mode: str,
    is_async: bool,
    **_settings: Any,
) -> None:
    """Deploy a model to a SageMaker endpoint and wait until it is InService.

    Packages the model as model.tar.gz in S3, creates a SageMaker model and endpoint config,
    then creates (or updates) the endpoint. If it does not come up, SageMaker's reason is
    reported and what this deployment created is deleted again.
    """
    from psystock.deploy.sagemaker.deploy import DeployRequest, Mode, deploy

    settings, aws = _session()
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
def list_command(**_settings: Any) -> None:
    """List the region's endpoints: name, status, creation time."""
    from psystock.deploy.sagemaker.endpoints import list_endpoints

    _, aws = _session()
    endpoints = list_endpoints(aws)
    if not endpoints:
        click.echo(f"No endpoints in {aws.region}")
    for item in endpoints:
        created = item["CreationTime"].isoformat(timespec="seconds")
        click.echo(f"{item['EndpointName']:40} {item['EndpointStatus']:15} {created}")


def _endpoint_command(function: Callable[..., None]) -> click.Command:
    """A ``sagemaker`` command on one endpoint (``-a NAME``), with the AWS options."""
    return sagemaker.command(epilog=EPILOG)(name_option(aws_options(function)))


@_endpoint_command
def describe(name: str, **_settings: Any) -> None:
    """Describe an endpoint as JSON: status, config, variants (model, instances, weight)."""
    from psystock.deploy.sagemaker.endpoints import describe_endpoint

    _, aws = _session()
    endpoint = describe_endpoint(aws, name)
    summary = {k: v for k, v in asdict(endpoint).items() if k != "raw"}
    click.echo(json.dumps(summary, indent=2))


@_endpoint_command
def delete(name: str, **_settings: Any) -> None:
    """Delete an endpoint, its endpoint configs, their models and the models' S3 archives."""
    from psystock.deploy.sagemaker.endpoints import delete_endpoint

    _, aws = _session()
    owned = delete_endpoint(aws, name)
    click.echo(
        f"Deleted endpoint {name}, {len(owned.configs)} endpoint config(s) and "
        f"{len(owned.models)} model(s) with their S3 archives"
    )


@sagemaker.command(epilog=EPILOG)
@name_option
@click.option(
    "--input",
    "input_path",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default="-",
    show_default=True,
    help="The request body: a file, or - for stdin. Any payload the API accepts: "
    '{"instances": ...}, {"dataframe_split": ...}, a pandas to_json(orient="split") body, '
    "CSV, V2 inference.",
)
@click.option(
    "--content-type",
    default="application/json",
    show_default=True,
    help="Content type of the body, e.g. text/csv or application/json; format=pandas-split.",
)
@click.option("--accept", default=None, help="Accept header (the answer's content type).")
@aws_options
def invoke(
    name: str, input_path: Path, content_type: str, accept: str | None, **_settings: Any
) -> None:
    """Send a request to an endpoint (SageMaker runtime InvokeEndpoint) and print its answer.

    With AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=http://127.0.0.1:PORT it calls a container of
    `psystock sagemaker run-local` instead of AWS.
    """
    from psystock.deploy.sagemaker.invoke import invoke_endpoint

    body = _read_input(input_path)
    _, aws = _session()
    answer = invoke_endpoint(aws, name, body, content_type, accept)
    text = answer.body.decode("utf-8", errors="replace")
    click.echo(text if text.endswith("\n") else text + "\n", nl=False)


@sagemaker.command("run-local", epilog=EPILOG)
@click.option(
    "-m",
    "--model-uri",
    required=True,
    help="Model to serve: models:/NAME/STAGE, models:/NAME@ALIAS, models:/NAME/VERSION, "
    "runs:/RUN_ID/PATH or a path.",
)
@click.option(
    "-p", "--port", type=click.IntRange(1, 65535), default=7777, show_default=True,
    help="Host port the endpoint answers on.",
)  # fmt: skip
@click.option(
    "--image",
    default=None,
    help="The api image to run.  [default: psystock-api:VERSION, from `psystock docker build api`]",
)
@click.option(
    "--network",
    default="host",
    show_default=True,
    help="Docker network: host (the container listens on --port itself, through "
    "SAGEMAKER_BIND_TO_PORT) or a network where port 8080 is published as --port.",
)
@click.option(
    "--name",
    "container_name",
    default="psystock-sagemaker-local",
    show_default=True,
    help="Name of the container.",
)
def run_local(
    model_uri: str, port: int, image: str | None, network: str, container_name: str
) -> None:
    """Run the api image as SageMaker would, in the foreground until Ctrl-C.

    The model is downloaded on this machine, mounted read-only at /opt/ml/model and the image
    started with the argument `serve`: /ping and /invocations (and the runtime's
    /endpoints/NAME/invocations) answer on --port.
    """
    from psystock.deploy.docker.build import default_tag
    from psystock.deploy.docker.images import ImageKind
    from psystock.deploy.sagemaker.local import LocalRun, run_local

    settings = get_state().settings()
    run = LocalRun(
        model_uri=model_uri,
        image=image or default_tag(settings, ImageKind.API),
        port=port,
        network=network,
        name=container_name,
    )
    url = f"http://127.0.0.1:{port}"
    click.echo(f"Serving {model_uri} with {run.image} on {url} (Ctrl-C stops it). Call it:")
    click.echo(
        f"  curl {url}/invocations -H 'Content-Type: application/json' "
        "-d '{\"instances\": [[1,0,1,1,0,1,0,1,0,1,0,1,0,1]]}'"
    )
    click.echo(
        f"  AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME={url} psystock sagemaker invoke -a local "
        "--input rows.json --region-name us-east-1"
    )
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        code = run_local(settings, run)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if code not in (0, 130, 143):
        from psystock.errors import DockerError

        raise DockerError(f"the container {container_name} exited with {code}: see its log above")


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM as SystemExit, so that the container is stopped on the way out."""
    sys.exit(128 + signum)


def _read_input(path: Path) -> bytes:
    from psystock.errors import InputError

    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read --input {path}: {exc.strerror or exc}") from exc


@sagemaker.command("build-and-push", epilog=EPILOG)
@setting_option(
    "sagemaker.repository", "--repository", help="ECR repository, created when missing."
)
@click.option(
    "--tag", default=None, help="Tag of the pushed image.  [default: the psystock version]"
)
@setting_option(
    "sagemaker.registry_uri",
    "--registry-uri",
    help="Push to this registry host instead of the repository's ECR host (a local registry, "
    "a pull-through cache).",
)
@aws_options
def build_and_push(tag: str | None, **_settings: Any) -> None:
    """Build the api image and push it to ECR; print the image URI deploy takes.

    Creates the ECR repository when missing and logs in with an ECR authorization token (kept
    in a temporary Docker config, not in yours). Building needs a Docker engine, as
    `psystock docker build api` does.
    """
    from psystock.deploy.sagemaker.push import build_and_push

    settings, aws = _session()
    pushed = build_and_push(settings, aws, tag=tag)
    created = " (repository created)" if pushed.repository_created else ""
    click.echo(f"Pushed {pushed.uri}{created} in {pushed.duration_s:.0f} s, {pushed.digest}")
    click.echo(f"Deploy: psystock sagemaker deploy -a NAME -m MODEL_URI --image-url {pushed.uri}")


@sagemaker.command(epilog=EPILOG)
@click.option("-j", "--job-name", "name", required=True, help="Name of the transform job.")
@model_option
@click.option(
    "--input", "input_uri", required=True, help="S3 prefix of the input: s3://BUCKET/PREFIX."
)
@click.option(
    "--output",
    "output_uri",
    required=True,
    help="S3 prefix of the answers (one KEY.out per input object): s3://BUCKET/PREFIX.",
)
@click.option(
    "--content-type",
    default="text/csv",
    show_default=True,
    help="Content type of the input objects (any the API accepts).",
)
@choice_option(
    "--split-type",
    choices=("Line", "None"),
    help="Line: records on lines, batched; None: each object is one request.",
)
@deployment_options
@wait_options(
    async_help="Return once the job has started (its model is then left for you to delete).",
    timeout_help="Seconds to wait for the job before stopping it.",
    shows_variable=False,
)
def transform(
    name: str,
    model_uri: str,
    input_uri: str,
    output_uri: str,
    content_type: str,
    split_type: str,
    is_async: bool,
    **_settings: Any,
) -> None:
    """Score every object under an S3 prefix with a batch transform job.

    Packages the model, creates a SageMaker model for the job, runs the job (SageMaker sends
    each input to the image's /invocations and writes KEY.out under --output), waits for it,
    then deletes the job's model and archive. A failed job reports SageMaker's reason.
    """
    from psystock.deploy.sagemaker.transform import TransformRequest, transform

    settings, aws = _session()
    request = TransformRequest(
        name, model_uri, input_uri, output_uri, content_type, split_type, wait=not is_async
    )
    job = transform(settings, aws, request)
    click.echo(
        f"Transform job {job.name}: {job.status} in {job.duration_s:.0f} s ({job.arn}); "
        f"answers under {job.output_uri}"
    )
