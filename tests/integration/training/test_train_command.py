"""``psystock data fetch`` then ``psystock train`` through the CLI, against the session server."""

import re
import uuid
from pathlib import Path

import pytest

from tests.conftest import MlflowServer, RunCli


def test_train_command_prints_run_version_metrics_and_links(
    mlflow_server: MlflowServer, tmp_path: Path, run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from mlflow import MlflowClient

    name = f"psystock-test-cli-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("PSYSTOCK_TRAINING__NUM_BOOST_ROUND", "10")
    base = ["--home", str(tmp_path), "--tracking-uri", mlflow_server.url]
    assert run_cli(*base, "data", "fetch", "--source", "synthetic", "--days", "300")[0] == 0

    code, out, _ = run_cli(*base, "train", "--model-name", name, "--experiment", "cli")

    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Trained on SYNTHETIC prices (synthetic(seed=42)), not market data."
    run_match = re.fullmatch(
        rf"Run:    (\w{{32}})  {re.escape(mlflow_server.url)}/#/experiments/(\d+)/runs/\1", lines[1]
    )
    assert run_match is not None
    assert lines[2] == (f"Model:  {name} version 1  {mlflow_server.url}/#/models/{name}/versions/1")
    assert lines[3].split() == ["metric", "train", "test"]
    assert [line.split()[0] for line in lines[4:]] == [
        "accuracy", "f1", "precision", "recall", "log_loss", "roc_auc", "mcc",
    ]  # fmt: skip
    run = MlflowClient(mlflow_server.url).get_run(run_match.group(1))
    accuracy = lines[4].split()
    assert float(accuracy[2]) == pytest.approx(run.data.metrics["test_accuracy"], abs=5e-5)
    assert run.data.params["num_boost_round"] == "10"
    experiment = MlflowClient(mlflow_server.url).get_experiment(run_match.group(2))
    assert experiment.name == "cli"
