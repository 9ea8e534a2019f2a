"""Benchmark helper: start a server, time its cold start, load it with wrk."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

BOOK_ROW = "[1,0,1,1,0,1,0,1,0,1,0,1,0,1]"
BOOK_BODY = (
    f'{{"dataframe_split": {{"columns": [0,1,2,3,4,5,6,7,8,9,10,11,12,13], "data": [{BOOK_ROW}]}}}}'
)
"""One row, the columns as pandas writes them for the book's integer-named signature (the
layout both servers accept)."""
KSERVE_V1_BODY = f'{{"instances": [{BOOK_ROW}]}}'
"""One row for KServe's V1 protocol (``POST /v1/models/NAME:predict``)."""
V2_BODY = (
    '{"inputs": [{"name": "input-0", "shape": [1, 14], "datatype": "FP64",'
    f' "data": {BOOK_ROW}}}]}}'
)
"""One row for the Open Inference Protocol (``POST /v2/models/NAME/infer``)."""


def wrk_script(body: str) -> str:
    """A wrk Lua script that POSTs ``body`` as JSON."""
    return f"""wrk.method = "POST"
wrk.body = '{body}'
wrk.headers["Content-Type"] = "application/json"
"""


WRK_SCRIPT = wrk_script(BOOK_BODY)


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
class LoadResult:
    """One wrk run."""

    connections: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: int


def require_wrk() -> str:
    """The wrk binary, or exit with the command that installs it."""
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: run `apt-get install -y wrk` (Debian) and retry")
    return path


def start_and_time(
    command: list[str],
    env: dict[str, str],
    url: str,
    log: Path,
    timeout_s: float = 180.0,
    ready_path: str = "/ping",
) -> tuple[subprocess.Popen[bytes], float]:
    """Start ``command``; return it and the seconds from start to the first 200 on
    ``ready_path``."""
    with log.open("wb") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=quiet_environment(**env),
            start_new_session=True,
        )
    with httpx.Client(timeout=1) as client:
        while time.perf_counter() - started < timeout_s:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}; see {log}")
            try:
                if client.get(f"{url}{ready_path}").status_code == 200:
                    return process, time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
    stop_process_group(process)
    raise RuntimeError(f"{url} did not answer {ready_path} within {timeout_s} s; see {log}")


def check_answer(url: str) -> str:
    """POST the benchmark body once; it must be a 200 with one prediction."""
    response = httpx.post(
        f"{url}/invocations", content=BOOK_BODY, headers={"Content-Type": "application/json"}
    )
    if response.status_code != 200 or len(response.json()["predictions"]) != 1:
        raise RuntimeError(f"{url}/invocations answered {response.status_code}: {response.text}")
    return response.text


def run_wrk(
    wrk: str, url: str, connections: int, duration_s: int, script: Path, path: str = "/invocations"
) -> LoadResult:
    """One wrk run of POST ``path`` with the body of ``script``."""
    command = [
        wrk, "-t1", f"-c{connections}", f"-d{duration_s}s", "--latency", "-s", str(script),
        f"{url}{path}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return LoadResult(
        connections=connections,
        requests_per_s=float(_find(r"Requests/sec:\s+([\d.]+)", output)),
        p50_ms=_latency_ms(_find(r"^\s+50%\s+(\S+)", output)),
        p99_ms=_latency_ms(_find(r"^\s+99%\s+(\S+)", output)),
        requests=int(_find(r"(\d+) requests in", output)),
        non_2xx=int(_find(r"Non-2xx or 3xx responses:\s+(\d+)", output, "0")),
        errors=sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)),
    )


def peak_rss_mb(pid: int) -> float:
    """Peak RSS (VmHWM) of ``pid`` and every process of its group, in MB."""
    total_kb = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            if os.getpgid(int(status.parent.name)) != pid:
                continue
        except (OSError, ProcessLookupError):
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
        if match:
            total_kb += int(match.group(1))
    return total_kb / 1024


def machine_load() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def _find(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        if default is not None:
            return default
        raise RuntimeError(f"wrk output lacks {pattern!r}:\n{text}")
    return match.group(1)


def _latency_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
