"""``psystock registry up|down|status`` on SQLite: the real CLI, a real mlflow server."""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from psystock.errors import RegistryServerError
from psystock.registry.local_server import start_server
from psystock.registry.local_server.pidfile import PidRecord, write_pid_file
from psystock.registry.local_server.process import create_time
from psystock.settings import load_settings
from tests.conftest import free_port, without_log_lines
from tests.integration.registry.conftest import RunPsystock, last_line

PID_MAX = int(Path("/proc/sys/kernel/pid_max").read_text())


def stale_record(pid: int, started: float | None) -> PidRecord:
    return PidRecord(pid, "127.0.0.1", 5000, "sqlite:///x.db", "/a", "/l", "2024-01-01", started)


def is_group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (a zombie awaiting its reaper does not)."""
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        state, _, group = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(group) == pgid and state not in ("Z", "X"):
            return True
    return False


def mlflow_servers_on(port: int) -> list[int]:
    """Pids of processes whose command line is an mlflow server on ``port``."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        is_mlflow = b"mlflow" in b" ".join(argv) and b"--port" in argv
        if is_mlflow and argv[argv.index(b"--port") + 1] == str(port).encode():
            pids.append(int(entry.name))
    return pids


def test_registry_up_status_down_lifecycle(tmp_path: Path, run_psystock: RunPsystock) -> None:
    home = (tmp_path / "home").resolve()
    home.mkdir()
    pid_file = home / "registry.pid"
    gone = PID_MAX + 1
    write_pid_file(pid_file, stale_record(gone, 1))  # left behind by a crash
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    # Two at once: the pid file's lock makes one start the server and the other find it.
    with ThreadPoolExecutor(max_workers=2) as pool:
        ups = list(
            pool.map(
                lambda _: run_psystock("--home", home, "registry", "up", "--port", port), range(2)
            )
        )

    try:
        assert [up.returncode for up in ups] == [0, 0], [up.stderr for up in ups]
        pid = json.loads(pid_file.read_text())["pid"]
        started = next(up for up in ups if "is running" in up.stdout)
        assert started.stdout.splitlines()[0] == f"The registry is running at {url} (pid {pid})."
        assert f"  backend:   sqlite:///{home / 'mlflow.db'}" in started.stdout
        assert f"  artifacts: {home / 'artifacts'}" in started.stdout
        assert f"MLflow UI: {url}/#/models" in started.stdout
        assert f"removed the stale pid file {pid_file}: process {gone} is gone" in started.stderr
        found = next(up for up in ups if up is not started)
        assert found.stdout.splitlines()[0] == (
            f"The registry is already running at {url} (pid {pid})."
        )
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200
        assert os.getpgid(pid) == pid  # it leads its own process group
        # One server only: every mlflow process on the port belongs to the recorded group.
        assert {os.getpgid(server) for server in mlflow_servers_on(port)} == {pid}

        other = run_psystock("--home", home, "registry", "up", "--port", port + 1)
        assert other.returncode == 1
        assert last_line(other.stderr) == (
            f"Error: the registry of {home} is already running at {url} (pid {pid}) with "
            f"port {port} (asked: {port + 1}): run `psystock registry down` first to change them"
        )

        status = run_psystock("--home", home, "registry", "status")
        assert status.returncode == 0, status.stderr
        assert status.stdout.splitlines()[0] == f"running at {url} (pid {pid}, healthy)"

        as_json = json.loads(run_psystock("--home", home, "registry", "status", "--json").stdout)
        assert as_json["running"] is True
        assert as_json["healthy"] is True
        assert as_json["pid"] == pid
        assert as_json["backend_store_uri"] == f"sqlite:///{home / 'mlflow.db'}"
    finally:
        down = run_psystock("--home", home, "registry", "down")

    assert down.returncode == 0, down.stderr
    assert down.stdout == f"Stopped the registry at {url} (pid {pid}).\n"
    assert not pid_file.exists()
    assert not is_group_alive(pid)
    after = run_psystock("--home", home, "registry", "status")
    assert after.returncode == 3
    assert after.stdout == f"not running (no pid file at {pid_file})\n"
    assert "--- psystock registry up at " in (home / "registry.log").read_text()


def test_registry_up_fails_when_the_port_is_in_use(
    tmp_path: Path, run_psystock: RunPsystock
) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        up = run_psystock("--home", tmp_path, "registry", "up", "--port", port)

    assert up.returncode == 1
    assert without_log_lines(up.stderr) == (
        f"Error: port {port} on 127.0.0.1 is already in use: "
        "pass --port with a free port, or stop what listens there\n"
    )
    assert not (tmp_path / "registry.pid").exists()
    assert not (tmp_path / "registry.log").exists()


def test_registry_up_fails_when_the_database_is_unreachable(
    tmp_path: Path, run_psystock: RunPsystock
) -> None:
    uri = "postgresql://nobody:secret@127.0.0.1:1/nodb"

    up = run_psystock(
        "--home", tmp_path, "registry", "up", "--port", free_port(), "--backend-store-uri", uri
    )

    assert up.returncode == 1
    assert without_log_lines(up.stderr) == (
        "Error: cannot reach the backend store postgresql://nobody:***@127.0.0.1:1/nodb: "
        'connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
    )
    assert "secret" not in up.stdout + up.stderr
    assert not (tmp_path / "registry.pid").exists()


def test_registry_status_removes_a_stale_pid_file(
    tmp_path: Path, run_psystock: RunPsystock
) -> None:
    pid_file = tmp_path / "registry.pid"
    gone = PID_MAX + 1
    write_pid_file(pid_file, stale_record(gone, 1))

    status = run_psystock("--home", tmp_path, "registry", "status")

    assert status.returncode == 3
    assert status.stdout == (
        f"not running: removed the stale pid file {pid_file} (process {gone} is gone)\n"
    )
    assert not pid_file.exists()


def test_registry_status_does_not_take_a_reused_pid_for_the_server(
    tmp_path: Path, run_psystock: RunPsystock
) -> None:
    pid_file = tmp_path / "registry.pid"
    me = os.getpid()  # alive, but started at another time than the record says
    started = create_time(me)
    assert started is not None
    write_pid_file(pid_file, stale_record(me, started + 1.5))

    status = run_psystock("--home", tmp_path, "registry", "status")

    assert status.returncode == 3
    assert status.stdout == (
        f"not running: removed the stale pid file {pid_file} (pid {me} now belongs to another "
        "process)\n"
    )


def test_start_server_reports_the_log_line_when_the_server_exits_during_start_up(
    tmp_path: Path,
) -> None:
    database = tmp_path / "foreign.db"
    with sqlite3.connect(database) as connection:  # a schema revision MLflow does not know
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('deadbeef0000')")
    connection.close()
    settings = load_settings(
        home=tmp_path, registry={"port": free_port(), "backend_store_uri": f"sqlite:///{database}"}
    )
    log = tmp_path.resolve() / "registry.log"

    expected = (
        "the registry server exited during start-up (exit code 1): alembic.util.exc.CommandError: "
        f"Can't locate revision identified by 'deadbeef0000' (log: {log})"
    )
    with pytest.raises(RegistryServerError, match=f"^{re.escape(expected)}$"):
        start_server(settings)

    assert not (tmp_path / "registry.pid").exists()


def test_start_server_stops_a_server_that_does_not_answer_in_time(tmp_path: Path) -> None:
    port = free_port()
    settings = load_settings(home=tmp_path, registry={"port": port, "start_timeout_s": 0.5})

    with pytest.raises(
        RegistryServerError,
        match=rf"^the registry server at http://127\.0\.0\.1:{port} did not answer within 0\.5 s; "
        rf"last log line: .+ \(log: {tmp_path.resolve()}/registry\.log\)$",
    ):
        start_server(settings)

    assert not (tmp_path / "registry.pid").exists()
    assert mlflow_servers_on(port) == []
