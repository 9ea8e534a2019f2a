"""``psystock quickstart``: registry, data, training, registration and promotion in one go."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from psystock.cli._context import get_state

if TYPE_CHECKING:
    from psystock.quickstart import QuickstartRun, QuickstartSource


@click.command()
@click.option(
    "--source",
    type=click.Choice(["auto", "yahoo", "csv", "synthetic"]),
    default="auto",
    show_default=True,
    help="Where prices come from: auto tries Yahoo Finance and falls back to synthetic "
    "(saying so); csv needs the PATH of a CSV in Yahoo Finance format.",
)
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--keep-running/--stop-registry",
    "should_keep_registry",
    default=True,
    show_default=True,
    help="Leave the local registry running at the end (to look at the MLflow UI), or stop it.",
)
def quickstart(source: str, path: Path | None, should_keep_registry: bool) -> None:
    """Go from nothing to a PsyStock model in Production on a local MLflow registry.

    Starts the local registry (SQLite under the psystock home; reused when it already runs),
    fetches BTC-USD daily prices, trains the XGBoost model, registers it, promotes it to
    Production, and prints where to look.
    """
    from psystock.quickstart import QuickstartOptions, run_quickstart

    if path is not None and source != "csv":
        raise click.UsageError(f"PATH is only used with --source csv, not --source {source}")
    if source == "csv" and path is None:
        raise click.UsageError("--source csv needs the PATH of a CSV in Yahoo Finance format")
    options = QuickstartOptions(
        source=cast("QuickstartSource", source),
        csv_path=path,
        should_keep_registry=should_keep_registry,
    )
    run = run_quickstart(get_state().settings(), options, report=click.echo)
    echo_summary(run)


def echo_summary(run: QuickstartRun) -> None:
    """Print what the quickstart created and where to look."""
    click.echo("")
    click.echo("PsyStock quickstart: done.")
    width = max(len(label) for label, _ in run.summary) + 1
    for label, text in run.summary:
        click.echo(f"  {label + ':':<{width}} {text}")
