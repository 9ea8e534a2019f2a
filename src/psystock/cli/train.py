"""``psystock train``: train the PsyStock model, log it to MLflow and register it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from psystock.cli._context import command_settings
from psystock.cli._options import model_name_option
from psystock.cli._setting_option import setting_option
from psystock.extras import require_extra

if TYPE_CHECKING:
    from psystock.training.train import TrainingResult

SHOWN_METRICS = ("accuracy", "f1", "precision", "recall", "log_loss", "roc_auc", "mcc")


@click.command()
@click.option(
    "--data",
    "data_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Prices CSV in Yahoo Finance format. Default: HOME/data/prices.csv "
    "(written by `psystock data fetch`).",
)
@setting_option("training.experiment", "--experiment", help="MLflow experiment of the run.")
@model_name_option
def train(data_path: Path | None, **_settings: Any) -> None:
    """Train PsyStock (XGBoost on 14 up/down days), log the run to MLflow and register it.

    The most recent days are held out for testing (no look-ahead). The run records the
    parameters, the metrics on both sets, a feature-importance and a confusion-matrix plot,
    the data source, and the model with its signature and an input example.
    """
    require_extra("train", "psystock train")
    from psystock.training.train import train_model

    settings = command_settings()
    result = train_model(settings, data_path)
    echo_training(result)


def echo_training(result: TrainingResult) -> None:
    """Print the run, the registered version and the metrics of a training run."""
    if result.is_synthetic:
        click.echo(f"Trained on SYNTHETIC prices ({result.data_source}), not market data.")
    else:
        click.echo(f"Trained on {result.data_source}.")
    click.echo(f"Run:    {result.run_id}" + (f"  {result.run_url}" if result.run_url else ""))
    link = f"  {result.model_url}" if result.model_url else ""
    click.echo(f"Model:  {result.model_name} version {result.model_version}{link}")
    click.echo(f"{'metric':<10} {'train':>8} {'test':>8}")
    for name in SHOWN_METRICS:
        row = [result.metrics.get(f"{split}_{name}") for split in ("train", "test")]
        cells = " ".join(f"{value:>8.4f}" if value is not None else f"{'n/a':>8}" for value in row)
        click.echo(f"{name:<10} {cells}")
