from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from psystock.batch.writers import format_of, open_writer


def test_format_of_prefers_the_given_format_then_the_suffix() -> None:
    assert format_of("out.parquet", None) == "parquet"
    assert format_of("OUT.PQ", None) == "parquet"
    assert format_of("out.csv", None) == "csv"
    assert format_of("out.txt", None) == "csv"
    assert format_of("out.csv", "parquet") == "parquet"


def test_csv_writer_quotes_header_names_only_when_needed(tmp_path: Path) -> None:
    table = pa.table(
        {"0": [1, 2], "a,b": ["x", "y"], "probability": pa.array([0.5, 0.25], pa.float32())}
    )
    writer = open_writer("csv", tmp_path / "o.csv", table.schema)
    writer.write(table)
    writer.write(table.slice(0, 1))
    writer.close()
    assert (tmp_path / "o.csv").read_text().splitlines() == [
        '0,"a,b",probability',
        '1,"x",0.5',
        '2,"y",0.25',
        '1,"x",0.5',
    ]


def test_parquet_writer_keeps_types(tmp_path: Path) -> None:
    table = pa.table({"0": [1], "prediction": pa.array([1], pa.int8())})
    writer = open_writer("parquet", tmp_path / "o.parquet", table.schema)
    writer.write(table)
    writer.close()
    assert pq.read_table(tmp_path / "o.parquet").equals(table)
