"""Shared fixtures: clean environment, free ports, a real MLflow server, a registered model.

The folder is the marker: tests under ``integration/`` get ``integration``, under ``e2e/``
get ``e2e``. When ``CI`` is set, a missing service fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
IN_CI = bool(os.environ.get("CI"))
MODEL_NAME = "training-model-psystock"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO_ROOT / "tests").parts
        if parts[0] in ("integration", "e2e"):
            item.add_marker(getattr(pytest.mark, parts[0]))


def require(condition: bool, what: str) -> None:
    """Skip locally, fail in CI, when a service or file a test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available")


@pytest.fixture(autouse=True)
def _interruptible_children() -> None:
    """Let the processes a test starts be interrupted with SIGINT, as from a terminal.

    When this process ignores SIGINT, every child inherits that, and the tests that press
    Ctrl-C on a job or on the quickstart would see it ignored: a shell without job control
    starts a background command (``.ci/run &``) so, and a library may leave it so. A handler
    of this process is reset to the default in its children: they get KeyboardInterrupt.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PSYSTOCK_* or MLFLOW_TRACKING_URI from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("PSYSTOCK_") or key in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("DO_NOT_TRACK", "true")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def btc_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """BTC-USD daily prices in Yahoo Finance's CSV layout, generated (``tests/price_data.py``).

    The same days as the book's real file (2014-09-17 to 2024-03-31, 3,484 rows); the suite
    needs no data from outside the repository.
    """
    from tests.price_data import write_yahoo_csv

    return write_yahoo_csv(tmp_path_factory.mktemp("prices") / "btc-usd-daily.csv")


def postgres_available(dsn: str = "host=127.0.0.1 port=5432 dbname=test") -> bool:
    try:
        import psycopg2

        psycopg2.connect(dsn, user=os.environ.get("PGUSER", "postgres"), connect_timeout=3).close()
    except Exception:
        return False
    return True


def stop_process_group(process: subprocess.Popen[bytes], timeout_s: float = 20) -> None:
    """SIGTERM the group ``process`` leads (started with a new session), SIGKILL it if it stays."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass(frozen=True)
class MlflowServer:
    """A real ``mlflow server`` started for the test session."""

    url: str
    port: int
    root: Path


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"mlflow server at {url} did not answer within {timeout_s} s")


def start_mlflow_server(root: Path, port: int) -> subprocess.Popen[bytes]:
    """``mlflow server`` on ``port`` over SQLite and artifacts under ``root``, once healthy.

    Started in its own session (stop it with ``stop_process_group``); its log is appended to
    ``root/server.log``, so a server started again on the same root keeps one log.
    """
    env = {
        **os.environ,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        # As `psystock registry up` does: webhooks may call a local API over http.
        "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
        "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
        # The server caches its webhook list (60 s by default): a new API's webhook counts
        # only after that.
        "MLFLOW_WEBHOOK_CACHE_TTL": "1",
    }
    command = [
        sys.executable, "-m", "mlflow", "server",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}",
        "--artifacts-destination", str(root / "artifacts"),
    ]  # fmt: skip
    with (root / "server.log").open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}", process, timeout_s=120)
    except BaseException:
        stop_process_group(process)
        raise
    return process


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real MLflow tracking/registry server (SQLite, proxied artifacts) on a free port."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    process = start_mlflow_server(root, port)
    try:
        yield MlflowServer(url=f"http://127.0.0.1:{port}", port=port, root=root)
    finally:
        stop_process_group(process, timeout_s=25)


@pytest.fixture
def tracking_uri(mlflow_server: MlflowServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point this test's MLflow client (and psystock's settings) at the session server."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    import mlflow

    mlflow.set_tracking_uri(mlflow_server.url)
    return mlflow_server.url


@dataclass(frozen=True)
class RegisteredModel:
    """A PsyStock-shaped XGBoost model registered in the session server, in Production."""

    name: str
    version: str
    tracking_uri: str

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/Production"


def psystock_training_frame(rows: int = 400, seed: int = 7):  # type: ignore[no-untyped-def]
    """Rows of 14 integer-named 0/1 columns and a label that depends on them (book layout)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    features = rng.integers(0, 2, size=(rows, 14))
    label = ((features[:, -3:].sum(axis=1) + rng.integers(0, 2, size=rows)) >= 2).astype(int)
    return pd.DataFrame(features), pd.Series(label)


def log_xgboost_booster(name: str, *, rounds: int = 10, seed: int = 7) -> str:
    """Train a small native Booster (binary:logistic), log and register it; return the version."""
    import mlflow
    import xgboost as xgb
    from mlflow.models import infer_signature

    features, label = psystock_training_frame(seed=seed)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "seed": seed},
        xgb.DMatrix(features, label=label),
        num_boost_round=rounds,
    )
    signature = infer_signature(features, booster.inplace_predict(features.to_numpy()))
    with mlflow.start_run(run_name="fixture-training"):
        info = mlflow.xgboost.log_model(
            booster,
            name="model",
            signature=signature,
            input_example=features.head(2),
            registered_model_name=name,
        )
    assert info.registered_model_version is not None
    return str(info.registered_model_version)


@pytest.fixture(scope="session")
def registered_model(mlflow_server: MlflowServer) -> RegisteredModel:
    """The book's model shape, registered and promoted: stage Production and alias production."""
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(mlflow_server.url)
    version = log_xgboost_booster(MODEL_NAME)
    client = MlflowClient(mlflow_server.url)
    client.transition_model_version_stage(MODEL_NAME, version, "Production")
    client.set_registered_model_alias(MODEL_NAME, "production", version)
    return RegisteredModel(name=MODEL_NAME, version=version, tracking_uri=mlflow_server.url)


LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR) +[\w.]+: ")
"""A line of psystock's log on stderr (``psystock.logging.LOG_FORMAT``)."""


def without_log_lines(text: str) -> str:
    """``text`` without psystock's log lines: what a command said beside its log."""
    return "".join(line for line in text.splitlines(keepends=True) if not LOG_LINE.match(line))


class CliResult(NamedTuple):
    """What one run of ``psystock`` through its real entry point produced."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def said(self) -> str:
        """stderr without the log lines (each command's first log line names the registry)."""
        return without_log_lines(self.stderr)


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run ``psystock ARGS`` in-process through ``main`` (the real error boundary)."""
    from psystock.cli import main

    def run(*args: str | Path) -> CliResult:
        code: int | str | None = None
        try:
            main([str(arg) for arg in args])
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        assert isinstance(code, int), f"main() must exit with an exit code, got {code!r}"
        return CliResult(code, captured.out, captured.err)

    return run
