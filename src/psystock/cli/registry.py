"""``psystock registry up|down|status``: the local MLflow registry server."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from psystock.cli._context import command_settings, get_state
from psystock.cli._setting_option import setting_option
from psystock.extras import require_extra

if TYPE_CHECKING:
    from psystock.registry.local_server import ServerStatus

EXIT_NOT_RUNNING = 3
"""Exit code of ``registry status`` when no server runs (as ``systemctl status`` and LSB)."""


@click.group()
def registry() -> None:
    """Run the local MLflow registry: tracking server, model registry and artifact store.

    The server runs in the background; its pid file and log are in the psystock home
    (--home, default ./.psystock).
    """


@registry.command("up")
@setting_option("registry.host", "--host")
@setting_option("registry.port", "--port", type=click.IntRange(1, 65535))
@setting_option(
    "registry.backend_store_uri", "--backend-store-uri", shown_default="sqlite:///HOME/mlflow.db"
)
@setting_option(
    "registry.artifacts_destination", "--artifacts-destination", shown_default="HOME/artifacts"
)
@setting_option("registry.workers", "--workers", type=click.IntRange(min=1))
def up(**_settings: Any) -> None:
    """Start the registry in the background and wait until it answers.

    Does nothing when the registry of this home already runs. Fails with a one-line error
    when the port is taken, the backend database is unreachable or the server cannot start.
    """
    require_extra("mlflow", "psystock registry up (mlflow server)")
    from psystock.registry.local_server import start_server

    status = start_server(command_settings())
    verb = "is already running" if status.was_already_running else "is running"
    click.echo(f"The registry {verb} at {status.url} (pid {status.pid}).")
    _echo_details(status)
    click.echo(f"MLflow UI: {status.ui_url}")


@registry.command("down")
def down() -> None:
    """Stop the registry started from this home (exactly the processes it started)."""
    from psystock.registry.local_server import stop_server

    status = stop_server(get_state().settings())
    if status.pid is not None:
        click.echo(f"Stopped the registry at {status.url} (pid {status.pid}).")
    elif status.stale_pid is not None or status.stale_reason is not None:
        click.echo(
            f"Nothing was running: removed the stale pid file {status.pid_file} "
            f"({status.stale_reason})."
        )
    else:
        click.echo(f"Nothing was running (no pid file at {status.pid_file}).")


@registry.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json: bool) -> None:
    """Say what runs from this home, where, and whether it answers.

    Exit code 0 when the registry runs, 3 when it does not.
    """
    from psystock.registry.local_server import server_status

    current = server_status(get_state().settings())
    if as_json:
        click.echo(json.dumps(current.to_json(), indent=2))
    elif current.is_running:
        health = "healthy" if current.is_healthy else "not answering /health"
        click.echo(f"running at {current.url} (pid {current.pid}, {health})")
        _echo_details(current)
    else:
        _echo_not_running(current)
    if not current.is_running:
        click.get_current_context().exit(EXIT_NOT_RUNNING)


def _echo_details(status: ServerStatus) -> None:
    click.echo(f"  started:   {status.started_at}")
    click.echo(f"  backend:   {status.backend_store_uri}")
    click.echo(f"  artifacts: {status.artifacts_destination}")
    click.echo(f"  log:       {status.log_file}")


def _echo_not_running(status: ServerStatus) -> None:
    if status.stale_reason is not None:
        click.echo(
            f"not running: removed the stale pid file {status.pid_file} ({status.stale_reason})"
        )
    else:
        click.echo(f"not running (no pid file at {status.pid_file})")
    if status.is_healthy:
        click.echo(f"note: a server answers at {status.url}, but it was not started from this home")
