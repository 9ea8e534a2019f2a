"""Score an opened input block by block into atomic output (and quarantine) files.

``score_source`` runs the job's loop as a pipeline: this thread reads and parses the next
blocks and writes the scored ones in input order while worker threads score
(``psystock.scoring.score_arrow``: prepare, predict, decide, assemble). A model that predicts
safely from several threads (XGBoost) gets one worker per CPU, each predicting on one
thread; others get one worker. The files appear only when every row is accounted for
(rows in = rows out + quarantined).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import IO

from psystock.batch.atomic import AtomicFile, writing
from psystock.batch.parallel import ordered_map
from psystock.batch.progress import JobProgress
from psystock.batch.quarantine import QuarantineFile, reason_of
from psystock.batch.source import Source, SourceBatch
from psystock.batch.writers import OutputWriter, open_writer
from psystock.errors import PsystockError, SchemaError
from psystock.plots.histogram import ProbabilityHistogram
from psystock.scoring import LoadedModel, ScoredBatch, score_arrow

logger = logging.getLogger(__name__)

MAX_WORKERS = 8
"""Most scoring threads (each holds a few blocks: memory grows with them)."""


@dataclass(frozen=True)
class OutputPlan:
    """Where and how the job writes.

    Attributes:
        target: the output path, or ``-`` for stdout.
        output_format: ``csv`` or ``parquet``.
        quarantine: the quarantine path when bad rows are set aside, else None.
        overwrite: whether existing files may be replaced.
        keep_text: copy input columns as text (CSV to CSV), when every column feeds the
            model (see ``CsvSource``).
        stdout: the stream ``-`` writes to (default: the process's stdout).
    """

    target: str
    output_format: str
    quarantine: str | None
    overwrite: bool
    keep_text: bool = False
    stdout: IO[bytes] | None = None


@dataclass
class Counts:
    """Rows seen so far, and the distribution of their probabilities."""

    rows_in: int = 0
    rows_out: int = 0
    quarantined: int = 0
    positives: int = 0
    histogram: ProbabilityHistogram = field(default_factory=ProbabilityHistogram)

    def add(self, batch: SourceBatch, scored: ScoredBatch) -> None:
        """Count one scored batch."""
        self.rows_in += batch.rows_in
        self.rows_out += scored.rows_out
        self.quarantined += len(scored.rejected) + len(batch.invalid)
        self.positives += int(scored.decisions.sum())
        self.histogram.add(scored.probabilities)


class BlockScorer:
    """Scores one batch of a source (called from the worker threads)."""

    def __init__(
        self,
        source: Source,
        model: LoadedModel,
        threshold: float,
        *,
        collect: bool,
        keep_text: bool,
    ) -> None:
        self.source = source
        self.model = model
        self.threshold = threshold
        self.collect = collect
        self.keep_text = keep_text and source.as_text
        self.workers = 1
        if model.is_thread_safe:
            self.workers = min(_usable_cpus(), MAX_WORKERS)
            model.limit_threads(1)

    def __call__(self, batch: SourceBatch) -> tuple[SourceBatch, ScoredBatch]:
        """The batch scored, its output table built.

        Raises:
            SchemaError: without ``collect``, the bad row (value or column count) that comes
                first.
        """
        try:
            scored = score_arrow(
                self.model,
                batch.table,
                self.threshold,
                positional=self.source.positional,
                row_numbers=batch.row_numbers,
                collect=self.collect,
                keep_text=self.keep_text,
            )
        except SchemaError as exc:
            raise first_error(exc, batch) from None
        if batch.invalid and not self.collect:
            raise first_error(None, batch)
        scored.table  # noqa: B018  (built here, in a worker thread)
        return batch, scored


def score_source(scorer: BlockScorer, plan: OutputPlan, log_interval_s: float) -> Counts:
    """Score every batch of the scorer's source into the plan's files.

    Raises:
        SchemaError: a bad row (without quarantine), or no rows at all.
    """
    output = AtomicFile(plan.target, overwrite=plan.overwrite, stdout=plan.stdout)
    quarantine: QuarantineFile | None = None
    writer: OutputWriter | None = None
    counts = Counts()
    source = scorer.source
    depth = scorer.workers + 2
    try:
        if plan.quarantine:
            quarantine = QuarantineFile(plan.quarantine, overwrite=plan.overwrite)
        with JobProgress(source.total_bytes, log_interval_s) as progress:
            for batch, scored in ordered_map(scorer, source.batches(), scorer.workers, depth):
                with writing(plan.target):
                    if writer is None:
                        writer = open_writer(
                            plan.output_format,
                            output.temp,
                            scored.table.schema,
                            as_text=scorer.keep_text,
                        )
                    writer.write(scored.table)
                if quarantine is not None:
                    _quarantine(source, batch, scored, quarantine)
                counts.add(batch, scored)
                progress.update(counts.rows_in, counts.quarantined, batch.bytes_read)
        if writer is None:
            raise SchemaError("at least one row", "a header and no rows")
        with writing(plan.target):
            writer.close()
        writer = None
        if counts.rows_in != counts.rows_out + counts.quarantined:  # never expected
            raise PsystockError(
                f"row count mismatch: {counts.rows_in} rows in, {counts.rows_out} out, "
                f"{counts.quarantined} quarantined"
            )
        output.commit()
        if quarantine is not None:
            quarantine.commit()
    except BaseException:
        _close_quietly(writer)
        output.discard()
        if quarantine is not None:
            quarantine.discard()
        raise
    return counts


def first_error(value_error: SchemaError | None, batch: SourceBatch) -> SchemaError:
    """The error of the lowest row: a bad value, or a row with the wrong column count."""
    if batch.invalid:
        first = batch.invalid[0]
        if value_error is None or value_error.row is None or first.row < value_error.row:
            return SchemaError(
                f"{first.expected_columns} columns", first.actual_columns, row=first.row
            )
    assert value_error is not None  # called with no invalid rows only for a value error
    return value_error


def _quarantine(
    source: Source, batch: SourceBatch, scored: ScoredBatch, quarantine: QuarantineFile
) -> None:
    for row, reason, raw in quarantine_entries(source, batch, scored):
        quarantine.add(row, reason, raw)


def quarantine_entries(
    source: Source, batch: SourceBatch, scored: ScoredBatch
) -> list[tuple[int, str, str]]:
    """The bad rows of a scored batch as ``(row, reason, raw)``, in row order."""
    entries = [
        (
            int(rejected.error.row or 0),
            reason_of(rejected.error.message, int(rejected.error.row or 0)),
            source.raw_row(batch, rejected.index),
        )
        for rejected in scored.rejected
    ]
    entries += [
        (row.row, f"expected {row.expected_columns} columns, got {row.actual_columns}", row.text)
        for row in batch.invalid
    ]
    return sorted(entries)


def _usable_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform tells)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _close_quietly(writer: OutputWriter | None) -> None:
    if writer is None:
        return
    try:
        writer.close()
    except Exception:  # the job's own error is the one to report
        logger.debug("closing the output after a failure failed too", exc_info=True)
