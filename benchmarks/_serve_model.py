"""Benchmark helper: a private MLflow registry with the PsyStock model in Production."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

MODEL_NAME = "training-model-psystock"
BTC_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "btc-usd-daily.csv"
WINDOW = 14


def quiet_environment(**extra: str) -> dict[str, str]:
    """The environment of every subprocess: no telemetry, no job runner."""
    return {
        **os.environ,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        **extra,
    }


def stop_process_group(process: subprocess.Popen[bytes], timeout_s: float = 20.0) -> None:
    """SIGTERM the process group, then SIGKILL after ``timeout_s``."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Registry:
    """A running ``mlflow server`` (SQLite + local artifacts) in a temporary directory."""

    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        stop_process_group(self.process)


def start_registry(root: Path, port: int) -> Registry:
    """Start the registry and wait for its /health."""
    command = [
        sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination", str(root / "artifacts"),
    ]  # fmt: skip
    with (root / "mlflow-server.log").open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=quiet_environment(),
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mlflow server exited; see {root / 'mlflow-server.log'}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return Registry(url, process)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_process_group(process)
    raise RuntimeError("mlflow server did not start within 120 s")


def training_frame() -> tuple[Any, Any, str]:
    """The book's features: 14 days of "closed above its open", label = the 15th day.

    Real BTC-USD prices from ``../shared/data`` when present, else a seeded random walk.
    """
    import numpy as np
    import pandas as pd

    if BTC_CSV.is_file():
        prices = pd.read_csv(BTC_CSV)
        up = ((prices["Close"] - prices["Open"]) / prices["Open"] > 0.00001).astype(int).to_numpy()
        source = f"real prices ({BTC_CSV.name}, {len(up)} days)"
    else:
        up = np.random.default_rng(42).integers(0, 2, size=1500)
        source = "synthetic prices (no ../shared/data/btc-usd-daily.csv)"
    rows = np.lib.stride_tricks.sliding_window_view(up, WINDOW + 1)
    return pd.DataFrame(rows[:, :WINDOW]), pd.Series(rows[:, WINDOW]), source


def register_model(tracking_uri: str) -> str:
    """Train the PsyStock XGBoost Booster, register it and move it to Production."""
    import mlflow
    import xgboost as xgb
    from mlflow import MlflowClient
    from mlflow.models import infer_signature

    features, label, source = training_frame()
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "eta": 0.1, "seed": 42},
        xgb.DMatrix(features, label=label),
        num_boost_round=50,
    )
    mlflow.set_tracking_uri(tracking_uri)
    signature = infer_signature(features, booster.inplace_predict(features.to_numpy()))
    with mlflow.start_run(run_name="benchmark-training"):
        info = mlflow.xgboost.log_model(
            booster, name="model", signature=signature, registered_model_name=MODEL_NAME
        )
    version = str(info.registered_model_version)
    MlflowClient(tracking_uri).transition_model_version_stage(MODEL_NAME, version, "Production")
    return str(source)
