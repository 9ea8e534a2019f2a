"""Tell the MLflow run of a dead batch job from a live one, on this machine or another.

Each job tags its run with where it runs (``psystock.host``, ``psystock.pid`` and, on Linux,
``psystock.pid_namespace``: two containers on one host share a hostname only by accident, never
a pid namespace) and, every ``HEARTBEAT_S`` seconds while it runs, ``psystock.heartbeat_ms``.
A run still ``RUNNING`` belongs to a dead job when

- it was started on this machine (same host and pid namespace) and its pid is gone, or
- its last heartbeat (or its start) is older than ``STALE_S``: a job elsewhere that was killed
  (SIGKILL, a lost machine) stopped beating.

The next job marks such runs ``KILLED`` (``mark_dead_runs``). Runs that carry no host tag were
recorded by an older psystock: nothing tells, so they are left as they are.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass

from psystock.registry.runs import KILLED, RunRecord, RunStatus, find_runs, terminate_run
from psystock.settings import Settings

logger = logging.getLogger(__name__)

HOST = "psystock.host"
PID = "psystock.pid"
PID_NAMESPACE = "psystock.pid_namespace"
HEARTBEAT = "psystock.heartbeat_ms"
HEARTBEAT_S = 60.0
"""Seconds between two heartbeats of a running job."""
STALE_S = 10 * HEARTBEAT_S
"""A run whose job has not beaten for this long is dead (allows for slow registries)."""


@dataclass(frozen=True)
class Process:
    """Where a job runs: what its run's tags say."""

    host: str
    pid: int
    pid_namespace: str

    @classmethod
    def current(cls) -> Process:
        """This process."""
        return cls(socket.gethostname(), os.getpid(), _pid_namespace())

    def tags(self) -> dict[str, str]:
        """The run tags that record it."""
        return {HOST: self.host, PID: str(self.pid), PID_NAMESPACE: self.pid_namespace}

    def is_here(self, other: Process) -> bool:
        """Whether ``other`` runs on this machine, where its pid can be looked up."""
        return (self.host, self.pid_namespace) == (other.host, other.pid_namespace)


def heartbeat_tags() -> dict[str, str]:
    """The tag a running job refreshes."""
    return {HEARTBEAT: str(int(time.time() * 1000))}


def why_dead(run: RunRecord, here: Process, now_ms: int) -> str | None:
    """Why ``run``'s job is dead, or None when it may be alive (or nothing tells)."""
    tags = run.tags
    if HOST not in tags or not tags.get(PID, "").isdigit():
        return None
    job = Process(tags[HOST], int(tags[PID]), tags.get(PID_NAMESPACE, ""))
    if here.is_here(job) and not _is_alive(job.pid):
        return f"its job (pid {job.pid} on {job.host}) is gone"
    last_ms = int(tags.get(HEARTBEAT, "") or run.start_ms)
    if now_ms - last_ms > STALE_S * 1000:
        silent_min = (now_ms - last_ms) / 60_000
        return (
            f"its job (pid {job.pid} on {job.host}) has given no sign of life for "
            f"{silent_min:.0f} min"
        )
    return None


def mark_dead_runs(
    settings: Settings, experiment: str, job_tags: dict[str, str], own_run_id: str
) -> None:
    """Mark the ``RUNNING`` runs of dead jobs ``KILLED``, saying which and why.

    Raises:
        RegistryError: the registry failed (the caller decides whether it matters).
    """
    here = Process.current()
    now_ms = int(time.time() * 1000)
    for run in find_runs(settings, experiment, tags=job_tags, status=RunStatus.RUNNING):
        if run.run_id == own_run_id:
            continue
        reason = why_dead(run, here, now_ms)
        if reason is None:
            continue
        terminate_run(settings, run.run_id, KILLED)
        logger.warning("marked MLflow run %s KILLED: %s", run.run_id, reason)


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""
