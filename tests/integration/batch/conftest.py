"""Settings, inputs and run lookups for the batch job tests against the session server."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from psystock.settings import Settings, load_settings
from tests.conftest import RegisteredModel, RunCli, psystock_training_frame, require
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


@pytest.fixture
def psystock(
    run_cli: RunCli,
    registered_model: RegisteredModel,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> RunCli:
    """``psystock ARGS`` in-process against the session server, in an experiment of its own."""
    monkeypatch.setenv("PSYSTOCK_BATCH__EXPERIMENT", f"batch-cli-{uuid.uuid4().hex[:8]}")
    base = ["--tracking-uri", registered_model.tracking_uri, "--home", str(tmp_path / "home")]
    return lambda *args: run_cli(*base, *args)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a 256 KiB tmpfs: a real disk that fills up (mounting needs root)."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    _mount(folder, "size=256k")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can create files in: mode 555, or a read-only tmpfs for root."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    _mount(folder, "ro,size=64k")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def _mount(folder: Path, options: str) -> None:
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    require(done.returncode == 0, f"mounting a tmpfs ({done.stderr.strip()})")
