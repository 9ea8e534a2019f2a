"""The quarantine side file: one line per bad row, with its row number, reason and text.

Columns: ``row`` (1-based data row, as in error messages), ``reason`` (the error message
without the row part, e.g. ``column 7: expected a number, got 'x'``) and ``raw`` (the row as
read). It is written through an ``AtomicFile`` like the output.
"""

from __future__ import annotations

import contextlib
import csv
from typing import IO

from psystock.batch.atomic import AtomicFile, writing

COLUMNS = ("row", "reason", "raw")


class QuarantineFile:
    """Bad rows written as CSV to an atomic file."""

    def __init__(self, target: str, *, overwrite: bool) -> None:
        self.target = target
        self.file = AtomicFile(target, overwrite=overwrite)
        self._handle: IO[str] = self.file.temp.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self.count = 0
        with writing(target):
            self._writer.writerow(COLUMNS)

    def add(self, row: int, reason: str, raw: str) -> None:
        """Record one bad row.

        Raises:
            OutputError: the disk is full, or another I/O error.
        """
        with writing(self.target):
            self._writer.writerow((row, reason, raw))
        self.count += 1

    def commit(self) -> None:
        """Move the file into place."""
        with writing(self.target):
            self._handle.close()
        self.file.commit()

    def discard(self) -> None:
        """Drop the file (its unwritten rows too)."""
        with contextlib.suppress(OSError):  # a full disk cannot take the last rows: no matter
            self._handle.close()
        self.file.discard()


def reason_of(message: str, row: int) -> str:
    """``message`` without its leading ``row N, `` / ``row N: `` part."""
    for prefix in (f"row {row}, ", f"row {row}: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message
