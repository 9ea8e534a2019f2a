"""``psystock quickstart``: registry, data, training, registration and promotion in one go."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from psystock.cli._context import command_settings
from psystock.cli._options import check_prices_csv, choice_option, prices_csv_argument
from psystock.cli._setting_option import setting_option
from psystock.extras import require_extra

if TYPE_CHECKING:
    from psystock.quickstart import QuickstartRun, QuickstartSource


@click.command()
@choice_option(
    "--source",
    choices=("auto", "yahoo", "csv", "synthetic"),
    help="Where prices come from: auto tries Yahoo Finance and falls back to synthetic "
    "(saying so); csv needs the PATH of a CSV in Yahoo Finance format.",
)
@prices_csv_argument
@click.option(
    "--keep-running/--stop-registry",
    "should_keep_registry",
    default=True,
    show_default=True,
    help="Leave the local registry running at the end (to look at the MLflow UI), or stop it.",
)
@click.option(
    "--serve/--no-serve",
    "should_serve",
    default=True,
    show_default=True,
    help="Keep the REST API serving in the foreground at the end (Ctrl-C stops it), or stop "
    "it once it has answered the example request.",
)
@setting_option(
    "serving.port", "--port", type=click.IntRange(0, 65535), help="Port of the REST API."
)
def quickstart(
    source: str,
    path: Path | None,
    should_keep_registry: bool,
    should_serve: bool,
    **_settings: Any,
) -> None:
    """Go from nothing to a PsyStock model in Production, scored in batch and served.

    Starts the local registry (SQLite under the psystock home; reused when it already runs),
    fetches BTC-USD daily prices, trains the XGBoost model, registers it, promotes it to
    Production, scores a sample file with the batch job, starts the REST API, and prints where
    to look and a curl command that works.
    """
    for extra in ("train", "batch", "yahoo"):
        require_extra(extra, "psystock quickstart")
    from psystock.quickstart import QuickstartOptions, run_quickstart

    check_prices_csv(source, path)
    options = QuickstartOptions(
        source=cast("QuickstartSource", source),
        csv_path=path,
        should_keep_registry=should_keep_registry,
        should_serve=should_serve,
    )
    settings = command_settings()
    run = run_quickstart(settings, options, report=click.echo)
    echo_summary(run)
    if run.api is not None:
        serve_until_interrupted(run)


def echo_summary(run: QuickstartRun) -> None:
    """Print what the quickstart created and where to look."""
    click.echo("")
    click.echo("PsyStock quickstart: done.")
    width = max(len(label) for label, _ in run.summary) + 1
    for label, text in run.summary:
        # A value of several lines (the curl command) stays aligned under its first line.
        text = text.replace("\n", "\n" + " " * (width + 3))
        click.echo(f"  {label + ':':<{width}} {text}")


def serve_until_interrupted(run: QuickstartRun) -> None:
    """Keep the quickstart's API serving until Ctrl-C or SIGTERM, then stop it."""
    import signal
    import threading

    from psystock.quickstart import stop_registry_after_api

    api = run.api
    if api is None:
        return
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"\nServing the API at {api.url}: press Ctrl-C to stop it.")
    try:
        while api.is_serving and not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        api.stop()
        run.api = None
        click.echo("API stopped.")
        stop_registry_after_api(run)
