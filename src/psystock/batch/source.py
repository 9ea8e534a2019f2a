"""What every input reader yields: a batch of rows parsed into Arrow, with their row numbers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class InvalidRow:
    """A row with the wrong number of columns, set aside by the reader."""

    row: int
    """1-based data row number (the header and blank lines are not counted)."""
    expected_columns: int
    actual_columns: int
    text: str
    """The row as it appeared in the input."""


@dataclass(frozen=True)
class SourceBatch:
    """Rows read from the input in one go.

    Attributes:
        table: the rows that have the right number of columns.
        row_numbers: the 1-based data row number of each row of ``table``.
        invalid: rows with the wrong number of columns, in input order.
        bytes_read: input bytes consumed so far (for progress), 0 when unknown.
    """

    table: pa.Table
    row_numbers: np.ndarray
    invalid: tuple[InvalidRow, ...] = field(default_factory=tuple)
    bytes_read: int = 0

    @property
    def rows_in(self) -> int:
        """Data rows read in this batch, good or bad."""
        return int(self.table.num_rows) + len(self.invalid)


class Source(Protocol):
    """An input opened for reading: its column names, layout and batches."""

    name: str
    """The input as messages name it (a path, or ``stdin``)."""
    names: tuple[str, ...]
    """The input's column names (``"0"``, ``"1"``... for a headerless CSV)."""
    positional: bool
    """Whether columns map onto the model by position (no header)."""
    total_bytes: int | None
    """Input size for progress, None when unknown (stdin, a pipe)."""
    as_text: bool
    """Whether the input columns are CSV text to be copied to a CSV output as they were."""

    def batches(self) -> Iterator[SourceBatch]:
        """The input's rows, batch by batch."""
        ...

    def raw_row(self, batch: SourceBatch, index: int) -> str:
        """Row ``index`` of ``batch`` as text, for the quarantine file."""
        ...
