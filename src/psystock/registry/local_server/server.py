"""The local MLflow registry server: start it in the background, stop it, say how it is.

``start_server`` runs ``python -m mlflow server`` (tracking, model registry and proxied artifact
serving, the book's local "gradflow-light") in its own session, records it in
``HOME/registry.pid`` and waits until ``/health`` answers. ``stop_server`` stops exactly that
process group. ``server_status`` says what runs, where, and whether it answers. Before starting,
the port and the backend database are checked, so each problem gets a one-line error.
"""

from __future__ import annotations

import logging
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from psystock.errors import RegistryServerError
from psystock.registry._httpx import httpx
from psystock.registry._tls import tls_context
from psystock.registry._uris import redact_uri, server_url
from psystock.registry.local_server.backend import check_backend_store
from psystock.registry.local_server.command import build_server_command, build_server_environment
from psystock.registry.local_server.pidfile import (
    PID_FILE_NAME,
    PidFileCheck,
    PidRecord,
    check_pid_file,
    locked_pid_file,
    remove_pid_file,
    write_pid_file,
)
from psystock.registry.local_server.ports import is_port_in_use
from psystock.registry.local_server.process import create_time, spawn_in_new_session, stop_group
from psystock.registry.local_server.serverlog import LOG_FILE_NAME, last_meaningful_line
from psystock.registry.local_server.status import ServerStatus
from psystock.settings import Settings

logger = logging.getLogger(__name__)

HEALTH_PATH = "/health"
_POLL_INTERVAL_S = 0.25
_PROGRESS_INTERVAL_S = 5.0
_HEALTH_TIMEOUT_S = 2.0


def start_server(settings: Settings) -> ServerStatus:
    """Start the local registry server in the background and wait until it answers.

    Idempotent: when the server of this home already runs with the same settings, nothing is
    started and the status says ``was_already_running``. A stale pid file is removed first.

    Raises:
        RegistryServerError: the port is in use, the backend store is unreachable, the server
            of this home runs with other settings, or the server exited or did not answer
            during start-up (the message quotes its log).
    """
    home = settings.home
    home.mkdir(parents=True, exist_ok=True)
    with locked_pid_file(home / PID_FILE_NAME):
        return _start_locked(settings, home)


def _start_locked(settings: Settings, home: Path) -> ServerStatus:
    check = check_pid_file(home / PID_FILE_NAME)
    if check.record is not None:
        _ensure_same_server(check.record, settings)
        logger.info("the registry is already running (pid %d)", check.record.pid)
        return _status_of(check.record, home, check, was_already_running=True)
    if check.stale_reason:
        logger.warning(
            "removed the stale pid file %s: %s", home / PID_FILE_NAME, check.stale_reason
        )
    registry = settings.registry
    if is_port_in_use(registry.host, registry.port):
        raise RegistryServerError(
            f"port {registry.port} on {registry.host} is already in use: "
            "pass --port with a free port, or stop what listens there",
            port=registry.port,
        )
    check_backend_store(settings.backend_store_uri, registry.backend_connect_timeout_s)
    process, record, log_offset = _spawn(settings, home)
    try:
        _wait_until_healthy(process, record, registry.start_timeout_s, log_offset)
    except BaseException:  # Ctrl-C included: never leave a half-started server behind
        stop_group(record.pid, registry.stop_timeout_s)
        remove_pid_file(home / PID_FILE_NAME)
        raise
    logger.info("the registry answers at %s", server_url(record.host, record.port))
    return _status_of(record, home, check)


def stop_server(settings: Settings) -> ServerStatus:
    """Stop the server started from this home (its whole process group) and remove the pid file.

    SIGTERM first; SIGKILL after ``registry.stop_timeout_s``. When nothing runs, nothing is
    signalled; a stale pid file is removed and reported in the status.

    Raises:
        RegistryServerError: the process group cannot be signalled or does not stop.
    """
    home = settings.home
    check = check_pid_file(home / PID_FILE_NAME)
    if check.record is None:
        return _status_without_server(settings, home, check, should_check_health=False)
    stop_group(check.record.pid, settings.registry.stop_timeout_s)
    remove_pid_file(home / PID_FILE_NAME)
    logger.info("stopped the registry (pid %d)", check.record.pid)
    return _status_of(check.record, home, check, is_running=False)


def server_status(settings: Settings) -> ServerStatus:
    """What runs from this home and whether it answers; a stale pid file is removed."""
    home = settings.home
    check = check_pid_file(home / PID_FILE_NAME)
    if check.record is None:
        return _status_without_server(settings, home, check)
    return _status_of(check.record, home, check)


def is_healthy(url: str) -> bool:
    """Whether an MLflow server answers ``GET /health`` with 200 at ``url``."""
    try:
        response = httpx.get(
            f"{url}{HEALTH_PATH}",
            timeout=_HEALTH_TIMEOUT_S,
            trust_env=False,
            verify=tls_context(url),
        )
    except httpx.HTTPError:
        return False
    return response.status_code == httpx.codes.OK


def _spawn(settings: Settings, home: Path) -> tuple[subprocess.Popen[bytes], PidRecord, int]:
    """Start the server in its own session, its output appended to the log."""
    command = build_server_command(settings)
    environment = build_server_environment(settings, os.environ)
    log_file = home / LOG_FILE_NAME
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    with log_file.open("ab") as log:
        log.write(f"--- psystock registry up at {started_at}: {' '.join(command)}\n".encode())
        log.flush()
        offset = log.tell()
        process = spawn_in_new_session(command, environment, log)
    pid = process.pid
    record = PidRecord(
        pid=pid,
        host=settings.registry.host,
        port=settings.registry.port,
        backend_store_uri=redact_uri(settings.backend_store_uri),
        artifacts_destination=settings.artifacts_destination,
        log_file=str(log_file),
        started_at=started_at,
        create_time=create_time(pid),
    )
    write_pid_file(home / PID_FILE_NAME, record)
    url = server_url(record.host, record.port)
    logger.info(
        "starting the registry at %s (pid %d, backend %s, log %s)",
        url,
        pid,
        record.backend_store_uri,
        log_file,
    )
    return process, record, offset


def _wait_until_healthy(
    process: subprocess.Popen[bytes], record: PidRecord, timeout_s: float, log_offset: int
) -> None:
    url = server_url(record.host, record.port)
    log_file = Path(record.log_file)
    started = time.monotonic()
    next_progress = started + _PROGRESS_INTERVAL_S
    while True:
        code = process.poll()
        if code is not None:
            line = last_meaningful_line(log_file, log_offset) or "no output"
            raise RegistryServerError(
                f"the registry server exited during start-up (exit code {code}): "
                f"{line} (log: {log_file})"
            )
        if is_healthy(url):
            return
        elapsed = time.monotonic() - started
        if elapsed > timeout_s:
            line = last_meaningful_line(log_file, log_offset) or "no output"
            raise RegistryServerError(
                f"the registry server at {url} did not answer within {timeout_s:g} s; "
                f"last log line: {line} (log: {log_file})"
            )
        if time.monotonic() >= next_progress:
            logger.info("waiting for the registry at %s to answer (%.0f s)", url, elapsed)
            next_progress += _PROGRESS_INTERVAL_S
        time.sleep(_POLL_INTERVAL_S)


def _ensure_same_server(record: PidRecord, settings: Settings) -> None:
    wanted = {
        "host": settings.registry.host,
        "port": settings.registry.port,
        "backend": redact_uri(settings.backend_store_uri),
        "artifacts": settings.artifacts_destination,
    }
    found = {
        "host": record.host,
        "port": record.port,
        "backend": record.backend_store_uri,
        "artifacts": record.artifacts_destination,
    }
    differences = [
        f"{key} {found[key]} (asked: {wanted[key]})" for key in wanted if found[key] != wanted[key]
    ]
    if differences:
        raise RegistryServerError(
            f"the registry of {settings.home} is already running at "
            f"{server_url(record.host, record.port)} (pid {record.pid}) with "
            f"{', '.join(differences)}: run `psystock registry down` first to change them"
        )


def _status_of(
    record: PidRecord,
    home: Path,
    check: PidFileCheck,
    *,
    is_running: bool = True,
    was_already_running: bool = False,
) -> ServerStatus:
    url = server_url(record.host, record.port)
    return ServerStatus(
        url=url,
        backend_store_uri=record.backend_store_uri,
        artifacts_destination=record.artifacts_destination,
        pid_file=home / PID_FILE_NAME,
        log_file=Path(record.log_file),
        is_running=is_running,
        is_healthy=is_running and is_healthy(url),
        pid=record.pid,
        started_at=record.started_at,
        was_already_running=was_already_running,
        stale_pid=check.stale_pid,
        stale_reason=check.stale_reason,
    )


def _status_without_server(
    settings: Settings, home: Path, check: PidFileCheck, *, should_check_health: bool = True
) -> ServerStatus:
    url = server_url(settings.registry.host, settings.registry.port)
    return ServerStatus(
        url=url,
        backend_store_uri=redact_uri(settings.backend_store_uri),
        artifacts_destination=settings.artifacts_destination,
        pid_file=home / PID_FILE_NAME,
        log_file=home / LOG_FILE_NAME,
        is_running=False,
        is_healthy=should_check_health and is_healthy(url),
        stale_pid=check.stale_pid,
        stale_reason=check.stale_reason,
    )
