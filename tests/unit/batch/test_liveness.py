import os
import socket
import subprocess
import sys

from psystock.batch.liveness import (
    HEARTBEAT,
    HOST,
    PID,
    PID_NAMESPACE,
    STALE_S,
    Process,
    heartbeat_tags,
    why_dead,
)
from psystock.registry.records import RunRecord, RunStatus

NOW_MS = 1_800_000_000_000
HERE = Process.current()


def run_with(tags: dict[str, str], start_ms: int = NOW_MS) -> RunRecord:
    return RunRecord("r1", "e1", "batch_scoring", RunStatus.RUNNING, start_ms, None, "x", tags=tags)


def gone_pid() -> int:
    """The pid of a process that has ended and been reaped."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def test_the_current_process_is_tagged_by_host_pid_and_namespace() -> None:
    assert HERE.tags() == {
        HOST: socket.gethostname(),
        PID: str(os.getpid()),
        PID_NAMESPACE: str(os.stat("/proc/self/ns/pid").st_ino),
    }
    assert int(heartbeat_tags()[HEARTBEAT]) > 0


def test_a_run_whose_process_is_gone_on_this_machine_is_dead() -> None:
    pid = gone_pid()
    tags = {**HERE.tags(), PID: str(pid), HEARTBEAT: str(NOW_MS)}
    assert why_dead(run_with(tags), HERE, NOW_MS) == (f"its job (pid {pid} on {HERE.host}) is gone")


def test_a_run_whose_process_lives_here_is_alive() -> None:
    assert why_dead(run_with({**HERE.tags(), HEARTBEAT: str(NOW_MS)}), HERE, NOW_MS) is None


def test_elsewhere_only_a_stale_heartbeat_tells() -> None:
    elsewhere = {HOST: "other-machine", PID: "1", PID_NAMESPACE: "4026531836"}
    fresh = {**elsewhere, HEARTBEAT: str(NOW_MS - 60_000)}
    assert why_dead(run_with(fresh), HERE, NOW_MS) is None
    stale_ms = NOW_MS - int(STALE_S * 1000) - 60_000
    assert why_dead(run_with({**elsewhere, HEARTBEAT: str(stale_ms)}), HERE, NOW_MS) == (
        "its job (pid 1 on other-machine) has given no sign of life for 11 min"
    )
    assert why_dead(run_with(elsewhere, start_ms=stale_ms), HERE, NOW_MS) is not None


def test_another_pid_namespace_on_the_same_host_is_not_looked_up() -> None:
    container = {**HERE.tags(), PID: str(gone_pid()), PID_NAMESPACE: "elsewhere"}
    assert why_dead(run_with({**container, HEARTBEAT: str(NOW_MS)}), HERE, NOW_MS) is None


def test_runs_without_the_tags_are_left_alone() -> None:
    assert why_dead(run_with({}, start_ms=0), HERE, NOW_MS) is None
    assert why_dead(run_with({HOST: "h", PID: "not a pid"}, start_ms=0), HERE, NOW_MS) is None
