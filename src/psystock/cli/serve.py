"""``psystock serve``: the REST API on the registered model, with hot rollout."""

from __future__ import annotations

import click

from psystock.cli._context import get_state
from psystock.cli._options import model_option


@click.command()
@model_option
@click.option(
    "--host",
    default=None,
    help="Interface to listen on. Env: PSYSTOCK_SERVING__HOST.  [default: 127.0.0.1]",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port to listen on. Env: PSYSTOCK_SERVING__PORT.  [default: 6000]",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes. Env: PSYSTOCK_SERVING__WORKERS.  [default: 1]",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0),
    default=None,
    help="Seconds between registry checks for a new version to roll out; 0 turns rollout "
    "off. Env: PSYSTOCK_SERVING__POLL_INTERVAL_S.  [default: 30]",
)
@click.option(
    "--auth-token",
    default=None,
    help="Bearer token required on prediction (POST) routes. "
    "Env: PSYSTOCK_SERVING__AUTH_TOKEN.  [default: none]",
)
def serve(
    model_uri: str | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    poll_interval: float | None,
    auth_token: str | None,
) -> None:
    """Serve the model over HTTP (MLflow 1.x/2/3, CSV, SageMaker, Open Inference Protocol).

    Routes: /invocations, /endpoints/NAME/invocations, /v2/..., /health, /ping, /metrics and
    /docs. The server watches the registry and rolls a new version of the stage or alias out
    without dropping a request.
    """
    settings = get_state().settings(
        scoring={"model_uri": model_uri},
        serving={
            "host": host,
            "port": port,
            "workers": workers,
            "poll_interval_s": poll_interval,
            "auth_token": auth_token,
        },
    )
    from psystock.serving.server import serve as serve_api

    serve_api(settings)
