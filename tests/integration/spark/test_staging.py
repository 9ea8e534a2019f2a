"""``HadoopPaths`` on local files through Spark's Hadoop configuration."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

from pyspark.sql import SparkSession

from psystock.spark.staging import HadoopPaths


def test_lines_are_cut_and_decompressed_as_sparks_text_source_reads_them(
    spark: SparkSession, tmp_path: Path
) -> None:
    text = "\ufeff0,1\r\n\r1,0\n\n1,1"
    plain = tmp_path / "input.csv"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "input.csv.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    paths = HadoopPaths(spark)
    expected = [row.value for row in spark.read.text(str(plain)).collect()]
    assert list(paths.lines(str(plain))) == expected == ["0,1", "", "1,0", "", "1,1"]
    assert list(paths.lines(str(packed))) == expected
    with contextlib.closing(paths.lines(str(packed))) as lines:
        assert next(lines) == "0,1"
    assert paths.size(str(plain)) == len(text.encode("utf-8"))
