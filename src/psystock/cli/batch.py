"""``psystock batch score``: the book's batch scoring job, streaming and atomic."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Any

import click

from psystock.cli._context import command_settings
from psystock.cli._options import choice_option, model_option
from psystock.cli._setting_option import setting_option
from psystock.extras import require_extra


@click.group()
def batch() -> None:
    """Score files with the registered model."""


@batch.command("score")
@click.argument("input_path", metavar="INPUT")
@click.argument("output_path", metavar="OUTPUT")
@model_option
@setting_option(
    "scoring.threshold",
    "--threshold",
    type=click.FloatRange(0, 1),
    help="A probability above this is prediction 1.",
)
@setting_option(
    "batch.on_error",
    "--on-error",
    help="A bad row stops the job (exit 2, nothing written) or goes to the quarantine file.",
)
@click.option(
    "--quarantine",
    "quarantine_path",
    default=None,
    help="Where bad rows go with --on-error quarantine.  [default: OUTPUT.quarantine.csv]",
)
@click.option("--overwrite", is_flag=True, show_default=True, help="Replace existing output files.")
@click.option(
    "--input-format",
    type=click.Choice(["csv", "parquet"]),
    default=None,
    help="Input format.  [default: from the suffix (.parquet, .pq); csv for stdin]",
)
@click.option(
    "--output-format",
    type=click.Choice(["csv", "parquet"]),
    default=None,
    help="Output format.  [default: from the suffix (.parquet, .pq); csv for stdout]",
)
@click.option(
    "--header/--no-header",
    default=None,
    help="Whether the CSV input has a header row.  [default: detected, as the API does: a "
    "first row with a field that is not a number, or naming the model's columns in any order, "
    "is a header]",
)
@click.option(
    "--by-position",
    is_flag=True,
    help="Map the input's columns onto the model's by position (its first columns, in "
    "order), whatever their names: for a header or Parquet columns named otherwise.",
)
@choice_option(
    "--engine",
    choices=("local", "spark"),
    help="Where to run: this process (streaming), or Apache Spark (needs the spark extra; "
    "INPUT may be a directory, OUTPUT is a directory of parts).",
)
@click.option(
    "--master",
    default=None,
    help="With --engine spark: the cluster manager, as spark-submit takes it (local[*], "
    "spark://HOST:7077, k8s://https://HOST:443, yarn).  [default: local[*], or the active "
    "session's]",
)
@click.option(
    "--conf",
    "spark_conf",
    multiple=True,
    metavar="KEY=VALUE",
    callback=lambda _ctx, _param, values: _key_values(values),
    help="With --engine spark: a Spark setting, as spark-submit takes it (repeatable), e.g. "
    "--conf spark.executor.memory=4g.",
)
def score(
    input_path: str,
    output_path: str,
    quarantine_path: str | None,
    overwrite: bool,
    input_format: str | None,
    output_format: str | None,
    header: bool | None,
    by_position: bool,
    engine: str,
    master: str | None,
    spark_conf: dict[str, str],
    **_settings: Any,
) -> None:
    """Score INPUT into OUTPUT (- for stdout).

    INPUT is a CSV or Parquet file, a named pipe, a process substitution such as
    <(zcat in.csv.gz), or - for stdin. OUTPUT has the input columns, then `prediction` (1
    when the probability is above the threshold) and `probability`. It is written to a
    temporary file beside it (.OUTPUT.psystock-tmp-*) and renamed at the end: a failed or
    interrupted job leaves no partial output, and the next job over the same OUTPUT removes
    the file a killed one (SIGKILL) left. Rows are numbered from 1 in messages, counting data
    rows only (not the header or blank lines). Each job is recorded as an MLflow run named
    batch_scoring.

    With --engine spark, INPUT is a CSV or Parquet file or directory (local, hdfs://, or
    s3a:// when Spark is configured for it) and OUTPUT a directory of parts, written by
    Spark into .OUTPUT.psystock-tmp-* and renamed at the end; bad rows go to the directory
    OUTPUT.quarantine.csv with --on-error quarantine. Rows are numbered within their file.

    \b
    Exit codes:
      0    scored
      1    the registry, the model or the disk failed (e.g. no space left)
      2    bad input: a bad row, a missing, unreadable or unwritable path, a directory,
           an existing OUTPUT without --overwrite
      130  interrupted (Ctrl-C); 143 stopped (SIGTERM)
    """  # noqa: D301 (click's paragraph mark is the backspace character, not a raw \b)
    require_extra("batch", "psystock batch score")
    if engine == "spark":
        require_extra("spark", "psystock batch score --engine spark")
    elif master is not None or spark_conf:
        raise click.UsageError("--master and --conf apply to --engine spark only")
    from psystock.batch import BatchOptions, run_batch

    settings = command_settings()
    options = BatchOptions(
        quarantine=quarantine_path,
        overwrite=overwrite,
        input_format=input_format,
        output_format=output_format,
        header=header,
        by_position=by_position,
    )
    is_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if is_main else None
    try:
        if engine == "spark":
            from psystock.spark import SparkOptions, run_spark_batch
            from psystock.spark.session import DEFAULT_MASTER

            spark = SparkOptions(
                master=master or DEFAULT_MASTER,
                conf=spark_conf,
                log_level="WARN" if settings.log_level == "DEBUG" else "FATAL",
            )
            report = run_spark_batch(settings, input_path, output_path, options, spark)
        else:
            report = run_batch(settings, input_path, output_path, options)
    finally:
        if is_main:
            signal.signal(signal.SIGTERM, previous)
    quarantined = f", {report.rows_quarantined} quarantined" if report.quarantine else ""
    click.echo(
        f"Scored {report.rows_out} of {report.rows_in} rows{quarantined} with "
        f"{report.reference} (version {report.model_version or '-'}) in "
        f"{report.duration_s:.1f} s ({report.rows_per_s:,.0f} rows/s); "
        f"positive rate {report.positive_rate:.3f}",
        err=True,
    )
    if report.quarantine:
        click.echo(f"Bad rows: {report.quarantine}", err=True)
    if report.run_id:
        click.echo(f"MLflow run: {report.run_id}", err=True)


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    """Turn SIGTERM into SystemExit so that temporary files are removed on the way out."""
    sys.exit(128 + signum)


def _key_values(values: tuple[str, ...]) -> dict[str, str]:
    """``KEY=VALUE`` options as a dict."""
    pairs = {}
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint="'--conf'")
        pairs[key.strip()] = setting
    return pairs
