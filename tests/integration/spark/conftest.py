"""One SparkSession (local mode, two cores) for the whole test session, and helpers.

The engine joins an active session instead of starting its own, so every test here shares
this one: a Spark start costs seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from psystock.spark.session import SparkOptions, spark_session
from tests.integration.batch.conftest import make_settings, psystock  # noqa: F401  (fixtures)
from tests.integration.batch.test_process import env  # noqa: F401  (a shared fixture)

TEST_CONF = {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"}


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    with spark_session(SparkOptions("local[2]", TEST_CONF, log_level="ERROR")) as session:
        yield session


@pytest.fixture
def small_splits(spark: SparkSession) -> Iterator[None]:
    """Files cut into splits of 1 KiB: rows numbered across splits, as on a big input."""
    key = "spark.sql.files.maxPartitionBytes"
    previous = spark.conf.get(key)
    spark.conf.set(key, "1024")
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    yield
    spark.conf.set(key, str(previous))
    spark.conf.unset("spark.sql.files.openCostInBytes")


def read_parts(folder: Path) -> pa.Table:
    """Every part of an output directory (CSV or Parquet), in part order."""
    parts = sorted(p for p in folder.iterdir() if p.name.startswith("part-"))
    assert parts, f"no parts in {folder}"
    if parts[0].suffix == ".csv":
        tables = [pcsv.read_csv(part) for part in parts]
    else:
        tables = [pq.read_table(part) for part in parts]
    return pa.concat_tables(tables)


def sorted_rows(table: pa.Table) -> list[tuple[object, ...]]:
    """The rows as tuples, sorted: outputs compared with the order aside."""
    return sorted(zip(*(column.to_pylist() for column in table.columns), strict=True))
