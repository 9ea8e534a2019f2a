"""The batch job on Spark: ``run_spark_batch(settings, source, target)`` -> ``BatchReport``.

The same job as ``psystock.batch.run_batch``, on a cluster: the driver resolves and fetches
the model, broadcasts it, opens the input as a DataFrame tagged by split and writes
``mapInArrow(score_partition)`` with Spark's commit protocol into a hidden directory that is
renamed into place at the end. Bad rows stop the job naming the row and column
(``--on-error fail``), or go to a quarantine directory (``quarantine``): the good rows are
written in the scoring pass, the bad ones found again in a second pass only when there are
some. The job is recorded as the local engine's MLflow run (``JobRecord``), with the same
counts, positive rate, rows/s and plot.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from psystock.batch.atomic import STDOUT
from psystock.batch.job import (
    BatchOptions,
    job_params,
    quarantine_target,
    score_recorded,
)
from psystock.batch.pipeline import Counts
from psystock.batch.recording import JobRecord
from psystock.batch.report import BatchReport
from psystock.batch.writers import CSV, PARQUET, format_of
from psystock.errors import (
    InputError,
    OutputExistsError,
    PsystockError,
    SchemaError,
    SparkError,
)
from psystock.registry.artifacts import local_path
from psystock.scoring.loader import load_model_dir
from psystock.scoring.runtime import ResolvedModel, ScoringRuntime
from psystock.settings import Settings
from psystock.spark.counts import SplitCountsParam, rows_before, total
from psystock.spark.frames import SparkInput, file_path, open_input
from psystock.spark.remote_errors import FoundError, find_remote_error
from psystock.spark.session import SparkOptions, first_line, spark_session
from psystock.spark.shipping import ship_model
from psystock.spark.splits import even_splits
from psystock.spark.staging import HadoopPaths, StagedOutput
from psystock.spark.worker import (
    BLOCK,
    FILE_KEY,
    LINE,
    PATH,
    WorkerJob,
    lines_schema,
    rejected_schema,
    score_partition,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

ENGINE = "spark"
TEXT_SUFFIX = ".txt"
"""The suffix of the part files of Spark's ``text`` source."""
CSV_SUFFIX = ".csv"


def run_spark_batch(
    settings: Settings,
    source: str,
    target: str,
    options: BatchOptions | None = None,
    spark_options: SparkOptions | None = None,
) -> BatchReport:
    """Score ``source`` (a file or directory) into the directory ``target`` on Spark.

    Raises:
        InputError: a bad input (``SchemaError`` names the row and column), an existing
            output without ``overwrite`` (``OutputExistsError``), ``-`` as a path.
        RegistryError: resolving or downloading the model failed.
        ModelLoadError: the model cannot be loaded.
        SparkError: Spark cannot start, or the job failed for another reason than a bad row.
    """
    options = options or BatchOptions()
    spark_options = spark_options or SparkOptions()
    started = time.monotonic()
    if STDOUT in (source, target):
        raise InputError(
            "--engine spark reads and writes files or directories: expected a path, got '-'"
        )
    quarantine = quarantine_target(settings, target, options)
    if spark_options.paths_are_local:
        check_local_paths(source, target, quarantine, overwrite=options.overwrite)
    with spark_session(spark_options) as spark:
        paths = HadoopPaths(spark)
        shown = [paths.qualified(path) if path else "" for path in (source, target, quarantine)]
        formats = (
            format_of(source, options.input_format),
            format_of(target, options.output_format),
        )
        params = job_params(settings, shown[0], shown[1], shown[2], formats)
        record = JobRecord(settings, {**params, "engine": ENGINE, "master": spark_options.master})
        job = _SparkJob(spark, paths, settings, options, formats)
        return score_recorded(
            settings,
            record,
            partial(job.run, source, target, quarantine),
            (shown[0], shown[1], shown[2] or None),
            started,
        )


def check_local_paths(source: str, target: str, quarantine: str | None, *, overwrite: bool) -> None:
    """Fail before Spark starts (seconds) when paths on this machine's disk cannot work.

    Only local paths (no scheme with a local master, or ``file:``) are looked at; the job
    checks every path again through Hadoop's filesystem once Spark is up.

    Raises:
        InputError: the input does not exist.
        OutputExistsError: the output or quarantine exists (without ``overwrite``).
    """
    on_disk = local_path(source)
    if on_disk is not None and not on_disk.exists():
        raise missing_input(source)
    for path in (target, quarantine):
        on_disk = local_path(path) if path else None
        if path and on_disk is not None and on_disk.exists() and not overwrite:
            raise OutputExistsError(path.rstrip("/"))


def missing_input(source: str) -> InputError:
    """The error for an input that is neither a file nor a directory."""
    return InputError(f"input {source}: expected a file or directory, found none")


class _SparkJob:
    """One run of the engine inside a Spark session."""

    def __init__(
        self,
        spark: SparkSession,
        paths: HadoopPaths,
        settings: Settings,
        options: BatchOptions,
        formats: tuple[str, str],
    ) -> None:
        self.spark = spark
        self.paths = paths
        self.settings = settings
        self.options = options
        self.input_format, self.output_format = formats

    def run(
        self,
        source: str,
        target: str,
        quarantine: str | None,
        resolved: ResolvedModel,
        runtime: ScoringRuntime,
    ) -> Counts:
        """Score, write, check the counts and commit the output (and quarantine)."""
        self._check_paths(source, target)
        overwrite = self.options.overwrite
        output = StagedOutput(self.paths, target, overwrite=overwrite)
        side = StagedOutput(self.paths, quarantine, overwrite=overwrite) if quarantine else None
        try:
            model_dir = runtime.fetch(resolved)
            model = load_model_dir(model_dir, resolved)
            with self._translated(None):
                opened = open_input(self.spark, source, self.input_format, model, self.options)
            shipped = ship_model(self.spark.sparkContext, model_dir, resolved)
            base = WorkerJob(
                shipped,
                self.settings.scoring.threshold,
                opened.schema,
                opened.csv,
                positional=opened.positional,
            )
            # The same splits for every pass: rows are numbered by split.
            with even_splits(self.spark, self.paths.size(source), len(opened.files)):
                counts = self._score(opened, base, output.staging, collect=side is not None)
                if side is not None:
                    self._quarantine(opened, base, counts, side.staging)
            whole = total(counts.values())
            _check_counts(whole)
            output.commit()
            if side is not None:
                side.commit()
        except BaseException:
            output.discard()
            if side is not None:
                side.discard()
            raise
        return whole

    def _check_paths(self, source: str, target: str) -> None:
        if not self.paths.exists(source):
            raise missing_input(source)
        if self.paths.qualified(source) == self.paths.qualified(target):
            raise InputError(f"output {target}: expected a different path than the input")

    def _score(
        self, opened: SparkInput, base: WorkerJob, staging: str, *, collect: bool
    ) -> dict[tuple[int, int], Counts]:
        from pyspark.sql.pandas.types import from_arrow_schema

        is_csv = self.output_format == CSV
        param: Any = SplitCountsParam()
        accumulator: Any = self.spark.sparkContext.accumulator({}, param)
        job = WorkerJob(
            base.model,
            base.threshold,
            opened.schema,
            base.csv,
            collect=collect,
            counts=accumulator,
            csv_lines=is_csv,
            positional=base.positional,
        )
        returned = lines_schema() if is_csv else opened.schema
        scored = opened.frame.mapInArrow(partial(score_partition, job), from_arrow_schema(returned))
        logger.info("scoring %s on Spark into %s", ", ".join(opened.files[:3]), staging)
        with self._translated(opened):
            if is_csv:
                # The tasks format the lines (the local engine's CSV writer): Spark writes
                # them as text, far cheaper than its CSV writer formatting every value.
                scored.write.mode("errorifexists").text(staging)
                self.paths.rename_suffix(staging, TEXT_SUFFIX, CSV_SUFFIX)
            else:
                _write(scored, self.output_format, staging)
        return dict(accumulator.value)

    def _quarantine(
        self,
        opened: SparkInput,
        base: WorkerJob,
        counts: dict[tuple[int, int], Counts],
        staging: str,
    ) -> None:
        """Find the bad rows again (only when there are some) and write them, numbered."""
        from pyspark.sql import functions as F
        from pyspark.sql.pandas.types import from_arrow_schema

        columns = ["row", "reason", "raw"]
        if opened.is_directory:
            columns.insert(0, "file")
        if not total(counts.values()).quarantined:
            empty = self.spark.createDataFrame([], ", ".join(f"{c} string" for c in columns))
            with self._translated(opened):
                _write(empty.coalesce(1), CSV, staging)
            return
        schema = rejected_schema()
        job = WorkerJob(
            base.model,
            base.threshold,
            schema,
            base.csv,
            collect=True,
            emit_rejected=True,
            positional=base.positional,
        )
        rejected = opened.with_paths().mapInArrow(
            partial(score_partition, job), from_arrow_schema(schema)
        )
        offsets = self.spark.createDataFrame(
            [(key, block, before) for (key, block), before in rows_before(counts).items()],
            f"{FILE_KEY} int, {BLOCK} long, before long",
        )
        numbered = (
            rejected.join(F.broadcast(offsets), [FILE_KEY, BLOCK])
            .withColumn("row", F.col("row") + F.col("before"))
            .withColumnRenamed(PATH, "file")
            .orderBy("file", "row")
            .select(*columns)
        )
        with self._translated(opened):
            _write(numbered.coalesce(1), CSV, staging)

    @contextlib.contextmanager
    def _translated(self, opened: SparkInput | None) -> Iterator[None]:
        """Spark's failures as psystock errors; Ctrl-C or SIGTERM cancels the running jobs."""
        try:
            yield
        except PsystockError:
            raise
        except Exception as exc:
            found = find_remote_error(exc)
            if found is None:
                raise SparkError(f"the Spark job failed: {describe(exc)}") from exc
            raise self._located(found, opened) from None
        except BaseException:
            self.spark.sparkContext.cancelAllJobs()
            raise

    def _located(self, found: FoundError, opened: SparkInput | None) -> PsystockError:
        """The worker's error with its row counted from the start of its file."""
        if found.split is None or opened is None:
            return found.error
        key, block = found.split
        before = 0
        if block > 0:
            from pyspark.sql import functions as F

            earlier = opened.frame.where(F.col(BLOCK) < block)
            if opened.is_directory:
                earlier = earlier.where(F.col(FILE_KEY) == key)
            if opened.csv is not None:
                earlier = earlier.where(F.col(LINE) != "")  # blank lines are not rows
            before = earlier.count()
            if opened.csv is not None and opened.csv.header is not None:
                before -= 1
        prefix = f"input {file_path(opened.raw, key)}, " if opened.is_directory else ""
        return found.renumbered(before, prefix)


def _write(frame: DataFrame, output_format: str, path: str) -> None:
    writer = frame.write.mode("errorifexists")
    if output_format == PARQUET:
        writer.parquet(path)
    else:
        writer.option("header", True).csv(path)


def _check_counts(counts: Counts) -> None:
    if counts.rows_in == 0:
        raise SchemaError("at least one row", "a header and no rows")
    if counts.rows_in != counts.rows_out + counts.quarantined:  # never expected
        raise PsystockError(
            f"row count mismatch: {counts.rows_in} rows in, {counts.rows_out} out, "
            f"{counts.quarantined} quarantined"
        )


def describe(exc: BaseException) -> str:
    """Spark's own message of a failure, in one line."""
    java = getattr(exc, "java_exception", None)
    if java is not None:
        return first_line(Exception(str(java.toString())))
    return first_line(exc)
