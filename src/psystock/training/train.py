"""The training job: prices -> features -> time split -> XGBoost -> metrics -> MLflow.

``train_model`` reads the fetched prices (checking them again), builds the 14-day features,
holds out the most recent rows, fits the booster, evaluates it on both sets, and logs and
registers it (``tracking.log_training_run``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from psystock.data.features import build_features
from psystock.data.sources import is_synthetic_source
from psystock.data.store import StoredPrices, default_prices_path, load_prices
from psystock.training import plots
from psystock.training.metrics import classification_metrics, confusion_counts
from psystock.training.model import (
    booster_params,
    fit_booster,
    predict_up_probability,
    split_features,
)
from psystock.training.split import TimeSplit, split_by_time
from psystock.training.tracking import RunRecord, log_training_run

if TYPE_CHECKING:
    import xgboost as xgb

    from psystock.settings import Settings

logger = logging.getLogger(__name__)

INPUT_EXAMPLE_ROWS = 5


@dataclass(frozen=True)
class TrainingResult:
    """What a training run produced, for the CLI and the quickstart."""

    run_id: str
    model_name: str
    model_version: str
    metrics: dict[str, float]
    data_source: str
    data_path: Path
    run_url: str | None
    model_url: str | None

    @property
    def is_synthetic(self) -> bool:
        """Whether the model was trained on synthetic prices."""
        return is_synthetic_source(self.data_source)


def train_model(settings: Settings, data_path: Path | None = None) -> TrainingResult:
    """Train, evaluate, log and register the PsyStock model.

    Args:
        settings: data (window, threshold), training and scoring (model name) settings.
        data_path: prices CSV; default ``HOME/data/prices.csv`` written by ``data fetch``.

    Raises:
        DataSourceError: there are no prices at the path.
        SchemaError: the prices fail a per-cell check (names row and column).
        DataError: the prices fail a quality check or are too few to split.
        RegistryError: MLflow cannot be reached or refuses the run.
    """
    path = data_path or default_prices_path(settings)
    stored = load_prices(path, settings.data.ticker)
    window = settings.data.window_days
    features = build_features(stored.prices.frame, window, settings.data.up_threshold)
    split = split_by_time(features, settings.training.test_fraction, window)
    logger.info(
        "training on %d rows, testing on %d (split at %s, %d straddling rows purged)",
        len(split.train), len(split.test), f"{split.split_date:%Y-%m-%d}", split.purged_rows,
    )  # fmt: skip
    booster = fit_booster(split.train, settings.training)
    record = _run_record(settings, stored, split, booster)
    logged = log_training_run(settings, record)
    return TrainingResult(
        run_id=logged.run_id,
        model_name=logged.model_name,
        model_version=logged.model_version,
        metrics=record.metrics,
        data_source=stored.source,
        data_path=path,
        run_url=logged.run_url,
        model_url=logged.model_url,
    )


def _run_record(
    settings: Settings, stored: StoredPrices, split: TimeSplit, booster: xgb.Booster
) -> RunRecord:
    threshold = settings.scoring.threshold
    metrics: dict[str, float] = {}
    probabilities = {}
    for name, rows in (("train", split.train), ("test", split.test)):
        features, label = split_features(rows)
        probabilities[name] = predict_up_probability(booster, features)
        metrics |= classification_metrics(label.to_numpy(), probabilities[name], threshold, name)
    test_features, test_label = split_features(split.test)
    source_note = " (SYNTHETIC prices)" if stored.is_synthetic else ""
    figures = {
        plots.FEATURE_IMPORTANCE_PATH: plots.feature_importance_figure(
            plots.feature_importance(booster, settings.data.window_days),
            f"PsyStock feature importance{source_note}",
        ),
        plots.CONFUSION_MATRIX_PATH: plots.confusion_matrix_figure(
            confusion_counts(test_label.to_numpy(), probabilities["test"], threshold),
            f"Test set confusion matrix{source_note}",
        ),
    }
    return RunRecord(
        booster=booster,
        params=_params(settings, stored, split),
        metrics=metrics,
        data_source=stored.source,
        input_example=test_features.head(INPUT_EXAMPLE_ROWS),
        example_output=probabilities["test"][:INPUT_EXAMPLE_ROWS],
        figures=figures,
        description=(
            f"PsyStock XGBoost model trained on {stored.ticker} daily prices from "
            f"{stored.source}, {stored.prices.report.first_date} to "
            f"{stored.prices.report.last_date}{source_note}."
        ),
    )


def _params(settings: Settings, stored: StoredPrices, split: TimeSplit) -> dict[str, Any]:
    report = stored.prices.report
    return {
        **booster_params(settings.training),
        "num_boost_round": settings.training.num_boost_round,
        "window_days": settings.data.window_days,
        "up_threshold": settings.data.up_threshold,
        "decision_threshold": settings.scoring.threshold,
        "test_fraction": settings.training.test_fraction,
        "data_source": stored.source,
        "ticker": stored.ticker,
        "data_path": str(stored.path.resolve()),
        "data_first_date": report.first_date,
        "data_last_date": report.last_date,
        "data_days": report.rows_kept,
        "split_date": f"{split.split_date:%Y-%m-%d}",
        "train_rows": len(split.train),
        "test_rows": len(split.test),
        "purged_rows": split.purged_rows,
    }
