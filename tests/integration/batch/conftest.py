"""Settings, inputs and run lookups for the batch job tests against the session server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from psystock.settings import Settings, load_settings
from tests.conftest import RegisteredModel, psystock_training_frame
from tests.integration.scoring.conftest import logreg_model  # noqa: F401  (a shared fixture)

SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(registered_model: RegisteredModel, tmp_path: Path) -> SettingsFactory:
    """Settings for the session server, a fresh cache and an experiment of this test only."""
    experiment = f"batch-test-{uuid.uuid4().hex[:8]}"

    def make(**overrides: Any) -> Settings:
        batch = {"experiment": experiment, **overrides.pop("batch", {})}
        return load_settings(
            tracking_uri=registered_model.tracking_uri,
            home=tmp_path / "home",
            batch=batch,
            **overrides,
        )

    return make


def book_rows(rows: int = 50, seed: int = 5) -> np.ndarray:
    features, _ = psystock_training_frame(rows=rows, seed=seed)
    values: np.ndarray = features.to_numpy()
    return values


def write_csv(
    path: Path, rows: np.ndarray | list[list[Any]], header: list[str] | None = None
) -> Path:
    lines = [",".join(header)] if header else []
    lines += [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def get_run(settings: Settings, run_id: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(settings.resolved_tracking_uri).get_run(run_id)


def artifact_names(settings: Settings, run_id: str) -> list[str]:
    from mlflow import MlflowClient

    client = MlflowClient(settings.resolved_tracking_uri)
    return [entry.path for entry in client.list_artifacts(run_id)]


def batch_runs(settings: Settings) -> list[Any]:
    from mlflow import MlflowClient

    client = MlflowClient(settings.resolved_tracking_uri)
    experiment = client.get_experiment_by_name(settings.batch.experiment)
    if experiment is None:
        return []
    return list(client.search_runs([experiment.experiment_id]))
