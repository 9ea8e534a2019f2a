"""The quarantine side file: one line per bad row, with its row number, reason and text.

Columns: ``row`` (1-based data row, as in error messages), ``reason`` (the error message
without the row part, e.g. ``column 7: expected a number, got 'x'``) and ``raw`` (the row as
read). It is written through an ``AtomicFile`` like the output.
"""

from __future__ import annotations

import csv
from typing import IO

from psystock.batch.atomic import AtomicFile

COLUMNS = ("row", "reason", "raw")


class QuarantineFile:
    """Bad rows written as CSV to an atomic file."""

    def __init__(self, target: str, *, overwrite: bool) -> None:
        self.file = AtomicFile(target, overwrite=overwrite)
        self._handle: IO[str] = self.file.temp.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self._writer.writerow(COLUMNS)
        self.count = 0

    def add(self, row: int, reason: str, raw: str) -> None:
        """Record one bad row."""
        self._writer.writerow((row, reason, raw))
        self.count += 1

    def commit(self) -> None:
        """Move the file into place."""
        self._handle.close()
        self.file.commit()

    def discard(self) -> None:
        """Drop the file."""
        self._handle.close()
        self.file.discard()


def reason_of(message: str, row: int) -> str:
    """``message`` without its leading ``row N, `` / ``row N: `` part."""
    for prefix in (f"row {row}, ", f"row {row}: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message
