"""The batch scoring job: read, score and write chunk by chunk, atomically, every row counted.

``run_batch(settings, source, target)`` is the whole job (the CLI and the quickstart call
it). The model comes from ``settings.scoring`` (reference and threshold), the error policy,
chunk size and experiment from ``settings.batch``.

- Bad rows (a value that is not a number, a wrong column count): with ``on_error="fail"``
  the job stops at the first one, ``row N, column C: expected ..., got ...``, and writes
  nothing; with ``"quarantine"`` they go to the quarantine file with their reason and the
  good rows are scored. Always ``rows_in == rows_out + rows_quarantined``.
- An empty input (or a header and no rows) is an error.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from psystock.batch.assemble import OutputAssembler
from psystock.batch.atomic import STDOUT, AtomicFile, check_writable
from psystock.batch.histogram import ProbabilityHistogram
from psystock.batch.inputs import open_source
from psystock.batch.progress import JobProgress
from psystock.batch.quarantine import QuarantineFile, reason_of
from psystock.batch.recording import JobRecord
from psystock.batch.report import BatchReport
from psystock.batch.source import Source, SourceBatch
from psystock.batch.writers import OutputWriter, format_of, open_writer
from psystock.errors import InputError, PsystockError, SchemaError
from psystock.scoring.decision import decide, probabilities
from psystock.scoring.model import LoadedModel
from psystock.scoring.runtime import ScoringRuntime
from psystock.settings import Settings

if TYPE_CHECKING:
    import pyarrow as pa

logger = logging.getLogger(__name__)

QUARANTINE = "quarantine"
QUARANTINE_SUFFIX = ".quarantine.csv"


@dataclass(frozen=True)
class BatchOptions:
    """How to read and write, beyond the settings.

    Attributes:
        quarantine: where bad rows go with ``on_error=quarantine`` (default
            ``OUTPUT.quarantine.csv``; required when OUTPUT is ``-``).
        overwrite: replace existing output (and quarantine) files.
        input_format: ``csv`` or ``parquet``; default from the suffix (stdin: csv).
        output_format: ``csv`` or ``parquet``; default from the suffix (stdout: csv).
        header: whether a CSV input has a header row; None detects it.
    """

    quarantine: str | None = None
    overwrite: bool = False
    input_format: str | None = None
    output_format: str | None = None
    header: bool | None = None


@dataclass
class _Counts:
    rows_in: int = 0
    rows_out: int = 0
    quarantined: int = 0
    positives: int = 0


def run_batch(
    settings: Settings,
    source: str,
    target: str,
    options: BatchOptions | None = None,
    *,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> BatchReport:
    """Score ``source`` into ``target`` (``-`` for stdin/stdout) and record the job.

    Raises:
        InputError: a bad input (``SchemaError`` names the row and column), an existing
            output without ``overwrite`` (``OutputExistsError``).
        RegistryError: resolving or downloading the model failed.
        ModelLoadError: the model cannot be loaded.
    """
    options = options or BatchOptions()
    started = time.monotonic()
    quarantine_target = _quarantine_target(settings, target, options)
    _check_paths(source, target, quarantine_target, options.overwrite)
    input_format = format_of("" if source == STDOUT else source, options.input_format)
    output_format = format_of("" if target == STDOUT else target, options.output_format)
    reference = settings.scoring.reference
    record = JobRecord(
        settings,
        {
            "reference": reference,
            "input": _shown_path(source, "stdin"),
            "output": _shown_path(target, "stdout"),
            "quarantine": _shown_path(quarantine_target, "stdout") if quarantine_target else "",
            "threshold": str(settings.scoring.threshold),
            "on_error": settings.batch.on_error,
            "input_format": input_format,
            "output_format": output_format,
        },
    )
    try:
        runtime = ScoringRuntime(settings)
        resolved = runtime.resolve()
        record.add_params(
            {
                "model_name": resolved.name or "",
                "model_version": resolved.version or "",
                "model_source": resolved.source,
                "model_run_id": resolved.run_id or "",
            }
        )
        model = runtime.load(resolved)
        histogram = ProbabilityHistogram()
        with open_source(source, input_format, model, settings, options.header, stdin) as opened:
            counts = _score(
                opened,
                model,
                settings,
                target,
                output_format,
                quarantine_target,
                options,
                histogram,
                stdout,
            )
        report = BatchReport(
            input=_shown_path(source, "stdin"),
            output=_shown_path(target, "stdout"),
            quarantine=quarantine_target,
            reference=reference,
            model_name=resolved.name,
            model_version=resolved.version,
            threshold=settings.scoring.threshold,
            rows_in=counts.rows_in,
            rows_out=counts.rows_out,
            rows_quarantined=counts.quarantined,
            positives=counts.positives,
            duration_s=time.monotonic() - started,
            run_id=record.run_id,
        )
    except BaseException as exc:
        record.fail(exc)
        raise
    record.succeed(report, histogram)
    logger.info(
        "scored %d rows into %s (%d quarantined, %.0f rows/s)",
        report.rows_out,
        report.output,
        report.rows_quarantined,
        report.rows_per_s,
    )
    return report


def _score(
    source: Source,
    model: LoadedModel,
    settings: Settings,
    target: str,
    output_format: str,
    quarantine_target: str | None,
    options: BatchOptions,
    histogram: ProbabilityHistogram,
    stdout: IO[bytes] | None,
) -> _Counts:
    assembler = OutputAssembler(source.names, source.plan, source.name)
    output = AtomicFile(target, overwrite=options.overwrite, stdout=stdout)
    quarantine = (
        QuarantineFile(quarantine_target, overwrite=options.overwrite)
        if quarantine_target
        else None
    )
    writer: OutputWriter | None = None
    counts = _Counts()
    threshold = settings.scoring.threshold
    try:
        with JobProgress(source.total_bytes, settings.batch.log_interval_s) as progress:
            for batch in source.batches():
                table = _score_batch(
                    source, batch, model, assembler, threshold, quarantine, counts, histogram
                )
                if writer is None:
                    writer = open_writer(output_format, output.temp, table.schema)
                writer.write(table)
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
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
        output.discard()
        if quarantine is not None:
            quarantine.discard()
        raise
    return counts


def _score_batch(
    source: Source,
    batch: SourceBatch,
    model: LoadedModel,
    assembler: OutputAssembler,
    threshold: float,
    quarantine: QuarantineFile | None,
    counts: _Counts,
    histogram: ProbabilityHistogram,
) -> pa.Table:
    collect = quarantine is not None
    try:
        prepared = model.prepare_arrow(
            batch.table,
            positional=source.positional,
            row_numbers=batch.row_numbers,
            collect=collect,
        )
    except SchemaError as exc:
        raise _first_error(exc, batch) from None
    if batch.invalid and not collect:
        raise _first_error(None, batch)
    if quarantine is not None:
        _quarantine(source, batch, prepared.errors, prepared.bad_rows, quarantine)
    rows = prepared.prepared.n_rows
    if rows:
        scores = probabilities(model.predict(prepared.prepared), rows)
    else:
        scores = np.empty(0, dtype=np.float32)
    decisions = decide(scores, threshold)
    histogram.add(scores)
    counts.rows_in += batch.rows_in
    counts.rows_out += rows
    counts.quarantined += len(prepared.errors) + len(batch.invalid)
    counts.positives += int(decisions.sum())
    return assembler.table(batch.table, prepared, decisions, scores)


def _first_error(value_error: SchemaError | None, batch: SourceBatch) -> SchemaError:
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
    source: Source,
    batch: SourceBatch,
    errors: tuple[SchemaError, ...],
    bad_rows: tuple[int, ...],
    quarantine: QuarantineFile,
) -> None:
    entries = [
        (
            int(error.row or 0),
            reason_of(error.message, int(error.row or 0)),
            source.raw_row(batch, index),
        )
        for error, index in zip(errors, bad_rows, strict=True)
    ]
    entries += [
        (row.row, f"expected {row.expected_columns} columns, got {row.actual_columns}", row.text)
        for row in batch.invalid
    ]
    for row, reason, raw in sorted(entries):
        quarantine.add(row, reason, raw)


def _quarantine_target(settings: Settings, target: str, options: BatchOptions) -> str | None:
    if settings.batch.on_error != QUARANTINE:
        return None
    if options.quarantine:
        return options.quarantine
    if target == STDOUT:
        raise InputError(
            "with OUTPUT '-' and --on-error quarantine, expected --quarantine PATH for the bad rows"
        )
    return f"{target}{QUARANTINE_SUFFIX}"


def _check_paths(source: str, target: str, quarantine: str | None, overwrite: bool) -> None:
    if source != STDOUT and not Path(source).is_file():
        raise InputError(f"input {source}: expected a file, found none")
    for path in (target, quarantine):
        if path and path != STDOUT:
            check_writable(Path(path), overwrite)
    if target != STDOUT and source != STDOUT and Path(source).resolve() == Path(target).resolve():
        raise InputError(f"output {target}: expected a different file than the input")


def _shown_path(path: str, stream: str) -> str:
    return stream if path == STDOUT else str(Path(path).resolve())
