import os
import stat
from pathlib import Path

import pytest

from psystock.registry.local_server.pidfile import PidRecord, check_pid_file, write_pid_file
from psystock.registry.local_server.process import create_time

PID_MAX = int(Path("/proc/sys/kernel/pid_max").read_text()) if Path("/proc").exists() else 99999


def record_for(pid: int, started: float | None) -> PidRecord:
    return PidRecord(
        pid=pid,
        host="127.0.0.1",
        port=5000,
        backend_store_uri="sqlite:////tmp/mlflow.db",
        artifacts_destination="/tmp/artifacts",
        log_file="/tmp/registry.log",
        started_at="2024-01-01T00:00:00+00:00",
        create_time=started,
    )


@pytest.fixture
def pid_file(tmp_path: Path) -> Path:
    return tmp_path / "registry.pid"


def test_check_pid_file_without_file_finds_nothing(pid_file: Path) -> None:
    check = check_pid_file(pid_file)

    assert (check.record, check.stale_pid, check.stale_reason) == (None, None, None)


def test_check_pid_file_finds_a_live_process_with_its_start_time(pid_file: Path) -> None:
    record = record_for(os.getpid(), create_time(os.getpid()))
    write_pid_file(pid_file, record)

    assert check_pid_file(pid_file).record == record
    assert pid_file.exists()


def test_write_pid_file_is_readable_by_its_owner_only(pid_file: Path) -> None:
    write_pid_file(pid_file, record_for(os.getpid(), None))

    assert stat.S_IMODE(pid_file.stat().st_mode) == 0o600
    assert list(pid_file.parent.iterdir()) == [pid_file]


def test_check_pid_file_removes_it_when_the_process_is_gone(pid_file: Path) -> None:
    gone = PID_MAX + 1  # above the kernel's largest pid: no process can have it
    write_pid_file(pid_file, record_for(gone, 12345))

    check = check_pid_file(pid_file)

    assert check.record is None
    assert check.stale_pid == gone
    assert check.stale_reason == f"process {gone} is gone"
    assert not pid_file.exists()


def test_check_pid_file_does_not_mistake_a_reused_pid_for_the_server(pid_file: Path) -> None:
    started = create_time(os.getpid())
    assert started is not None
    write_pid_file(pid_file, record_for(os.getpid(), started + 1.5))

    check = check_pid_file(pid_file)

    assert check.record is None
    assert check.stale_reason == f"pid {os.getpid()} now belongs to another process"
    assert not pid_file.exists()


@pytest.mark.parametrize("content", ["", "not json", '{"pid": 12}', "[1, 2]"])
def test_check_pid_file_removes_an_unreadable_file(pid_file: Path, content: str) -> None:
    pid_file.write_text(content)

    check = check_pid_file(pid_file)

    assert check.record is None
    assert check.stale_reason is not None
    assert check.stale_reason.startswith("unreadable: ")
    assert not pid_file.exists()


def test_create_time_is_unknown_for_a_missing_process() -> None:
    assert create_time(PID_MAX + 1) is None
