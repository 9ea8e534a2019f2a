"""Options and arguments that several commands share, declared once with their checks."""

from __future__ import annotations

from pathlib import Path

import click

from psystock.settings import DEFAULT_MODEL_NAME

model_option = click.option(
    "--model",
    "model_uri",
    default=None,
    help="Model reference: models:/NAME/STAGE, models:/NAME@ALIAS, models:/NAME/VERSION, "
    "runs:/RUN_ID/PATH or a path. Env: PSYSTOCK_SCORING__MODEL_URI.  "
    "[default: models:/training-model-psystock/Production]",
)
"""``--model REF``: which model to score with (passed on as ``scoring.model_uri``)."""

model_name_option = click.option(
    "--model-name",
    default=None,
    help="Registered model name. Env: PSYSTOCK_SCORING__MODEL_NAME.  "
    f"[default: {DEFAULT_MODEL_NAME}]",
)
"""``--model-name NAME``: which registered model (passed on as ``scoring.model_name``)."""

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
