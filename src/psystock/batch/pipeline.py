"""Score an opened input batch by batch into atomic output (and quarantine) files.

``score_source`` runs the loop: each batch is mapped onto the model (bad rows stop the job,
or are set aside with ``collect``), scored, assembled into the output layout and written;
the files appear only when every row is accounted for (rows in = rows out + quarantined).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

import numpy as np

from psystock.batch.assemble import OutputAssembler
from psystock.batch.atomic import AtomicFile
from psystock.batch.fixed_width import output_lines
from psystock.batch.histogram import ProbabilityHistogram
from psystock.batch.progress import JobProgress
from psystock.batch.quarantine import QuarantineFile, reason_of
from psystock.batch.source import FixedWidthBatch, Source, SourceBatch
from psystock.batch.writers import OutputWriter, open_writer
from psystock.errors import PsystockError, SchemaError
from psystock.scoring.decision import decide, probabilities
from psystock.scoring.inputs import ModelInput
from psystock.scoring.model import LoadedModel

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)


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
    """Rows seen so far."""

    rows_in: int = 0
    rows_out: int = 0
    quarantined: int = 0
    positives: int = 0


class BatchScorer:
    """Scores one batch at a time and keeps the job's counts and histogram."""

    def __init__(
        self, source: Source, model: LoadedModel, threshold: float, plan: OutputPlan
    ) -> None:
        self.source = source
        self.model = model
        self.threshold = threshold
        self.keep_text = plan.keep_text and source.as_text
        self.assembler = OutputAssembler(
            source.names, source.plan, source.name, keep_text=self.keep_text
        )
        self.counts = Counts()
        self.histogram = ProbabilityHistogram()
        self._is_fast_path_open = True

    def score(
        self, batch: SourceBatch | FixedWidthBatch, quarantine: QuarantineFile | None
    ) -> pa.Table | bytes:
        """The output rows of ``batch``; bad rows raise, or go to ``quarantine`` when given.

        A fixed-width batch comes back as CSV lines (bytes) when the fast path takes it.
        """
        if isinstance(batch, FixedWidthBatch):
            lines = self._score_fixed_width(batch) if self._is_fast_path_open else None
            if lines is not None:
                return lines
            batch = self.source.to_arrow(batch)
        collect = quarantine is not None
        try:
            prepared = self.model.prepare_arrow(
                batch.table,
                positional=self.source.positional,
                row_numbers=batch.row_numbers,
                collect=collect,
            )
        except SchemaError as exc:
            raise first_error(exc, batch) from None
        if batch.invalid and quarantine is None:
            raise first_error(None, batch)
        if quarantine is not None:
            self._quarantine(batch, prepared.errors, prepared.bad_rows, quarantine)
        rows = prepared.prepared.n_rows
        scores = (
            probabilities(self.model.predict(prepared.prepared), rows)
            if rows
            else np.empty(0, dtype=np.float32)
        )
        decisions = decide(scores, self.threshold)
        self.histogram.add(scores)
        self.counts.rows_in += batch.rows_in
        self.counts.rows_out += rows
        self.counts.quarantined += len(prepared.errors) + len(batch.invalid)
        self.counts.positives += int(decisions.sum())
        return self.assembler.table(batch.table, prepared, decisions, scores)

    def _score_fixed_width(self, batch: FixedWidthBatch) -> bytes | None:
        """Output lines of a fixed-width batch, or None to take the general path.

        The general path is taken for any bad value (it names the row and column, or
        quarantines the row) and for probabilities outside [0, 1].
        """
        names = None if self.source.positional else self.source.names
        try:
            prepared = self.model.prepare(ModelInput(batch.rows.values, names))
        except SchemaError:
            return None
        scores = probabilities(self.model.predict(prepared), prepared.n_rows)
        decisions = decide(scores, self.threshold)
        lines = output_lines(batch.rows, decisions, scores)
        if lines is None:
            # Scores outside [0, 1] (a regressor): the general path formats them; stop
            # predicting each block twice.
            self._is_fast_path_open = False
        else:
            self.histogram.add(scores)
            self.counts.rows_in += batch.rows_in
            self.counts.rows_out += prepared.n_rows
            self.counts.positives += int(decisions.sum())
        return lines

    def _quarantine(
        self,
        batch: SourceBatch,
        errors: tuple[SchemaError, ...],
        bad_rows: tuple[int, ...],
        quarantine: QuarantineFile,
    ) -> None:
        entries = [
            (
                int(error.row or 0),
                reason_of(error.message, int(error.row or 0)),
                self.source.raw_row(batch, index),
            )
            for error, index in zip(errors, bad_rows, strict=True)
        ]
        entries += [
            (
                row.row,
                f"expected {row.expected_columns} columns, got {row.actual_columns}",
                row.text,
            )
            for row in batch.invalid
        ]
        for row, reason, raw in sorted(entries):
            quarantine.add(row, reason, raw)


def score_source(scorer: BatchScorer, plan: OutputPlan, log_interval_s: float) -> Counts:
    """Score every batch of the scorer's source into the plan's files.

    Raises:
        SchemaError: a bad row (without quarantine), or no rows at all.
    """
    output = AtomicFile(plan.target, overwrite=plan.overwrite, stdout=plan.stdout)
    quarantine = (
        QuarantineFile(plan.quarantine, overwrite=plan.overwrite) if plan.quarantine else None
    )
    writer: OutputWriter | None = None
    counts = scorer.counts
    try:
        with JobProgress(scorer.source.total_bytes, log_interval_s) as progress:
            for batch in scorer.source.batches():
                scored = scorer.score(batch, quarantine)
                if writer is None:
                    schema = scorer.assembler.schema
                    assert schema is not None  # set up front in text mode, else by the 1st table
                    writer = open_writer(
                        plan.output_format, output.temp, schema, quote=not scorer.keep_text
                    )
                if isinstance(scored, bytes):
                    writer.write_lines(scored)
                else:
                    writer.write(scored)
                progress.update(counts.rows_in, counts.quarantined, batch.bytes_read)
        if writer is None:
            raise SchemaError("at least one row", "a header and no rows")
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


def _close_quietly(writer: OutputWriter | None) -> None:
    if writer is None:
        return
    try:
        writer.close()
    except Exception:  # the job's own error is the one to report
        logger.debug("closing the output after a failure failed too", exc_info=True)
