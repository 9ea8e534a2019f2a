"""``psystock serve``: the REST API on the registered model, with hot rollout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from psystock.cli._context import command_settings
from psystock.cli._options import model_option
from psystock.cli._setting_option import setting_option


@click.command()
@model_option
@setting_option("serving.host", "--host", help="Interface to listen on.")
@setting_option(
    "serving.port",
    "--port",
    type=click.IntRange(0, 65535),
    help="Port to listen on (--port 6000 for the book's readers; browsers refuse that one).",
)
@setting_option("serving.workers", "--workers", type=click.IntRange(min=1))
@setting_option(
    "serving.poll_interval_s",
    "--poll-interval",
    type=click.FloatRange(min=0),
    help="Seconds between registry checks for a new version to roll out (the fallback when "
    "the registry's webhook cannot reach this server); 0 turns rollout off.",
)
@setting_option(
    "serving.webhook",
    "--webhook/--no-webhook",
    help="Register an MLflow registry webhook so a promotion reaches the API at once "
    "(MLflow >= 3.3, SQL backend).",
)
@setting_option(
    "serving.auth_token",
    "--auth-token",
    help="Bearer token required on prediction (POST) routes; visible in `ps`, prefer "
    "--auth-token-file or the environment.",
    shown_default="none",
)
@setting_option(
    "serving.auth_token_file",
    "--auth-token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding the bearer token (e.g. a mounted Kubernetes secret).",
)
def serve(**_settings: Any) -> None:
    """Serve the model over HTTP (MLflow 1.x/2/3, CSV, SageMaker, Open Inference Protocol).

    Routes: /invocations, /endpoints/NAME/invocations, /v2/..., /health, /ping, /metrics and
    /docs (interactive). The server watches the registry (a webhook, polling as the fallback)
    and rolls a new version of the stage or alias out without dropping a request.

    Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 failure; 2 bad option or setting, or the
    port cannot be bound (in use, not permitted).
    """
    settings = command_settings()
    from psystock.serving.server import serve as serve_api

    serve_api(settings)
