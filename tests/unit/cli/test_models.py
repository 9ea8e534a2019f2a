from datetime import UTC, datetime

from psystock.cli.models import key_metric_names
from psystock.registry.models import ModelVersionSummary


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
