"""``psystock serve``: the REST API on the registered model, with hot rollout."""

from __future__ import annotations

from pathlib import Path

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
    help="Port to listen on (--port 6000 for the book's readers; browsers refuse that one)."
    " Env: PSYSTOCK_SERVING__PORT.  [default: 8080]",
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
    help="Seconds between registry checks for a new version to roll out (the fallback when "
    "the registry's webhook cannot reach this server); 0 turns rollout off. "
    "Env: PSYSTOCK_SERVING__POLL_INTERVAL_S.  [default: 5]",
)
@click.option(
    "--webhook/--no-webhook",
    default=None,
    help="Register an MLflow registry webhook so a promotion reaches the API at once "
    "(MLflow >= 3.3, SQL backend). Env: PSYSTOCK_SERVING__WEBHOOK.  [default: on]",
)
@click.option(
    "--auth-token",
    default=None,
    help="Bearer token required on prediction (POST) routes; visible in `ps`, prefer "
    "--auth-token-file or the environment. Env: PSYSTOCK_SERVING__AUTH_TOKEN.  [default: none]",
)
@click.option(
    "--auth-token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File holding the bearer token (e.g. a mounted Kubernetes secret). "
    "Env: PSYSTOCK_SERVING__AUTH_TOKEN_FILE.",
)
def serve(
    model_uri: str | None,
    host: str | None,
    port: int | None,
    workers: int | None,
    poll_interval: float | None,
    webhook: bool | None,
    auth_token: str | None,
    auth_token_file: Path | None,
) -> None:
    """Serve the model over HTTP (MLflow 1.x/2/3, CSV, SageMaker, Open Inference Protocol).

    Routes: /invocations, /endpoints/NAME/invocations, /v2/..., /health, /ping, /metrics and
    /docs (interactive). The server watches the registry (a webhook, polling as the fallback)
    and rolls a new version of the stage or alias out without dropping a request.

    Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 failure; 2 bad option or setting, or the
    port cannot be bound (in use, not permitted).
    """
    settings = get_state().settings(
        scoring={"model_uri": model_uri},
        serving={
            "host": host,
            "port": port,
            "workers": workers,
            "poll_interval_s": poll_interval,
            "webhook": webhook,
            "auth_token": auth_token,
            "auth_token_file": auth_token_file,
        },
    )
    from psystock.serving.server import serve as serve_api

    serve_api(settings)
