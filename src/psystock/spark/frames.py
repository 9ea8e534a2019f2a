"""The driver's side of reading: the input as a DataFrame tagged by split, and its layout.

A CSV input is read with Spark's ``text`` source (one row per line) so that the executors
parse it with the local engine's reader; its header is decided on the driver from the first
non-blank line of the first file, with the local engine's rule (``--header/--no-header``
overrides it). A Parquet input is read with Spark's ``parquet`` source. Every row carries
its split (``FILE_KEY``, ``BLOCK``), which numbers rows as the local engine does.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psystock.batch.csv_source import column_types
from psystock.batch.job import BatchOptions
from psystock.batch.mapping import InputColumns, map_columns
from psystock.batch.writers import CSV, PARQUET
from psystock.errors import InputError, SchemaError
from psystock.scoring import csv_text
from psystock.scoring.arrow_arrays import arrow_type
from psystock.scoring.arrow_scoring import PREDICTION, PROBABILITY
from psystock.scoring.columns import ColumnPlan
from psystock.scoring.model import LoadedModel
from psystock.spark.staging import HadoopPaths
from psystock.spark.worker import BLOCK, FILE_KEY, PATH, CsvLayout

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import Column, DataFrame, SparkSession


@dataclass(frozen=True)
class SparkInput:
    """An input opened on the driver.

    Attributes:
        raw: the rows as Spark reads them (lines of text for CSV).
        csv: how the executors read CSV lines; None for Parquet.
        names: the input's column names (``"0"``, ``"1"``... without a header).
        schema: the Arrow schema of the scored output (input columns, ``prediction``,
            ``probability``).
        files: the input's files, sorted.
        positional: whether columns map onto the model by position.
    """

    raw: DataFrame
    csv: CsvLayout | None
    names: tuple[str, ...]
    schema: pa.Schema
    files: tuple[str, ...]
    positional: bool = False

    @property
    def frame(self) -> DataFrame:
        """The rows, each tagged with its split (``FILE_KEY``, ``BLOCK``; one file: ``BLOCK``)."""
        return _tagged(self.raw, with_file=self.is_directory)

    @property
    def is_directory(self) -> bool:
        """Whether the input is several files (messages then name the file)."""
        return len(self.files) > 1

    def with_paths(self) -> DataFrame:
        """The rows with their file's path too when there are several (the quarantine pass)."""
        return _tagged(self.raw, with_file=self.is_directory, with_path=self.is_directory)


def file_key(path: Column) -> Column:
    """The key of a file in ``FILE_KEY``: Spark's 32-bit hash of its path."""
    from pyspark.sql import functions as F

    return F.hash(path)


def open_input(
    spark: SparkSession,
    source: str,
    input_format: str,
    model: LoadedModel,
    options: BatchOptions,
) -> SparkInput:
    """Open ``source`` (a file or a directory) as a DataFrame for ``model``.

    ``options.header`` and ``options.by_position`` apply as in the local engine.

    Raises:
        InputError: an unknown format; an empty input; columns that do not fit the model.
    """
    if input_format == PARQUET:
        return _parquet_input(spark.read.parquet(source), source, model, options.by_position)
    if input_format != CSV:
        raise InputError(f"input format {input_format!r}: expected csv or parquet")
    frame = spark.read.text(source)
    files = tuple(sorted(frame.inputFiles()))
    line_text = _first_line(spark, files, source)
    first = csv_text.first_line(line_text)
    assert first is not None  # the line is not blank
    header = options.header
    has_header = header if header is not None else csv_text.is_header(first.fields, model.schema)
    names = (
        csv_text.header_names(first.fields)
        if has_header
        else csv_text.positional_names(len(first.fields))
    )
    positional = options.by_position or not has_header
    plan = map_columns(model, InputColumns(source, names, positional, header=header))
    types = column_types(names, plan)
    header_line = line_text + b"\n" if has_header else None
    schema = output_schema([(name, types[name]) for name in names], model)
    layout = CsvLayout(header_line, by_position=options.by_position)
    return SparkInput(frame, layout, names, schema, files, positional)


def _first_line(spark: SparkSession, files: tuple[str, ...], source: str) -> bytes:
    """The first non-blank line of the first file that has one (no byte order mark).

    Read through Hadoop's filesystem on the driver: a Spark job would cost more than the line.
    """
    paths = HadoopPaths(spark)
    for path in files:
        with contextlib.closing(paths.lines(path)) as lines:
            for line in lines:  # without the byte order mark (HadoopPaths.lines)
                text = line.encode("utf-8")
                if text.strip():
                    return text
    raise SchemaError("at least one row", f"an empty input ({source})")


def _parquet_input(
    frame: DataFrame, source: str, model: LoadedModel, positional: bool
) -> SparkInput:
    files = tuple(sorted(frame.inputFiles()))
    if not files:
        raise SchemaError("at least one row", f"an empty input ({source})")
    columns = InputColumns(source, tuple(frame.columns), positional, is_csv=False)
    schema = frame_schema(frame, model, map_columns(model, columns))
    return SparkInput(frame, None, tuple(frame.columns), schema, files, positional)


def frame_schema(frame: DataFrame, model: LoadedModel, plan: ColumnPlan) -> pa.Schema:
    """The scored output's Arrow schema for a DataFrame of typed columns mapped by ``plan``.

    A text column that feeds the model comes out as its signature type, as in the local
    engine.
    """
    from pyspark.sql.pandas.types import to_arrow_schema

    names = tuple(frame.columns)
    fed = {
        names[source]: plan.types[i] for i, source in enumerate(plan.sources) if source is not None
    }
    fields = []
    for spark_field in to_arrow_schema(frame.schema):
        kind = spark_field.type
        if spark_field.name in fed and str(kind) in ("string", "large_string"):
            kind = arrow_type(fed[spark_field.name])
        fields.append((spark_field.name, kind))
    return output_schema(fields, model)


def output_schema(inputs: list[tuple[str, Any]], model: LoadedModel) -> pa.Schema:
    """The scored rows' Arrow schema: the input columns, then the two output columns."""
    import numpy as np
    import pyarrow as pa

    probability = pa.float32() if model.dtype == np.float32 else pa.float64()
    return pa.schema([*inputs, (PREDICTION, pa.int8()), (PROBABILITY, probability)])


def _tagged(frame: DataFrame, *, with_file: bool, with_path: bool = False) -> DataFrame:
    """``frame`` with its split, without the file's key when it is one file (a hash per row)."""
    from pyspark.sql import functions as F

    path = F.col("_metadata.file_path")
    tags = [F.col("_metadata.file_block_start").alias(BLOCK)]
    if with_file:
        tags.insert(0, file_key(path).alias(FILE_KEY))
    if with_path:
        tags.append(path.alias(PATH))
    return frame.select("*", *tags)


def file_path(frame: DataFrame, key: int) -> str:
    """The path of the file whose key is ``key`` among the files ``frame`` reads."""
    from pyspark.sql import functions as F

    path = F.col("_metadata.file_path")
    row = frame.select(path.alias(PATH)).where(file_key(path) == key).first()
    return str(row[PATH]) if row is not None else "?"
