"""Logging set-up: one format for every command, on stderr."""

from __future__ import annotations

import logging
import sys
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes to whatever ``sys.stderr`` is at the time of each record.

    Holding the stream seen at set-up would write into a closed stream once a caller (a test's
    capture, a redirect) swaps ``sys.stderr``.
    """

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """Ignore the stream ``StreamHandler.__init__`` sets."""


def configure_logging(level: str = "INFO") -> None:
    """Send psystock's log records to stderr at ``level``; keep other libraries at WARNING."""
    root = logging.getLogger()
    if not any(isinstance(handler, _StderrHandler) for handler in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"))
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("psystock").setLevel(level)
