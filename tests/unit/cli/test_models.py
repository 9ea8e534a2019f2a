from datetime import UTC, datetime
from pathlib import Path

import pytest

from psystock.cli.models import _upgrade_report, key_metric_names
from psystock.registry.models import ModelVersionSummary
from psystock.registry.versions import NewVersion
from psystock.scoring.legacy_upgrade import Upgrade
from psystock.settings import DEFAULT_MODEL_NAME
from psystock.upgrade import UpgradeOutcome


def summary(version: str, metrics: dict[str, float]) -> ModelVersionSummary:
    return ModelVersionSummary(
        name="m",
        version=version,
        stage="None",
        aliases=(),
        run_id=None,
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        metrics=metrics,
        source="",
    )


def test_key_metric_names_prefers_test_accuracy_f1_and_log_loss() -> None:
    summaries = [
        summary("2", {"test_log_loss": 0.6, "train_accuracy": 0.9, "test_recall": 0.5}),
        summary("1", {"test_accuracy": 0.55, "test_f1": 0.5, "test_mcc": 0.1}),
    ]

    assert key_metric_names(summaries) == ["test_accuracy", "test_f1", "test_log_loss"]


def test_key_metric_names_falls_back_to_the_first_names_alphabetically() -> None:
    summaries = [summary("1", {"rmse": 1.0, "mae": 0.5, "r2": 0.3, "bias": 0.0})]

    assert key_metric_names(summaries) == ["bias", "mae", "r2"]


def test_key_metric_names_is_empty_without_metrics() -> None:
    assert key_metric_names([summary("1", {})]) == []


def an_upgrade(model_dir: Path) -> Upgrade:
    return Upgrade(
        model_dir=model_dir,
        legacy_file="model.xgb",
        upgraded_file="model.ubj",
        written_by="XGBoost 1.3",
        objective="binary:logistic",
        num_trees=20,
        xgboost_version="3.2.0",
    )


DONE = (
    "Upgraded {ref}: model.xgb (XGBoost 1.3 legacy binary, binary:logistic, 20 trees) -> "
    "model.ubj (UBJ, XGBoost 3.2.0)."
)


def test_upgrade_report_in_place_says_the_legacy_file_is_kept() -> None:
    outcome = UpgradeOutcome("./model", an_upgrade(Path("model")))
    assert _upgrade_report(outcome, None) == [
        DONE.format(ref="./model"),
        "The MLmodel in model now points at model.ubj; model.xgb is kept but no longer used.",
    ]


def test_upgrade_report_with_output_names_the_directory() -> None:
    outcome = UpgradeOutcome("models:/m/1", an_upgrade(Path("/tmp/out")), source_version="1")
    assert _upgrade_report(outcome, Path("/tmp/out")) == [
        DONE.format(ref="models:/m/1"),
        "Wrote the upgraded model to /tmp/out.",
    ]


@pytest.mark.parametrize(
    ("name", "promote"),
    [
        (DEFAULT_MODEL_NAME, "psystock promote 4 --to Production"),
        ("other", "psystock promote 4 --to Production --model-name other"),
    ],
)
def test_upgrade_report_of_a_registered_version_says_how_to_serve_it(
    name: str, promote: str
) -> None:
    outcome = UpgradeOutcome(
        f"models:/{name}/Production",
        an_upgrade(Path("/tmp/x")),
        registered=NewVersion(name, "4", "run1"),
        source_version="3",
    )
    assert _upgrade_report(outcome, None) == [
        DONE.format(ref=f"models:/{name}/Production"),
        f"Registered it as {name} version 4 (tag upgraded_from=models:/{name}/3); stages and "
        "aliases are unchanged.",
        f"To serve it: {promote}",
    ]


def test_upgrade_report_of_a_current_model_says_there_is_nothing_to_do() -> None:
    outcome = UpgradeOutcome("models:/m/2", current_file="model.ubj")
    assert _upgrade_report(outcome, None) == [
        "models:/m/2: model.ubj is already in a format this XGBoost reads; nothing to upgrade."
    ]
