"""Detached server processes: spawn one in its own session, watch it, stop its whole group.

A server started here leads a new session and process group (its id is the group's id), so
stopping the group stops the workers it forked too; on Linux, ``/proc`` tells a process's
start time, which tells a live server from a process that was given its old pid.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from psystock.errors import RegistryServerError

logger = logging.getLogger(__name__)

_PROC = Path("/proc")
# Fields of /proc/PID/stat after the command name: state is field 3, starttime field 22.
_STATE_INDEX = 0
_PGRP_INDEX = 2
_START_TIME_INDEX = 19
_POLL_INTERVAL_S = 0.1
_KILL_WAIT_S = 5.0


def spawn_detached(command: list[str], environment: dict[str, str], log: BinaryIO) -> int:
    """Start ``command`` in a new session, stdin from /dev/null, output appended to ``log``.

    ``posix_spawn`` rather than ``Popen``: the server outlives this process by design, and a
    ``Popen`` object warns that its child still runs when it is garbage-collected.

    Returns:
        The pid, which is also the id of the new process group.
    """
    return os.posix_spawn(
        command[0],
        command,
        environment,
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_DUP2, log.fileno(), 1),
            (os.POSIX_SPAWN_DUP2, log.fileno(), 2),
        ],
        setsid=True,
    )


def exit_code(pid: int) -> int | None:
    """The exit code of this process's child ``pid`` once it has exited, else ``None``."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status) if done else None


def process_start_ticks(pid: int) -> int | None:
    """The kernel's start time of ``pid`` (clock ticks since boot), or ``None`` if unknown."""
    stat = _read_stat(pid)
    return None if stat is None else int(stat[_START_TIME_INDEX])


def is_process_alive(pid: int, start_ticks: int | None) -> bool:
    """Whether ``pid`` runs and, when ``start_ticks`` is known, started at that time.

    A zombie counts as gone (and is reaped when it is our child). Without ``/proc`` the start
    time cannot be compared, and a live pid is trusted.
    """
    if not _PROC.joinpath("self", "stat").exists():
        return _pid_exists(pid)
    stat = _read_stat(pid)
    if stat is None:
        return False
    if stat[_STATE_INDEX] in ("Z", "X"):
        _reap(pid)
        return False
    return start_ticks is None or int(stat[_START_TIME_INDEX]) == start_ticks


def stop_group(pgid: int, timeout_s: float) -> None:
    """SIGTERM the process group ``pgid``, SIGKILL it after ``timeout_s``; wait until it is gone.

    Raises:
        RegistryServerError: the group belongs to another user, or survives SIGKILL.
    """
    _signal_group(pgid, signal.SIGTERM)
    if _wait_until_gone(pgid, timeout_s):
        return
    logger.warning("process group %d did not stop within %g s of SIGTERM: SIGKILL", pgid, timeout_s)
    _signal_group(pgid, signal.SIGKILL)
    if not _wait_until_gone(pgid, _KILL_WAIT_S):
        raise RegistryServerError(f"the registry server (process group {pgid}) did not stop")


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass  # already gone
    except PermissionError as exc:
        raise RegistryServerError(
            f"cannot stop the registry server (process group {pgid}): permission denied"
        ) from exc


def _wait_until_gone(pgid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while _is_group_alive(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_INTERVAL_S)
    return True


def _is_group_alive(pgid: int) -> bool:
    _reap(pgid)  # a zombie leader of ours would keep the group "alive" forever
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not _PROC.joinpath("self", "stat").exists():
        return True
    # Zombies still answer killpg: a server whose parent is another live process (the
    # quickstart serving the API) stays a zombie until that parent exits. Gone is gone.
    return any(_is_live_member(entry.name, pgid) for entry in _PROC.iterdir())


def _is_live_member(name: str, pgid: int) -> bool:
    if not name.isdigit():
        return False
    stat = _read_stat(int(name))
    return (
        stat is not None and int(stat[_PGRP_INDEX]) == pgid and stat[_STATE_INDEX] not in ("Z", "X")
    )


def _reap(pid: int) -> None:
    with suppress(ChildProcessError):  # not our child: init collects it
        os.waitpid(pid, os.WNOHANG)


def _read_stat(pid: int) -> list[str] | None:
    try:
        raw = _PROC.joinpath(str(pid), "stat").read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces or ")".
    return raw[raw.rindex(")") + 2 :].split()


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
