"""The local registry server behind ``psystock registry up|down|status``.

One ``mlflow server`` per psystock home, started in its own session (``subprocess``), recorded
in a pid file with its create time, watched and stopped as a process group (``psutil``).
"""

from __future__ import annotations

from psystock.registry.local_server.server import (
    is_healthy,
    server_status,
    start_server,
    stop_server,
)
from psystock.registry.local_server.status import ServerStatus

__all__ = ["ServerStatus", "is_healthy", "server_status", "start_server", "stop_server"]
