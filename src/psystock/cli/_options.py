"""Options that several commands share, declared once."""

from __future__ import annotations

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
