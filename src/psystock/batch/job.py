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

import gc
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from psystock.batch.atomic import STDOUT, check_writable
from psystock.batch.inputs import open_source
from psystock.batch.pipeline import BlockScorer, Counts, OutputPlan, score_source
from psystock.batch.recording import JobRecord
from psystock.batch.report import BatchReport
from psystock.batch.writers import CSV, format_of
from psystock.errors import InputError
from psystock.scoring.runtime import ResolvedModel, ScoringRuntime
from psystock.settings import Settings

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
        by_position: map the input's columns onto the model's by position, whatever their
            names.
    """

    quarantine: str | None = None
    overwrite: bool = False
    input_format: str | None = None
    output_format: str | None = None
    header: bool | None = None
    by_position: bool = False


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
    quarantine = quarantine_target(settings, target, options)
    _check_paths(source, target, quarantine, options.overwrite)
    input_format = format_of("" if source == STDOUT else source, options.input_format)
    output_format = format_of("" if target == STDOUT else target, options.output_format)
    # CSV to CSV copies the input columns as text: no numbers formatted again.
    keep_text = input_format == output_format == CSV
    plan = OutputPlan(target, output_format, quarantine, options.overwrite, keep_text, stdout)
    params = job_params(
        settings,
        _shown_path(source, "stdin"),
        _shown_path(target, "stdout"),
        _shown_path(quarantine, "stdout") if quarantine else "",
        (input_format, output_format),
    )
    record = JobRecord(settings, params)

    def score(resolved: ResolvedModel, runtime: ScoringRuntime) -> Counts:
        model = runtime.load(resolved)
        # What the start built (modules, the model) lives as long as the job: out of the
        # collector's full passes.
        gc.freeze()
        with open_source(
            source,
            input_format,
            model,
            settings,
            options.header,
            stdin,
            as_text=keep_text,
            by_position=options.by_position,
        ) as opened:
            scorer = BlockScorer(
                opened,
                model,
                settings.scoring.threshold,
                collect=quarantine is not None,
                keep_text=keep_text,
            )
            return score_source(scorer, plan, settings.batch.log_interval_s)

    shown = (_shown_path(source, "stdin"), _shown_path(target, "stdout"), quarantine)
    return score_recorded(settings, record, score, shown, started)


def score_recorded(
    settings: Settings,
    record: JobRecord,
    score: Callable[[ResolvedModel, ScoringRuntime], Counts],
    shown: tuple[str, str, str | None],
    started: float,
) -> BatchReport:
    """Resolve the model, run ``score`` with it and record how the job ended (both engines).

    Args:
        settings: the job's settings (reference, threshold).
        record: the job's MLflow run, ended FINISHED with the report or FAILED with the error.
        score: scores the input with the resolved model and counts the rows.
        shown: the input, output and quarantine (or None) as shown to the user.
        started: when the job started (``time.monotonic()``).
    """
    try:
        runtime = ScoringRuntime(settings)
        resolved = runtime.resolve()
        record.add_params(_model_params(resolved))
        counts = score(resolved, runtime)
        report = _job_report(settings, resolved, counts, shown, started, record.run_id)
    except BaseException as exc:
        record.fail(exc)
        raise
    record.succeed(report, counts.histogram)
    _log_done(report)
    return report


def _job_report(
    settings: Settings,
    resolved: ResolvedModel,
    counts: Counts,
    shown: tuple[str, str, str | None],
    started: float,
    run_id: str | None,
) -> BatchReport:
    """The report of a finished job.

    Args:
        settings: the job's settings (reference, threshold).
        resolved: the model actually used.
        counts: the rows seen.
        shown: the input, output and quarantine (or None) as shown to the user.
        started: when the job started (``time.monotonic()``).
        run_id: its MLflow run, when recorded.
    """
    return BatchReport(
        input=shown[0],
        output=shown[1],
        quarantine=shown[2],
        reference=settings.scoring.reference,
        model_name=resolved.name,
        model_version=resolved.version,
        threshold=settings.scoring.threshold,
        rows_in=counts.rows_in,
        rows_out=counts.rows_out,
        rows_quarantined=counts.quarantined,
        positives=counts.positives,
        duration_s=time.monotonic() - started,
        run_id=run_id,
    )


def _log_done(report: BatchReport) -> None:
    """Log the one line that sums up a finished job."""
    logger.info(
        "scored %d rows into %s (%d quarantined, %.0f rows/s)",
        report.rows_out,
        report.output,
        report.rows_quarantined,
        report.rows_per_s,
    )


def job_params(
    settings: Settings, source: str, target: str, quarantine: str, formats: tuple[str, str]
) -> dict[str, str]:
    """The params of a batch job's MLflow run (paths as shown to the user)."""
    return {
        "reference": settings.scoring.reference,
        "input": source,
        "output": target,
        "quarantine": quarantine,
        "threshold": str(settings.scoring.threshold),
        "on_error": settings.batch.on_error,
        "input_format": formats[0],
        "output_format": formats[1],
    }


def _model_params(resolved: ResolvedModel) -> dict[str, str]:
    """The params naming the model a batch job actually used."""
    return {
        "model_name": resolved.name or "",
        "model_version": resolved.version or "",
        "model_source": resolved.source,
        "model_run_id": resolved.run_id or "",
    }


def quarantine_target(settings: Settings, target: str, options: BatchOptions) -> str | None:
    """Where bad rows go: None unless ``on_error`` is quarantine; default ``OUTPUT`` + suffix.

    Raises:
        InputError: OUTPUT is stdout and no quarantine path was given.
    """
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
    if source != STDOUT:
        _check_input(Path(source))
    for path in (target, quarantine):
        if path and path != STDOUT:
            check_writable(Path(path), overwrite)
    if target != STDOUT and source != STDOUT and Path(source).resolve() == Path(target).resolve():
        raise InputError(f"output {target}: expected a different file than the input")


def _check_input(path: Path) -> None:
    """A file, a named pipe or ``/dev/fd/N`` (process substitution) are inputs; not a folder."""
    if path.is_dir():
        raise InputError(
            f"input {path} is a directory: expected a CSV or Parquet file, a pipe, or - for stdin"
        )
    if not path.exists():
        raise InputError(f"input {path}: expected a file, found none")


def _shown_path(path: str, stream: str) -> str:
    return stream if path == STDOUT else os.path.abspath(path)
