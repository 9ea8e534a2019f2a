"""What runs in the executors: score a partition's Arrow batches with the shipped model.

``score_partition`` is the function ``mapInArrow`` calls for each partition. It reads each
batch the way the local engine reads a block, with the local engine's code: a CSV input
arrives as lines of text (Spark's ``text`` source) and goes through ``CsvSource`` (header
rule, fixed-width fast path, wrong column counts), Parquet or DataFrame columns arrive typed;
both are scored by the batch job's ``BlockScorer`` (``score_arrow``), so values are checked
and bad rows described exactly as in the local engine.

Rows are numbered within their input split (a file, or a block of one, tagged on every row
by the driver as ``FILE_KEY`` and ``BLOCK``; ``BLOCK`` only when the input is one file, whose
key is then 0): a split is read by exactly one task, in order,
so the driver turns a split's row N into the file's row by adding the rows of the splits
before it. Each task reports what it did per split (``Counts``) through an accumulator keyed
by split, so a retried task replaces its own figures instead of adding to them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.batch.csv_source import CsvSource
from psystock.batch.parquet_source import json_row
from psystock.batch.pipeline import BlockScorer, Counts, quarantine_entries
from psystock.batch.source import Source, SourceBatch
from psystock.batch.writers import CsvText
from psystock.errors import PsystockError, SchemaError
from psystock.scoring.arrow_arrays import numpy_values
from psystock.scoring.model import LoadedModel
from psystock.spark.remote_errors import RemoteError, rebuilt
from psystock.spark.shipping import ShippedModel, load_shipped

if TYPE_CHECKING:
    import pyarrow as pa

FILE_KEY = "_psystock_file"
"""Column tagging each row with its file (Spark's ``hash`` of the file's path)."""
BLOCK = "_psystock_block"
"""Column tagging each row with the start of its split in the file (bytes)."""
PATH = "_psystock_path"
"""Column with the file's path (only when the bad rows are gathered: it is long)."""
LINE = "value"
"""The column of Spark's ``text`` source."""
METADATA = (FILE_KEY, BLOCK, PATH)
_NEWLINE = 10

Split = tuple[int, int]
"""An input split: (file key, block start)."""


@dataclass(frozen=True)
class CsvLayout:
    """How CSV lines are read.

    Attributes:
        header: the header line (ending in a newline) when the input has one, else None.
        by_position: map the columns by position even with a header (``--by-position``).
    """

    header: bytes | None
    by_position: bool = False


@dataclass(frozen=True)
class WorkerJob:
    """Everything a task needs, shipped with the function.

    Attributes:
        model: the broadcast model.
        threshold: a probability above it is prediction 1.
        schema: the Arrow schema of the batches returned (``emit_rejected``: ``REJECTED``).
        csv: how to read lines of CSV; None when the columns arrive typed.
        collect: set bad rows aside (quarantine) instead of failing at the first.
        emit_rejected: return the bad rows (``REJECTED`` columns) instead of the scored rows.
        counts: the accumulator of per-split ``Counts``; None to report nothing.
        csv_lines: return CSV text instead of typed columns (``lines_schema``): the local engine's
            lines, the header first in each task, one value per block (what Spark's ``text``
            source writes as it is).
        tag_errors: raise ``RemoteError`` for the driver to renumber (the engine) rather
            than the error itself with the partition named (the DataFrame API).
        positional: map typed columns by position (``--by-position``), not by name.
    """

    model: ShippedModel
    threshold: float
    schema: pa.Schema
    csv: CsvLayout | None = None
    collect: bool = False
    emit_rejected: bool = False
    counts: Any = None
    csv_lines: bool = False
    tag_errors: bool = True
    positional: bool = False


@dataclass
class SplitState:
    """What a task has read of one split so far."""

    chunks: int = 0
    counts: Counts = field(default_factory=Counts)


def rejected_schema() -> pa.Schema:
    """The columns of the bad rows the quarantine pass returns."""
    import pyarrow as pa

    return pa.schema(
        [
            (PATH, pa.string()),
            (FILE_KEY, pa.int32()),
            (BLOCK, pa.int64()),
            ("row", pa.int64()),
            ("reason", pa.string()),
            ("raw", pa.string()),
        ]
    )


def lines_schema() -> pa.Schema:
    """The one text column of ``csv_lines`` batches (the column of Spark's ``text`` source)."""
    import pyarrow as pa

    return pa.schema([(LINE, pa.string())])


def score_partition(job: WorkerJob, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Score one partition's batches (``mapInArrow``'s function, with ``job`` bound)."""
    model = load_shipped(job.model)
    lines = TaskLines(job.schema) if job.csv_lines else None
    states: dict[Split, SplitState] = {}
    for record_batch in batches:
        for split, piece in _pieces(record_batch):
            state = states.setdefault(split, SplitState())
            try:
                for table in _score_piece(job, model, split, state, piece):
                    if lines is None:
                        yield from table.to_batches()
                    elif table.num_rows:
                        yield lines.batch(table)
            except PsystockError as exc:
                raise _for_driver(job, exc, split) from None
            state.chunks += 1
    if job.counts is not None and states:
        job.counts.add({split: state.counts for split, state in states.items()})


def _for_driver(job: WorkerJob, error: PsystockError, split: Split) -> Exception:
    if job.tag_errors:
        return RemoteError(error, split)
    return rebuilt(type(error), f"partition {split[0]}, {error.message}", error)


def _pieces(batch: pa.RecordBatch) -> Iterator[tuple[Split, pa.RecordBatch]]:
    """The batch cut where its split changes (a task may read several small files)."""
    names = batch.schema.names
    if BLOCK not in names:
        from pyspark import TaskContext

        context = TaskContext.get()
        yield (context.partitionId() if context is not None else 0, 0), batch
        return
    blocks = numpy_values(batch.column(names.index(BLOCK)))
    if FILE_KEY in names:
        files = numpy_values(batch.column(names.index(FILE_KEY)))
    else:  # one file: its key is 0
        files = np.zeros(len(blocks), dtype=np.int32)
    changes = np.flatnonzero((files[1:] != files[:-1]) | (blocks[1:] != blocks[:-1])) + 1
    for start, end in pairwise([0, *changes.tolist(), batch.num_rows]):
        yield (int(files[start]), int(blocks[start])), batch.slice(start, end - start)


def _score_piece(
    job: WorkerJob, model: LoadedModel, split: Split, state: SplitState, piece: pa.RecordBatch
) -> Iterator[pa.Table]:
    if job.csv is not None:
        read = _read_csv(job.csv, model, split, state, piece)
    else:
        read = _read_arrow(piece, job.positional)
    if read is None:
        return
    source, local = read
    rows_before = state.counts.rows_in
    batch = _shifted(local, rows_before)
    scorer = BlockScorer(source, model, job.threshold, collect=job.collect, keep_text=False)
    batch, scored = scorer(batch)
    state.counts.add(batch, scored)
    if job.emit_rejected:
        yield _rejected_batch(job, split, piece, quarantine_entries(source, batch, scored))
        return
    yield _conformed(scored.table, job.schema).cast(job.schema)


class TaskLines:
    """A task's scored rows as CSV text, the local engine's lines, the header first."""

    def __init__(self, schema: pa.Schema) -> None:
        self._text = CsvText(schema)
        self._header: bytes = self._text.header

    def batch(self, table: pa.Table) -> pa.RecordBatch:
        """One text value: the table's lines without the last newline (Spark adds it)."""
        import pyarrow as pa

        text = self._header + self._text.lines(table)
        self._header = b""
        offsets = np.array([0, len(text) - 1], dtype=np.int32)
        value = pa.Array.from_buffers(
            pa.string(), 1, [None, pa.py_buffer(offsets), pa.py_buffer(text)]
        )
        return pa.RecordBatch.from_arrays([value], schema=lines_schema())


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table``'s columns in the output's order (a directory's files may order them apart).

    Raises:
        SchemaError: the file's columns are not the first file's.
    """
    names = schema.names
    if table.schema.names == names:
        return table
    if sorted(table.schema.names) != sorted(names):
        raise SchemaError(f"the columns {', '.join(names)}", f"{', '.join(table.schema.names)}")
    return table.select(names)


def _read_csv(
    layout: CsvLayout, model: LoadedModel, split: Split, state: SplitState, piece: pa.RecordBatch
) -> tuple[Source, SourceBatch] | None:
    """Lines of CSV as the local engine reads a block, rows numbered from 1."""
    text = joined_lines(piece.column(piece.schema.names.index(LINE)))
    starts_file = split[1] == 0 and state.chunks == 0
    if layout.header is not None and not starts_file:
        text = layout.header + text  # the file's own header is in its first chunk only
    if not text.strip():
        return None
    source = CsvSource(
        io.BytesIO(text),
        "input",
        model,
        len(text) + 1,
        header=layout.header is not None,
        by_position=layout.by_position,
    )
    batches = list(source.batches())
    return (source, batches[0]) if batches else None


def _read_arrow(piece: pa.RecordBatch, positional: bool) -> tuple[Source, SourceBatch]:
    import pyarrow as pa

    table = pa.Table.from_batches([piece])
    table = table.drop_columns([name for name in METADATA if name in table.schema.names])
    numbers = np.arange(1, table.num_rows + 1)
    source = ArrowSource(tuple(table.schema.names), positional)
    return source, SourceBatch(table, numbers)


def _shifted(batch: SourceBatch, rows_before: int) -> SourceBatch:
    """``batch`` with its rows numbered after ``rows_before`` rows of the same split."""
    if not rows_before:
        return batch
    return replace(
        batch,
        row_numbers=batch.row_numbers + rows_before,
        invalid=tuple(replace(row, row=row.row + rows_before) for row in batch.invalid),
    )


def _rejected_batch(
    job: WorkerJob, split: Split, piece: pa.RecordBatch, entries: list[tuple[int, str, str]]
) -> pa.Table:
    import pyarrow as pa

    names = piece.schema.names
    path = piece.column(names.index(PATH))[0].as_py() if PATH in names else ""
    count = len(entries)
    return pa.Table.from_arrays(
        [
            pa.array([path] * count, pa.string()),
            pa.array([split[0]] * count, pa.int32()),
            pa.array([split[1]] * count, pa.int64()),
            pa.array([row for row, _, _ in entries], pa.int64()),
            pa.array([reason for _, reason, _ in entries], pa.string()),
            pa.array([raw for _, _, raw in entries], pa.string()),
        ],
        schema=job.schema,
    )


def joined_lines(lines: Any) -> bytes:
    """An Arrow string array of lines as bytes, each line followed by a newline."""
    count = len(lines)
    if count == 0:
        return b""
    width = 8 if str(lines.type) == "large_string" else 4
    offsets = np.frombuffer(
        lines.buffers()[1],
        dtype=np.int64 if width == 8 else np.int32,
        count=count + 1,
        offset=lines.offset * width,
    )
    start, end = int(offsets[0]), int(offsets[-1])
    data = lines.buffers()[2]
    body = np.frombuffer(data, dtype=np.uint8)[start:end] if data is not None else np.empty(0)
    lengths = np.diff(offsets)
    if (lengths == lengths[0]).all():  # fixed-width lines: one reshape
        lines_out = np.empty((count, int(lengths[0]) + 1), dtype=np.uint8)
        lines_out[:, :-1] = body.reshape(count, -1)
        lines_out[:, -1] = _NEWLINE
        return lines_out.tobytes()
    out = np.empty(len(body) + count, dtype=np.uint8)
    newlines = (offsets[1:] - start).astype(np.int64) + np.arange(count, dtype=np.int64)
    keep = np.ones(len(out), dtype=bool)
    keep[newlines] = False
    out[keep] = body
    out[newlines] = _NEWLINE
    return out.tobytes()


class ArrowSource:
    """Typed columns (Parquet, a DataFrame) as a ``Source``: mapped by name (or position)."""

    name: str = "input"
    total_bytes: int | None = None
    as_text: bool = False

    def __init__(self, names: tuple[str, ...], positional: bool = False) -> None:
        self.names = names
        self.positional = positional

    def batches(self) -> Iterator[SourceBatch]:
        """Not used: the batches come from Spark."""
        return iter(())

    def raw_row(self, batch: SourceBatch, index: int) -> str:
        """The row as a JSON object, as the local engine writes a Parquet row."""
        return json_row(batch.table, index)
