"""Detached server processes: spawn one in its own session, tell whether it runs, stop its group.

``subprocess`` starts the server as the leader of a new session and process group
(``start_new_session``), so stopping the group stops the workers it forked too; ``psutil``
tells a live server from a zombie or from a process that was given its old pid (its create
time differs) and waits for the group to go.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from contextlib import suppress
from typing import BinaryIO

import psutil

from psystock.errors import RegistryServerError

logger = logging.getLogger(__name__)

_POLL_INTERVAL_S = 0.1
_KILL_WAIT_S = 5.0
_CREATE_TIME_TOLERANCE_S = 0.01


# The servers this process started. They outlive the call that started them by design; a
# collected Popen would warn that its child still runs, so each is kept for our lifetime.
_STARTED: list[subprocess.Popen[bytes]] = []


def spawn_in_new_session(
    command: list[str], environment: dict[str, str], log: BinaryIO
) -> subprocess.Popen[bytes]:
    """Start ``command`` leading a new session, stdin from /dev/null, output appended to ``log``.

    The pid is also the id of the new process group; ``poll()`` tells its exit code.
    """
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environment,
        start_new_session=True,
    )
    _STARTED.append(process)
    return process


def create_time(pid: int) -> float | None:
    """When ``pid`` was started (seconds since the epoch), or None when there is no such process."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def is_running(pid: int, started: float | None) -> bool:
    """Whether ``pid`` runs, is no zombie and, when ``started`` is known, started then.

    A zombie child of ours is reaped on the way.
    """
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            _reap(process)
            return False
        return started is None or abs(process.create_time() - started) < _CREATE_TIME_TOLERANCE_S
    except psutil.Error:
        return False


def stop_group(pgid: int, timeout_s: float) -> None:
    """SIGTERM the process group ``pgid``, SIGKILL it after ``timeout_s``; wait until it is gone.

    Zombies count as gone: a server whose parent is another live process (the quickstart
    serving the API) stays a zombie until that parent reaps it.

    Raises:
        RegistryServerError: the group belongs to another user, or survives SIGKILL.
    """
    members = group_members(pgid)
    _signal_group(pgid, signal.SIGTERM)
    if _wait_until_gone(members, timeout_s):
        return
    logger.warning("process group %d did not stop within %g s of SIGTERM: SIGKILL", pgid, timeout_s)
    _signal_group(pgid, signal.SIGKILL)
    if not _wait_until_gone(members, _KILL_WAIT_S):
        raise RegistryServerError(f"the registry server (process group {pgid}) did not stop")


def group_members(pgid: int) -> list[psutil.Process]:
    """The processes of group ``pgid`` (the leader and the workers it forked)."""
    members = []
    for process in psutil.process_iter():
        with suppress(psutil.Error, ProcessLookupError):
            if os.getpgid(process.pid) == pgid:
                members.append(process)
    return members


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass  # already gone
    except PermissionError as exc:
        raise RegistryServerError(
            f"cannot stop the registry server (process group {pgid}): permission denied"
        ) from exc


def _wait_until_gone(members: list[psutil.Process], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while any(_is_live(member) for member in members):
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_INTERVAL_S)
    return True


def _is_live(process: psutil.Process) -> bool:
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            _reap(process)
            return False
        return process.is_running()
    except psutil.Error:
        return False


def _reap(process: psutil.Process) -> None:
    """Collect ``process`` if it is our child; init collects the others."""
    with suppress(psutil.Error, ChildProcessError):
        process.wait(timeout=0)
