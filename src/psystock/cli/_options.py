"""Options and arguments that several commands share, declared once with their checks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from psystock.cli._setting_option import setting_option
from psystock.settings import ScoringSettings

F = TypeVar("F", bound=Callable[..., Any])

model_option = setting_option(
    "scoring.model_uri",
    "--model",
    "model_uri",
    help="Model reference: models:/NAME/STAGE, models:/NAME@ALIAS, models:/NAME/VERSION, "
    "runs:/RUN_ID/PATH or a path.",
    shown_default=ScoringSettings().reference,
)
"""``--model REF``: which model to score with (passed on as ``scoring.model_uri``)."""

model_name_option = setting_option("scoring.model_name", "--model-name")
"""``--model-name NAME``: which registered model (passed on as ``scoring.model_name``)."""


def choice_option(*param_decls: str, choices: Sequence[str], help: str) -> Callable[[F], F]:
    """An option taking one of ``choices``; the first is the default, shown in ``--help``."""
    return click.option(
        *param_decls, type=click.Choice(choices), default=choices[0], show_default=True, help=help
    )


prices_csv_argument = click.argument(
    "path", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
"""``[PATH]``: the prices CSV in Yahoo Finance format that ``--source csv`` reads."""


def check_prices_csv(source: str, path: Path | None) -> None:
    """PATH goes with ``--source csv``, and only with it.

    Raises:
        click.UsageError: PATH without ``--source csv``, or ``--source csv`` without PATH.
    """
    if path is not None and source != "csv":
        raise click.UsageError(f"PATH is only used with --source csv, not --source {source}")
    if source == "csv" and path is None:
        raise click.UsageError("--source csv needs the PATH of a CSV in Yahoo Finance format")
