"""The ``psystock`` command: one click group, one module per command group.

This is the CLI's single error boundary: a ``PsystockError`` becomes ``Error: <message>`` on
stderr and the error's exit code; a traceback is shown only with ``--debug``. Command modules
import the heavy libraries (mlflow, xgboost, pandas) inside their functions so that ``--help``
stays fast.
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path
from typing import Any

import click

from psystock import __version__
from psystock.cli._context import CliState, where_line
from psystock.cli._setting_option import (
    given_settings,
    setting_choices,
    setting_default,
    setting_option,
    setting_variable,
)
from psystock.errors import PsystockError
from psystock.extras import missing_extra
from psystock.logging import configure_logging
from psystock.settings import ensure_home

logger = logging.getLogger(__name__)


EXIT_CODES_EPILOG = (
    "Exit codes: 0 done; 1 the registry, a model, a data source or the machine failed; "
    "2 bad input or settings (a setting, an option, a file, a row of data); "
    "3 `registry status`: not running; 130 interrupted (Ctrl-C); 143 stopped (SIGTERM). "
    "Every error ends in one line, `Error: ...`, saying what to do."
)


HELP_ONLY = "psystock.help_only"
"""``ctx.meta`` key: the command line asks for help, so no command will run."""


class PsystockGroup(click.Group):
    """The root group: it notes whether the command line only asks for help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the group's options, noting ``-h``/``--help`` anywhere on the line."""
        ctx.meta[HELP_ONLY] = any(arg in ctx.help_option_names for arg in args)
        return super().parse_args(ctx, args)


@click.group(
    cls=PsystockGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_EPILOG,
)
@click.version_option(__version__, prog_name="psystock")
@setting_option(
    "home",
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Data directory (registry database, artifacts, caches).",
    shown_default=None,
)
@setting_option(
    "tracking_uri",
    "--tracking-uri",
    help=f"MLflow tracking/registry URI. Env: {setting_variable('tracking_uri')}. Default: "
    f"the local registry, http://{setting_default('registry.host')}:"
    f"{setting_default('registry.port')}.",
    shows_variable=False,
)
@setting_option(
    "log_level",
    "--log-level",
    type=click.Choice(setting_choices("log_level"), case_sensitive=False),
)
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.pass_context
def cli(ctx: click.Context, /, debug: bool, **_settings: Any) -> None:
    """psystock: take an MLflow model from the registry into production.

    Start with `psystock quickstart`: it starts a local registry, fetches BTC-USD prices,
    trains the PsyStock model, registers it and promotes it to Production.
    """
    state = CliState(overrides=given_settings(ctx), debug=debug)
    ctx.obj = state
    if ctx.meta.get(HELP_ONLY):  # `psystock batch score --help`: no home, no log line
        return
    settings = state.settings()
    configure_logging(settings.log_level)
    ensure_home(settings)
    if ctx.invoked_subcommand != "quickstart":  # the quickstart says which registry it runs
        logger.info("%s", where_line(settings))


def _register_commands() -> None:
    from psystock.cli import commands

    for command in commands.all_commands():
        cli.add_command(command)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: the single place where a ``PsystockError`` becomes an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        # With standalone_mode=False click returns the code a command passed to ctx.exit().
        code = cli.main(args=argv, prog_name="psystock", standalone_mode=False)
    except PsystockError as exc:
        if debug:
            logger.exception("psystock failed")
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except ModuleNotFoundError as exc:  # an optional library a require_extra did not foresee
        error = missing_extra(exc, "this command")
        if error is None:
            raise
        if debug:
            logger.exception("psystock failed")
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(error.exit_code)
    except Exception as exc:  # a bug, or a failure nobody translated: still one line
        logger.debug("psystock failed", exc_info=True)
        if debug:
            raise
        click.echo(f"Error: {_unexpected(exc)} (run with --debug to see where)", err=True)
        sys.exit(1)
    # The interpreter's last collection at exit walks every object of the libraries a
    # command imported (0.3-0.5 s after a batch job with pyarrow, XGBoost and matplotlib)
    # to free memory the process is about to give back anyway; commands close their own
    # files, so nothing that matters waits for it.
    gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)


def _unexpected(exc: Exception) -> str:
    """``exc`` in one line: a file system error names its file, anything else its type."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror.lower()}"
    return f"unexpected {type(exc).__name__}: {str(exc).strip() or 'no message'}"
