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


def scored(**inputs: pa.Array | list[object]) -> pa.Table:
    return pa.table(
        {
            **inputs,
            "prediction": pa.array([1, 0], pa.int8()),
            "probability": pa.array([0.5, 1.25], pa.float32()),
        }
    )


def test_csv_writer_quotes_only_when_needed_and_writes_probabilities_alike(
    tmp_path: Path,
) -> None:
    table = scored(**{"0": [1, 2], "a,b": ["x", "y"]})
    writer = open_writer("csv", tmp_path / "o.csv", table.schema)
    writer.write(table)
    writer.write(table.slice(0, 1))
    writer.close()
    assert (tmp_path / "o.csv").read_text().splitlines() == [
        '0,"a,b",prediction,probability',
        '1,"x",1,"0.50000000"',
        '2,"y",0,"1.25"',
        '1,"x",1,"0.50000000"',
    ]


def test_csv_writer_quotes_nothing_without_text_columns(tmp_path: Path) -> None:
    table = scored(**{"0": [1, 22], "1": [0.5, 1.0]})
    writer = open_writer("csv", tmp_path / "o.csv", table.schema)
    writer.write(table)
    writer.close()
    assert (tmp_path / "o.csv").read_text().splitlines() == [
        "0,1,prediction,probability",
        "1,0.5,1,0.50000000",
        "22,1,0,1.25",
    ]


def test_csv_writer_takes_the_fast_path_and_the_general_one_in_order(tmp_path: Path) -> None:
    digits = pa.table(
        {
            "0": pa.array([1, 0], pa.uint8()),
            "prediction": pa.array([1, 0], pa.int8()),
            "probability": pa.array([0.75, 0.25], pa.float32()),
        }
    )
    text = pa.table(
        {
            "0": ["1.0"],
            "prediction": pa.array([1], pa.int8()),
            "probability": pa.array([0.5], pa.float32()),
        }
    )
    writer = open_writer("csv", tmp_path / "o.csv", digits.schema, as_text=True)
    writer.write(digits)
    writer.write(text)
    writer.write(digits.slice(1))
    writer.close()
    assert (tmp_path / "o.csv").read_text().splitlines() == [
        "0,prediction,probability",
        "1,1,0.75000000",
        "0,0,0.25000000",
        "1.0,1,0.50000000",
        "0,0,0.25000000",
    ]


def test_parquet_writer_keeps_the_first_tables_types(tmp_path: Path) -> None:
    table = pa.table({"0": [1], "prediction": pa.array([1], pa.int8())})
    writer = open_writer("parquet", tmp_path / "o.parquet", table.schema)
    writer.write(table)
    writer.write(pa.table({"0": pa.array([2], pa.int32()), "prediction": pa.array([0], pa.int8())}))
    writer.close()
    assert pq.read_table(tmp_path / "o.parquet").to_pydict() == {"0": [1, 2], "prediction": [1, 0]}
