"""Progress of a batch job: a rich progress bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType
from typing import Any

logger = logging.getLogger(__name__)


class JobProgress:
    """Reports rows scored so far, by input bytes when the input size is known."""

    def __init__(
        self, total_bytes: int | None, interval_s: float, *, is_tty: bool | None = None
    ) -> None:
        self.total_bytes = total_bytes
        self.interval_s = interval_s
        self.is_tty = sys.stderr.isatty() if is_tty is None else is_tty
        self._bar: Any = None
        self._task: Any = None
        self._started = time.monotonic()
        self._last_log = self._started

    def __enter__(self) -> JobProgress:
        if self.is_tty:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("scoring"),
                BarColumn(),
                TextColumn("{task.fields[rows]:,} rows"),
                TextColumn("{task.fields[bad]:,} quarantined"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
            self._task = self._bar.add_task("scoring", total=self.total_bytes, rows=0, bad=0)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, traceback)

    def update(self, rows: int, quarantined: int, bytes_read: int) -> None:
        """Show the counts so far."""
        if self._bar is not None:
            self._bar.update(self._task, completed=bytes_read, rows=rows, bad=quarantined)
            return
        now = time.monotonic()
        if now - self._last_log >= self.interval_s:
            self._last_log = now
            rate = rows / max(now - self._started, 1e-9)
            share = f" ({bytes_read / self.total_bytes:.0%} of input)" if self.total_bytes else ""
            logger.info(
                "scored %d rows%s, %d quarantined, %.0f rows/s", rows, share, quarantined, rate
            )
