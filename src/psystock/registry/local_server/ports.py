"""Whether a TCP port is free to listen on, checked before a server is started."""

from __future__ import annotations

import errno
import socket


def is_port_in_use(host: str, port: int) -> bool:
    """Whether binding ``host:port`` fails because something already listens there.

    The check binds the way servers do (``SO_REUSEADDR``, so a port in ``TIME_WAIT`` counts as
    free) and releases the port at once.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False
