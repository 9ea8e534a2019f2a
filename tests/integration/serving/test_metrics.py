"""Prometheus metrics over real HTTP, with one worker and with two worker processes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from psystock.serving import BackgroundServer
from tests.conftest import RegisteredModel, free_port, stop_process_group
from tests.integration.serving.conftest import ROWS


def _sample(text: str, name: str, labels: str = "", default: float | None = None) -> float:
    pattern = "^" + re.escape(name + (f"{{{labels}}}" if labels else "")) + r" (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    if match is None and default is not None:
        return default
    assert match is not None, f"{name}{{{labels}}} not in metrics"
    return float(match.group(1))


def test_metrics_count_requests_latency_and_predictions(api: BackgroundServer) -> None:
    with httpx.Client(base_url=api.url) as client:
        before = client.get("/metrics").text
        for _ in range(3):
            assert client.post("/invocations", json={"instances": ROWS}).status_code == 200
        assert client.post("/invocations", json={"instances": []}).status_code == 400
        client.get("/v2/models/nope")
        client.get("/no/such/path")
        after = client.get("/metrics").text
    ok = 'route="/invocations",status="200"'
    bad = 'route="/invocations",status="400"'
    counted = _sample(after, "psystock_http_requests_total", ok)
    assert counted - _sample(before, "psystock_http_requests_total", ok, default=0) == 3
    assert _sample(after, "psystock_http_requests_total", bad) >= 1
    assert _sample(after, "psystock_http_request_duration_seconds_count", ok) >= 3
    assert _sample(after, "psystock_http_requests_total", 'route="/v2/models/{name}",status="404"')
    assert _sample(after, "psystock_http_requests_total", 'route="other",status="404"') >= 1
    version = api.app.state.holder.model.info.version  # type: ignore[union-attr]
    predicted = _sample(after, "psystock_prediction_value_count", f'version="{version}"')
    earlier = _sample(before, "psystock_prediction_value_count", f'version="{version}"', default=0)
    assert predicted - earlier == 9
    assert (
        _sample(after, "psystock_prediction_value_bucket", f'le="1.0",version="{version}"')
        == predicted
    )
    assert _sample(after, "psystock_batch_rows_count") >= 1
    assert "psystock_model_reloads_total 1.0" in after


def _start_two_workers(
    registered: RegisteredModel, home: Path, port: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MLFLOW_TRACKING_URI": registered.tracking_uri,
        "PSYSTOCK_HOME": str(home),
        "PSYSTOCK_SERVING__POLL_INTERVAL_S": "0",
    }
    command = [sys.executable, "-m", "psystock", "serve", "--model", registered.uri]
    command += ["--workers", "2", "--port", str(port)]
    with (home / "serve.log").open("wb") as log:
        return subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_for_pings(url: str, deadline: float, log: Path) -> None:
    """Until 20 pings in a row answer 200: every worker has loaded the model."""
    ready = 0
    while ready < 20:
        assert time.monotonic() < deadline, log.read_text()
        try:
            ready = ready + 1 if httpx.get(f"{url}/ping", timeout=2).status_code == 200 else 0
        except httpx.HTTPError:
            ready = 0
        time.sleep(0.05)


def _workers(pid: int) -> list[int]:
    """The uvicorn worker processes under the ``psystock serve`` process (Linux /proc)."""
    workers = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            workers.append(int(child))
    return workers


def test_metrics_with_two_workers_add_up_whichever_worker_answers(
    registered_model: RegisteredModel, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    process = _start_two_workers(registered_model, tmp_path, port)
    label = 'route="/invocations",status="200"'
    info = f'model="{registered_model.name}",reference="{registered_model.uri}"'
    version = f'{info},version="{registered_model.version}"'
    try:
        _wait_for_pings(url, time.monotonic() + 60, log)
        for _ in range(40):  # a new connection each time: the kernel spreads them
            response = httpx.post(f"{url}/invocations", json={"instances": ROWS})
            assert response.status_code == 200
        for _ in range(6):
            text = httpx.get(f"{url}/metrics").text
            assert _sample(text, "psystock_http_requests_total", label) == 40
            assert _sample(text, "psystock_model_reloads_total") == 2  # one load per worker
        assert _sample(text, "psystock_model_info", version) == 1

        killed = _workers(process.pid)[0]
        os.kill(killed, signal.SIGKILL)  # uvicorn starts a new worker in its place
        deadline = time.monotonic() + 60
        while killed in _workers(process.pid) or len(_workers(process.pid)) < 2:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        text = ""
        while _sample(text, "psystock_model_reloads_total", default=0) < 3:  # the new one loaded
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
            text = httpx.get(f"{url}/metrics").text
        assert _sample(text, "psystock_http_requests_total", label) == 40  # the dead one's kept
        assert _sample(text, "psystock_model_info", version) == 1
    finally:
        stop_process_group(process)
    assert process.returncode is not None
    text = log.read_text()
    assert f"psystock API on http://127.0.0.1:{port} (2 workers)" in text
    assert f"marked dead worker {killed} in the metrics" in text
