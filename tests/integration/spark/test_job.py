"""``run_spark_batch`` in Spark local mode against the session MLflow server."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession

from psystock.batch import BatchOptions, run_batch
from psystock.errors import InputError, OutputExistsError, SchemaError
from psystock.spark import run_spark_batch
from tests.conftest import RegisteredModel
from tests.integration.batch.conftest import (
    SettingsFactory,
    artifact_names,
    book_rows,
    get_run,
    write_csv,
)
from tests.integration.spark.conftest import read_parts, sorted_rows

HEADER = [str(i) for i in range(14)]
GOOD = ",".join(["1", "0"] * 7)


def visible(folder: Path) -> list[str]:
    return sorted(
        p.name for p in folder.iterdir() if not p.name.startswith(".") and p.name != "home"
    )


def test_same_output_as_the_local_engine_and_the_same_run_record(
    spark: SparkSession,
    make_settings: SettingsFactory,
    registered_model: RegisteredModel,
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "input.csv", book_rows(500, seed=9))
    settings = make_settings()
    local = run_batch(settings, str(source), str(tmp_path / "local.parquet"))
    report = run_spark_batch(settings, str(source), str(tmp_path / "spark.parquet"))

    expected = pq.read_table(tmp_path / "local.parquet")
    scored = read_parts(tmp_path / "spark.parquet")
    assert scored.schema == expected.schema
    assert sorted_rows(scored) == sorted_rows(expected)
    assert (report.rows_in, report.rows_out, report.rows_quarantined) == (500, 500, 0)
    assert report.positives == local.positives
    assert (report.model_name, report.model_version) == (
        registered_model.name,
        registered_model.version,
    )
    run = get_run(settings, str(report.run_id))
    assert run.info.status == "FINISHED"
    assert run.data.params["engine"] == "spark"
    assert run.data.params["input"] == f"file:{source}"
    assert run.data.params["model_version"] == registered_model.version
    metrics = run.data.metrics
    assert (metrics["rows_in"], metrics["rows_out"], metrics["rows_quarantined"]) == (500, 500, 0)
    assert metrics["positive_rate"] == pytest.approx(local.positive_rate)
    assert metrics["rows_per_s"] > 0
    assert artifact_names(settings, str(report.run_id)) == ["probability_distribution.png"]


def test_csv_output_matches_the_local_engine_text(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    rows = book_rows(40, seed=3)
    source = write_csv(tmp_path / "input.csv", rows, header=HEADER)
    settings = make_settings()
    run_batch(settings, str(source), str(tmp_path / "local.csv"))
    run_spark_batch(settings, str(source), str(tmp_path / "spark"))

    lines = (tmp_path / "local.csv").read_text().splitlines()
    parts = sorted((tmp_path / "spark").glob("part-*.csv"))
    spark_lines = [line for part in parts for line in part.read_text().splitlines()]
    assert spark_lines[0] == lines[0] == ",".join([*HEADER, "prediction", "probability"])
    assert sorted(set(spark_lines[1:]) - {lines[0]}) == sorted(lines[1:])


def test_a_bad_value_in_a_later_split_names_its_row_in_the_file(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path, small_splits: None
) -> None:
    lines = [GOOD] * 300
    lines[250] = GOOD[:14] + "x" + GOOD[15:]  # row 251, column 7 (the 8th)
    source = tmp_path / "input.csv"
    source.write_text("\n".join(lines) + "\n")
    with pytest.raises(SchemaError, match=r"^row 251, column 7: expected a number, got 'x'$"):
        run_spark_batch(make_settings(), str(source), str(tmp_path / "out"))
    assert visible(tmp_path) == ["input.csv"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_row_of_the_wrong_width_after_a_header_and_blank_lines(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path, small_splits: None
) -> None:
    lines = [",".join(HEADER)] + [GOOD] * 100 + [""] * 3 + [GOOD] * 100 + ["1,0,1"]
    source = tmp_path / "input.csv"
    source.write_text("\n".join(lines) + "\n")
    with pytest.raises(SchemaError, match=r"^row 201: expected 14 columns, got 3$"):
        run_spark_batch(make_settings(), str(source), str(tmp_path / "out.parquet"))
    assert visible(tmp_path) == ["input.csv"]


def test_quarantine_writes_good_rows_and_numbered_bad_rows_across_splits(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path, small_splits: None
) -> None:
    lines = [GOOD] * 200
    lines[3] = "1,0,1"
    lines[150] = GOOD[:-1] + "?"
    source = tmp_path / "input.csv"
    source.write_text("\n".join(lines) + "\n")
    settings = make_settings(batch={"on_error": "quarantine"})
    report = run_spark_batch(settings, str(source), str(tmp_path / "out.parquet"))

    assert (report.rows_in, report.rows_out, report.rows_quarantined) == (200, 198, 2)
    assert read_parts(tmp_path / "out.parquet").num_rows == 198
    assert report.quarantine == f"file:{tmp_path}/out.parquet.quarantine.csv"
    parts = sorted((tmp_path / "out.parquet.quarantine.csv").glob("part-*.csv"))
    assert [line for part in parts for line in part.read_text().splitlines()] == [
        "row,reason,raw",
        '4,"expected 14 columns, got 3","1,0,1"',
        f'151,"column 13: expected a number, got \'?\'","{GOOD[:-1]}?"',
    ]
    run = get_run(settings, str(report.run_id))
    assert run.data.metrics["rows_quarantined"] == 2


def test_parquet_directory_in_names_the_file_of_a_bad_row(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "in.parquet"
    folder.mkdir()
    rows = book_rows(90, seed=4)
    for part in range(3):
        chunk = rows[part * 30 : (part + 1) * 30]
        pq.write_table(
            pa.table({name: chunk[:, i] for i, name in enumerate(HEADER)}),
            folder / f"part-{part}.parquet",
        )
    settings = make_settings()
    report = run_spark_batch(settings, str(folder), str(tmp_path / "out.parquet"))
    assert report.rows_out == 90
    scored = read_parts(tmp_path / "out.parquet")
    local = run_batch(settings, str(folder / "part-1.parquet"), str(tmp_path / "one.parquet"))
    assert local.rows_out == 30
    assert set(sorted_rows(pq.read_table(tmp_path / "one.parquet"))) <= set(sorted_rows(scored))

    bad = pa.table(
        {name: pa.array([1, 1, 1, 1, None if name == "6" else 1], pa.int64()) for name in HEADER}
    )
    pq.write_table(bad, folder / "part-3.parquet")
    with pytest.raises(
        SchemaError,
        match=rf"^input file:{folder}/part-3.parquet, row 5, column 6: "
        r"expected a number, got null$",
    ):
        run_spark_batch(settings, str(folder), str(tmp_path / "again.parquet"))


def test_existing_output_needs_overwrite(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "input.csv", book_rows(5))
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(
        OutputExistsError,
        match=rf"^output {target} already exists: pass --overwrite to replace it$",
    ):
        run_spark_batch(make_settings(), str(source), str(target))
    assert (target / "old.txt").exists()
    options = BatchOptions(overwrite=True)
    assert run_spark_batch(make_settings(), str(source), str(target), options).rows_out == 5
    assert not (target / "old.txt").exists()
    assert visible(tmp_path) == ["input.csv", "out"]


def test_missing_input_and_stdin_are_refused(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    with pytest.raises(
        InputError, match=rf"^input {tmp_path}/nope.csv: expected a file or directory, found none$"
    ):
        run_spark_batch(make_settings(), str(tmp_path / "nope.csv"), str(tmp_path / "out"))
    with pytest.raises(
        InputError,
        match=r"^--engine spark reads and writes files or directories: expected a path, got '-'$",
    ):
        run_spark_batch(make_settings(), "-", str(tmp_path / "out"))


def test_a_header_and_no_rows_is_an_error(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    source = tmp_path / "input.csv"
    source.write_text(",".join(HEADER) + "\n")
    with pytest.raises(SchemaError, match=r"^expected at least one row, got a header and no rows$"):
        run_spark_batch(make_settings(), str(source), str(tmp_path / "out"))
    assert visible(tmp_path) == ["input.csv"]
    source.write_text("\n\n")
    with pytest.raises(
        SchemaError, match=rf"^expected at least one row, got an empty input \({source}\)$"
    ):
        run_spark_batch(make_settings(), str(source), str(tmp_path / "out"))


def test_by_position_maps_a_header_of_other_names(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    rows = book_rows(20, seed=2)
    names = [f"day{i}" for i in range(14)]
    source = write_csv(tmp_path / "input.csv", rows, header=names)
    settings = make_settings()
    options = BatchOptions(by_position=True)
    run_batch(settings, str(source), str(tmp_path / "local.parquet"), options)
    report = run_spark_batch(settings, str(source), str(tmp_path / "spark.parquet"), options)
    assert report.rows_out == 20
    expected = pq.read_table(tmp_path / "local.parquet")
    scored = read_parts(tmp_path / "spark.parquet")
    assert scored.schema.names == [*names, "prediction", "probability"]
    assert sorted_rows(scored) == sorted_rows(expected)
    with pytest.raises(InputError, match=r"pass --by-position to use its first 14 columns"):
        run_spark_batch(settings, str(source), str(tmp_path / "again.parquet"))


def test_executors_unpack_the_model_in_spark_s_files_folder_not_in_tmp(
    spark: SparkSession, make_settings: SettingsFactory, tmp_path: Path
) -> None:
    from pyspark import SparkFiles

    before = set(Path(tempfile.gettempdir()).glob("psystock-model-*"))
    source = write_csv(tmp_path / "input.csv", book_rows(5))
    assert run_spark_batch(make_settings(), str(source), str(tmp_path / "out")).rows_out == 5
    # PySpark's workers end with os._exit: a folder of their own in /tmp would stay forever.
    assert set(Path(tempfile.gettempdir()).glob("psystock-model-*")) == before
    unpacked = list(Path(SparkFiles.getRootDirectory()).glob("psystock-model-*/model/MLmodel"))
    assert unpacked
