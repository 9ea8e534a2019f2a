"""``psystock docker build api|batch|registry``: images built offline from a host wheelhouse."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from psystock.cli._context import command_settings
from psystock.cli._setting_option import setting_option
from psystock.settings import DockerSettings

if TYPE_CHECKING:
    from psystock.deploy.docker import BuiltImage

KINDS = ("api", "batch", "registry")


@click.group()
def docker() -> None:
    """Build Docker images of psystock: the REST API, the batch job and the MLflow registry.

    Images install psystock from a wheelhouse built on this machine for the image's Python
    (pip download), so no build step needs the network: with PIP_NO_INDEX=1 and
    PIP_FIND_LINKS=DIR pip takes every wheel from DIR, for machines without internet access.
    """


@docker.command("build")
@click.argument("kind", type=click.Choice(KINDS))
@click.option(
    "--tag", default=None, help="Name:tag of the image.  [default: psystock-KIND:VERSION]"
)
@click.option(
    "--model",
    "model_uri",
    default=None,
    help="Bake this model into the api or batch image (models:/NAME/STAGE, models:/NAME@ALIAS, "
    "models:/NAME/VERSION, runs:/RUN_ID/PATH or a path): no registry needed at run time.  "
    "[default: none, the model is resolved from MLFLOW_TRACKING_URI at start]",
)
@setting_option(
    "docker.base_image",
    "--base-image",
    help=f"Image to start from, with Python {DockerSettings().python_version} and pip.",
)
@click.option(
    "--extra",
    "extras",
    multiple=True,
    help="Another psystock extra to install (repeatable), e.g. mlflow to serve pyfunc models "
    "from the registry. A baked pyfunc model adds mlflow by itself.",
)
@click.option(
    "--wheel-cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A directory of wheels to take from first and to keep downloaded wheels in.",
)
def build(
    kind: str,
    tag: str | None,
    model_uri: str | None,
    extras: tuple[str, ...],
    wheel_cache: Path | None,
    **_settings: Any,
) -> None:
    r"""Build the KIND image: api, batch or registry.

    \b
    api       psystock serve on 0.0.0.0:8080; with the argument `serve`, SageMaker's
              contract (/ping, /invocations, model at /opt/ml/model)
    batch     psystock batch score on files mounted at /data (input.csv -> output.csv)
    registry  mlflow server with PostgreSQL and S3 support, set by MLFLOW_* variables

    Every image runs as a non-root user and works with a read-only root filesystem.
    """
    from psystock.deploy.docker import BuildRequest, ImageKind, build_image

    settings = command_settings()
    request = BuildRequest(
        ImageKind(kind), tag=tag, model=model_uri, extras=extras, wheel_cache=wheel_cache
    )
    echo_built(build_image(settings, request))


def echo_built(built: BuiltImage) -> None:
    """Print what was built and how to run it."""
    baked = built.model
    model = f", model {baked.reference} version {baked.version or '-'}" if baked else ""
    click.echo(
        f"Built {built.tag} ({built.size_bytes / 1e6:.0f} MB, extras: "
        f"{','.join(built.extras) or 'none'}{model}) in {built.duration_s:.0f} s"
    )
    click.echo(f"Run:   docker run --rm {RUN_HINTS[built.kind.value]} {built.tag}")


RUN_HINTS = {
    "api": "-p 8080:8080 -e MLFLOW_TRACKING_URI=http://HOST:5000",
    "batch": '-v "$PWD:/data" -e MLFLOW_TRACKING_URI=http://HOST:5000',
    "registry": "-p 5000:5000 -v mlflow:/var/lib/mlflow",
}
