"""``psystock batch score --engine spark`` through the CLI's real entry point (in-process).

The command joins the test session's SparkSession, as it would a notebook's.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyspark.sql import SparkSession

from tests.conftest import RunCli
from tests.integration.batch.conftest import book_rows, write_csv
from tests.integration.spark.conftest import read_parts


def test_engine_spark_prints_the_local_engines_summary(
    spark: SparkSession, psystock: RunCli, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(12))
    result = psystock("batch", "score", source, tmp_path / "out", "--engine", "spark")
    assert result.exit_code == 0, result.stderr
    assert re.search(
        r"^Scored 12 of 12 rows with models:/training-model-psystock/Production \(version \d+\) "
        r"in [\d.]+ s \([\d,]+ rows/s\); positive rate [01]\.\d{3}$",
        result.stderr,
        re.MULTILINE,
    )
    assert read_parts(tmp_path / "out").num_rows == 12


def test_a_bad_row_is_one_error_line_and_exit_2(
    spark: SparkSession, psystock: RunCli, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("1,0,1,0,1,0,1,0,1,0,1,0,1,0\n1,0,1,0,1,0,1,x,1,0,1,0,1,0\n")
    result = psystock("batch", "score", source, tmp_path / "out", "--engine", "spark")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: row 2, column 7: expected a number, got 'x'"
    )
    assert not (tmp_path / "out").exists()


def test_a_spark_failure_that_is_not_a_bad_row_is_a_spark_error(
    spark: SparkSession, psystock: RunCli, tmp_path: Path
) -> None:
    source = tmp_path / "in.parquet"
    source.write_bytes(b"not parquet")
    result = psystock("batch", "score", source, tmp_path / "out", "--engine", "spark")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: the Spark job failed: ")
    assert not (tmp_path / "out").exists()
