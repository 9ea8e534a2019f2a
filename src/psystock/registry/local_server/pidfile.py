"""The pid file of the local registry server: what was started, and whether it still runs.

The file records the process id together with the process's create time, so a pid the
kernel has since given to another process is not mistaken for the registry server.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from psystock.registry.local_server.process import is_running

PID_FILE_NAME = "registry.pid"
"""Name of the pid file inside the psystock home."""


@dataclass(frozen=True)
class PidRecord:
    """What ``registry up`` started: enough to find, describe and stop that exact process.

    Attributes:
        pid: process id of the server; it leads its own process group (same id).
        host: interface the server listens on.
        port: port the server listens on.
        backend_store_uri: backend store, password hidden.
        artifacts_destination: where the server stores artifacts.
        log_file: the server's log.
        started_at: wall-clock start, ISO 8601 (for people).
        create_time: the process's create time (seconds since the epoch, as ``psutil`` tells
            it), or ``None`` when unknown.
    """

    pid: int
    host: str
    port: int
    backend_store_uri: str
    artifacts_destination: str
    log_file: str
    started_at: str
    create_time: float | None


@dataclass(frozen=True)
class PidFileCheck:
    """What the pid file says about the server.

    Attributes:
        record: the server that runs, or ``None``.
        stale_pid: the pid named by a stale pid file that was just removed, if any.
        stale_reason: why that pid file was stale, e.g. ``process 1234 is gone``.
    """

    record: PidRecord | None
    stale_pid: int | None = None
    stale_reason: str | None = None


def check_pid_file(path: Path) -> PidFileCheck:
    """Read ``path`` and tell whether the server it names still runs; remove it if stale.

    A pid file is stale when its process is gone (or a zombie), when the pid now belongs to
    another process (a different create time) or when the file cannot be parsed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return PidFileCheck(None)
    try:
        record = PidRecord(**json.loads(text))
    except (ValueError, TypeError) as exc:
        remove_pid_file(path)
        return PidFileCheck(None, None, f"unreadable: {exc}")
    if is_running(record.pid, record.create_time):
        return PidFileCheck(record)
    remove_pid_file(path)
    reason = (
        f"pid {record.pid} now belongs to another process"
        if is_running(record.pid, None)
        else f"process {record.pid} is gone"
    )
    return PidFileCheck(None, record.pid, reason)


def write_pid_file(path: Path, record: PidRecord) -> None:
    """Write ``record`` to ``path`` atomically, readable by its owner only."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(asdict(record), indent=2) + "\n", encoding="utf-8")
    partial.chmod(0o600)
    partial.replace(path)


def remove_pid_file(path: Path) -> None:
    """Remove ``path`` if it exists."""
    path.unlink(missing_ok=True)


@contextmanager
def locked_pid_file(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` so two ``registry up`` cannot race each other.

    The second waits until the first has started (or failed), then finds its pid file.
    """
    with path.with_name(f".{path.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
