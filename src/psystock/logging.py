"""Logging set-up: one format for every command, on stderr."""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Send psystock's log records to stderr at ``level``; keep noisy libraries quieter."""
    root = logging.getLogger()
    if not any(getattr(handler, "_psystock", False) for handler in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"))
        handler._psystock = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("psystock").setLevel(level)
