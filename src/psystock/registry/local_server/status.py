"""What ``registry up``, ``down`` and ``status`` report about the server of one home."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ServerStatus:
    """What runs (or would run) from one psystock home.

    Attributes:
        url: the server's URL for clients on this machine.
        backend_store_uri: the backend store, password hidden.
        artifacts_destination: where the server stores artifacts.
        pid_file: the pid file of this home.
        log_file: the server's log.
        is_running: a process started by psystock from this home runs.
        is_healthy: ``/health`` answers at ``url``.
        pid: the server's process id (also its process group), when running or just stopped.
        started_at: when it was started (ISO 8601), when known.
        was_already_running: ``start_server`` found it running and started nothing.
        stale_pid: the pid named by a stale pid file that was found and removed.
        stale_reason: why that pid file was stale.
    """

    url: str
    backend_store_uri: str
    artifacts_destination: str
    pid_file: Path
    log_file: Path
    is_running: bool
    is_healthy: bool
    pid: int | None = None
    started_at: str | None = None
    was_already_running: bool = False
    stale_pid: int | None = None
    stale_reason: str | None = None

    @property
    def ui_url(self) -> str:
        """The MLflow UI's page of registered models."""
        return f"{self.url}/#/models"

    def to_json(self) -> dict[str, Any]:
        """The status as JSON-ready values."""
        return {
            "url": self.url,
            "ui_url": self.ui_url,
            "running": self.is_running,
            "healthy": self.is_healthy,
            "pid": self.pid,
            "started_at": self.started_at,
            "backend_store_uri": self.backend_store_uri,
            "artifacts_destination": self.artifacts_destination,
            "pid_file": str(self.pid_file),
            "log_file": str(self.log_file),
            "stale_pid": self.stale_pid,
            "stale_reason": self.stale_reason,
        }
