"""Several workers: the token never in their environment; a killed worker costs no request but
its own in-flight ones, because its replacement accepts connections only once loaded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import RegisteredModel, free_port, stop_process_group
from tests.integration.serving.conftest import BOOK_ROW
from tests.integration.serving.test_metrics import _wait_for_pings, _workers

TOKEN = "t0ken-from-a-file-3f9a"


def _serve(registered: RegisteredModel, home: Path, port: int) -> subprocess.Popen[bytes]:
    token_file = home / "token"
    token_file.write_text(TOKEN + "\n")
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": registered.tracking_uri,
        "PSYSTOCK_HOME": str(home),
        "PSYSTOCK_SERVING__POLL_INTERVAL_S": "0",
    }
    command = [sys.executable, "-m", "psystock", "serve", "--model", registered.uri]
    command += ["--workers", "2", "--port", str(port), "--auth-token-file", str(token_file)]
    with (home / "serve.log").open("wb") as log:
        return subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def test_two_workers_token_from_a_file_and_a_killed_worker_under_load(
    registered_model: RegisteredModel, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = _serve(registered_model, tmp_path, port)
    auth = {"Authorization": f"Bearer {TOKEN}", "Connection": "close"}
    try:
        _wait_for_pings(url, time.monotonic() + 60, log)
        for pid in [process.pid, *_workers(process.pid)]:
            assert TOKEN.encode() not in Path(f"/proc/{pid}/environ").read_bytes()
            assert TOKEN.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
        body = {"instances": [BOOK_ROW]}
        assert httpx.post(f"{url}/invocations", json=body).status_code == 401
        assert httpx.post(f"{url}/invocations", json=body, headers=auth).status_code == 200

        stop = threading.Event()
        outcomes: list[str] = []
        clients = 4

        def load() -> None:
            while not stop.is_set():
                try:
                    status = httpx.post(f"{url}/invocations", json=body, headers=auth).status_code
                    outcomes.append(str(status))
                except httpx.HTTPError as exc:
                    outcomes.append(type(exc).__name__)

        threads = [threading.Thread(target=load) for _ in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        killed = _workers(process.pid)[0]
        os.kill(killed, signal.SIGKILL)  # uvicorn starts a replacement, which loads the model
        deadline = time.monotonic() + 60
        while killed in _workers(process.pid) or len(_workers(process.pid)) < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        time.sleep(4.0)  # the replacement loads while the load goes on
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        stop_process_group(process)
    failed = [outcome for outcome in outcomes if outcome != "200"]
    assert len(outcomes) > 50
    assert "503" not in failed
    assert len(failed) <= clients, failed  # at most the killed worker's in-flight requests
