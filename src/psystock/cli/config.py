"""``psystock config show``: the effective settings and where each can be set."""

from __future__ import annotations

import json

import click

from psystock.cli._context import get_state


@click.group()
def config() -> None:
    """Inspect psystock's settings."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def show(as_json: bool) -> None:
    """Print the effective settings (environment, .env and flags applied)."""
    settings = get_state().settings()
    data = settings.model_dump(mode="json")
    data["resolved_tracking_uri"] = settings.resolved_tracking_uri
    data["model_reference"] = settings.scoring.reference
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for section, values in data.items():
        if isinstance(values, dict):
            for key, value in values.items():
                variable = f"PSYSTOCK_{section.upper()}__{key.upper()}"
                click.echo(f"{section}.{key} = {value!r}  ({variable})")
        else:
            click.echo(f"{section} = {values!r}")
