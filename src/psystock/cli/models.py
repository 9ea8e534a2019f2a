"""``psystock promote``, ``psystock models list|upgrade``: registered versions, stages, formats."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from psystock.cli._context import get_state
from psystock.cli._options import model_name_option
from psystock.registry.models import ALIASED_STAGES, STAGES
from psystock.settings import DEFAULT_MODEL_NAME

if TYPE_CHECKING:
    from psystock.registry.models import ModelVersionSummary
    from psystock.upgrade import UpgradeOutcome

KEY_METRICS = (
    "test_accuracy", "test_f1", "test_log_loss", "test_roc_auc", "test_mcc",
    "test_precision", "test_recall",
)  # fmt: skip
"""Metrics shown in the table, best first, when a version's run has them (``--json`` has all)."""

MAX_METRIC_COLUMNS = 3
_TABLE_WIDTH_WHEN_PIPED = 160


@click.command("promote")
@click.argument("version")
@click.option(
    "--to",
    "stage",
    default="Production",
    show_default=True,
    help=f"Stage to move the version to: {', '.join(STAGES)} (any case).",
)
@model_name_option
def promote(version: str, stage: str, model_name: str | None) -> None:
    """Move VERSION of the model to a stage, archiving the version that held it.

    Sets both the registry stage (as the book does) and the alias MLflow recommends now:
    `production` for Production, `staging` for Staging. So models:/NAME/Production and
    models:/NAME@production name the same version.
    """
    from psystock.registry.models import promote as promote_version

    summary = promote_version(get_state().settings(), version, stage, model_name)
    alias = f" (alias {summary.stage.lower()})" if summary.stage in ALIASED_STAGES else ""
    click.echo(f"{summary.name} version {summary.version} is now in {summary.stage}{alias}.")


@click.group()
def models() -> None:
    """Inspect registered models; upgrade legacy XGBoost models."""


@models.command("list")
@model_name_option
@click.option("--json", "as_json", is_flag=True, help="Print every version as JSON, all metrics.")
def list_command(model_name: str | None, as_json: bool) -> None:
    """List the model's versions: stage, aliases, run, creation time and key metrics."""
    from psystock.registry.models import list_versions

    summaries = list_versions(get_state().settings(), model_name)
    if as_json:
        click.echo(json.dumps([summary.to_json() for summary in summaries], indent=2))
        return
    if not summaries:
        name = model_name or get_state().settings().scoring.model_name
        click.echo(f"{name} has no versions.")
        return
    _echo_table(summaries)


def key_metric_names(summaries: Sequence[ModelVersionSummary]) -> list[str]:
    """The metric columns of the table: known key metrics first, else the first names."""
    present = {name for summary in summaries for name in summary.metrics}
    preferred = [name for name in KEY_METRICS if name in present]
    return (preferred or sorted(present))[:MAX_METRIC_COLUMNS]


def _echo_table(summaries: Sequence[ModelVersionSummary]) -> None:
    from rich.console import Console
    from rich.table import Table

    metric_names = key_metric_names(summaries)
    table = Table(title=summaries[0].name, title_justify="left")
    for column in ("version", "stage", "aliases", "run id", "created (UTC)", *metric_names):
        table.add_column(column, no_wrap=True)
    for summary in summaries:
        table.add_row(
            summary.version,
            summary.stage,
            ", ".join(summary.aliases) or "-",
            summary.run_id or "-",
            summary.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            *(_format_metric(summary.metrics.get(name)) for name in metric_names),
        )
    is_terminal = sys.stdout.isatty()
    Console(width=None if is_terminal else _TABLE_WIDTH_WHEN_PIPED).print(table)


def _format_metric(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


@models.command("upgrade")
@click.argument("reference", metavar="PATH|MODEL_URI")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    metavar="DIR",
    default=None,
    help="Write the upgraded model to this new directory instead (the registry and the "
    "original are left as they are).",
)
def upgrade(reference: str, output: Path | None) -> None:
    """Rewrite a model saved in XGBoost's legacy binary format (model.xgb) as UBJ.

    XGBoost >= 3.1 cannot read the legacy binary format that XGBoost < 2.1 wrote by default
    (the book's model was saved by XGBoost 1.3). No old XGBoost is needed: psystock reads the
    file itself and the installed XGBoost writes model.ubj; the trees and the predictions stay
    the same. The MLmodel file keeps its flavors and signature and points at model.ubj.

    A PATH (a model directory) is upgraded in place; model.xgb is kept, unused.

    A registered version (models:/NAME/VERSION, /STAGE, @ALIAS) is registered again, upgraded,
    as a new version of NAME tagged upgraded_from; stages and aliases stay where they are, so
    promote the new version to serve it.

    Anything else (runs:/RUN_ID/PATH, a URI) needs --output DIR.

    Converted: gbtree boosters with binary:logistic, reg:squarederror (reg:linear),
    multi:softprob or multi:softmax, written by XGBoost 0.90 to 2.1.
    """
    from psystock.upgrade import upgrade_model

    outcome = upgrade_model(get_state().settings(), reference, output)
    for line in _upgrade_report(outcome, output):
        click.echo(line)


def _upgrade_report(outcome: UpgradeOutcome, output: Path | None) -> list[str]:
    """What ``models upgrade`` tells the user it did, and what to do next."""
    upgrade = outcome.upgrade
    if upgrade is None:
        return [
            f"{outcome.reference}: {outcome.current_file} is already in a format this XGBoost "
            "reads; nothing to upgrade."
        ]
    done = f"Upgraded {outcome.reference}: {upgrade.summary}."
    registered = outcome.registered
    if registered is not None:
        return [
            done,
            f"Registered it as {registered.name} version {registered.version} (tag "
            f"upgraded_from=models:/{registered.name}/{outcome.source_version}); stages and "
            "aliases are unchanged.",
            f"To serve it: psystock promote {registered.version} --to Production"
            + ("" if registered.name == DEFAULT_MODEL_NAME else f" --model-name {registered.name}"),
        ]
    if output is not None:
        return [done, f"Wrote the upgraded model to {upgrade.model_dir}."]
    return [
        done,
        f"The MLmodel in {upgrade.model_dir} now points at {upgrade.upgraded_file}; "
        f"{upgrade.legacy_file} is kept but no longer used.",
    ]
