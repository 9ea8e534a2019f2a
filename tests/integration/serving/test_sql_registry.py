"""The API on a ``sqlite:///`` tracking URI: the registry's database is read directly, so the
server process never imports mlflow, and a promotion still rolls out by polling."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import log_xgboost_booster
from tests.integration.serving.conftest import BOOK_ROW

NAME = "sql-served-model"
SERVER = """
import json, sys
from psystock.serving import BackgroundServer
from psystock.settings import load_settings

settings = load_settings(
    home=sys.argv[2], tracking_uri=sys.argv[1],
    scoring={"model_uri": "models:/MODEL@production"},
    serving={"port": 0, "poll_interval_s": 0.2},
)
with BackgroundServer(settings) as server:
    server.wait_until_loaded()
    print(json.dumps({"url": server.url}), flush=True)
    sys.stdin.readline()  # serve until the test says stop
modules = sorted(name for name in sys.modules if name.split(".")[0] in ("mlflow", "pandas"))
print(json.dumps({"imported": modules}), flush=True)
""".replace("MODEL", NAME)


def test_the_api_on_a_sqlite_registry_serves_and_rolls_out_without_importing_mlflow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow
    from mlflow import MlflowClient

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.chdir(tmp_path)  # MLflow's default artifact root, ./mlruns
    saved = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        first = log_xgboost_booster(NAME, seed=1)
        second = log_xgboost_booster(NAME, seed=2, rounds=20)
    finally:
        mlflow.set_tracking_uri(saved)
    client = MlflowClient(uri)
    client.set_registered_model_alias(NAME, "production", first)
    with subprocess.Popen(
        [sys.executable, "-c", SERVER, uri, str(tmp_path / "api-home")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        try:
            _check_serving_and_rollout(server, client, first, second)
        finally:
            if server.poll() is None:
                server.kill()


def _check_serving_and_rollout(
    server: subprocess.Popen[str], client: object, first: str, second: str
) -> None:
    assert server.stdin is not None
    assert server.stdout is not None
    url = json.loads(server.stdout.readline())["url"]
    body = {"dataframe_split": {"data": [BOOK_ROW]}}
    assert httpx.get(f"{url}/health").json()["version"] == first
    before = httpx.post(f"{url}/invocations", json=body).json()["predictions"]

    client.set_registered_model_alias(NAME, "production", second)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while httpx.get(f"{url}/health").json()["version"] != second:
        assert time.monotonic() < deadline, "the new version was not rolled out"
        time.sleep(0.05)
    after = httpx.post(f"{url}/invocations", json=body).json()["predictions"]
    assert after != before
    registry = httpx.get(f"{url}/health").json()["registry"]
    assert registry["consecutive_failures"] == 0
    assert registry["webhook"] == {"registered": False, "polling": "every 0.2 s"}

    server.stdin.write("stop\n")
    server.stdin.flush()
    assert json.loads(server.stdout.readline()) == {"imported": []}
