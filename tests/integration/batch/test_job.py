import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from psystock.batch import BatchOptions, run_batch
from psystock.errors import ModelNotFoundError, OutputExistsError, SchemaError
from psystock.scoring import ModelInput, ScoringRuntime
from tests.conftest import RegisteredModel
from tests.integration.batch.conftest import (
    SettingsFactory,
    artifact_names,
    batch_runs,
    book_rows,
    get_run,
    write_csv,
)
from tests.integration.scoring.conftest import ExtraModel

HEADER = [str(i) for i in range(14)]


def expected_probabilities(make_settings: SettingsFactory, rows: np.ndarray) -> np.ndarray:
    model = ScoringRuntime(make_settings()).load()
    probabilities: np.ndarray = model.predict(model.prepare(ModelInput(rows)))
    return probabilities


def test_headerless_csv_gets_the_book_layout_and_a_recorded_run(
    make_settings: SettingsFactory, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    rows = book_rows(60)
    source = write_csv(tmp_path / "input.csv", rows)
    target = tmp_path / "output.csv"
    settings = make_settings()
    report = run_batch(settings, str(source), str(target))

    out = pcsv.read_csv(target)
    assert out.schema.names == [*HEADER, "prediction", "probability"]
    assert out.num_rows == 60
    np.testing.assert_array_equal(np.column_stack([out.column(c) for c in HEADER]), rows)
    expected = expected_probabilities(make_settings, rows)
    np.testing.assert_allclose(out.column("probability").to_pylist(), expected, rtol=1e-6)
    assert out.column("prediction").to_pylist() == [1 if p > 0.5 else 0 for p in expected]
    assert (report.rows_in, report.rows_out, report.rows_quarantined) == (60, 60, 0)
    assert report.positive_rate == pytest.approx(float(np.mean(expected > 0.5)))
    assert (report.model_name, report.model_version) == (
        registered_model.name,
        registered_model.version,
    )

    run = get_run(settings, str(report.run_id))
    assert run.info.run_name == "batch_scoring"
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert params["model_name"] == registered_model.name
    assert params["model_version"] == registered_model.version
    assert params["reference"] == f"models:/{registered_model.name}/Production"
    assert params["input"] == str(source.resolve())
    assert params["output"] == str(target.resolve())
    assert params["threshold"] == "0.5"
    metrics = run.data.metrics
    assert (metrics["rows_in"], metrics["rows_out"], metrics["rows_quarantined"]) == (60, 60, 0)
    assert metrics["positive_rate"] == pytest.approx(report.positive_rate)
    assert metrics["duration_s"] > 0
    assert metrics["rows_per_s"] > 0
    assert artifact_names(settings, str(report.run_id)) == ["probability_distribution.png"]


def test_csv_with_header_and_extra_columns_maps_by_name_and_keeps_them(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    rows = book_rows(5)
    shuffled = list(reversed(HEADER))
    lines = [[f"2024-01-0{i + 1}", *row[::-1]] for i, row in enumerate(rows.tolist())]
    source = write_csv(tmp_path / "in.csv", lines, header=["date", *shuffled])
    target = tmp_path / "out.csv"
    run_batch(make_settings(), str(source), str(target))
    out = pcsv.read_csv(
        target, convert_options=pcsv.ConvertOptions(column_types={"date": pa.string()})
    )
    assert out.schema.names == ["date", *shuffled, "prediction", "probability"]
    assert out.column("date").to_pylist()[0] == "2024-01-01"
    np.testing.assert_allclose(
        out.column("probability").to_pylist(),
        expected_probabilities(make_settings, rows),
        rtol=1e-6,
    )


def test_csv_to_csv_copies_the_input_text_unchanged(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    lines = ["1,0,1,0,1,0,1,0,1,0,1,0,1,0", "1.0, 0,1,0,1,0,1,0,1,0,1,0,1,0"]
    source = tmp_path / "in.csv"
    source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    target = tmp_path / "out.csv"
    run_batch(make_settings(), str(source), str(target))
    written = target.read_text(encoding="utf-8").splitlines()
    assert written[0] == ",".join([*HEADER, "prediction", "probability"])
    for line, output in zip(lines, written[1:], strict=True):
        assert output.startswith(f"{line},")
    decisions = [output.split(",")[-2] for output in written[1:]]
    assert decisions[0] == decisions[1]  # the same numbers, written differently


def test_fast_and_general_blocks_interleave_in_input_order(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    rows = book_rows(20_000, seed=4)
    lines = [",".join(str(v) for v in row) for row in rows.tolist()]
    for index in range(0, len(lines), 4_999):  # a space sends its block down the general path
        lines[index] = " " + lines[index]
    source = tmp_path / "in.csv"
    source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    target = tmp_path / "out.csv"
    settings = make_settings(batch={"block_size_bytes": 65_536})
    report = run_batch(settings, str(source), str(target))
    written = target.read_text(encoding="utf-8").splitlines()[1:]
    assert report.rows_out == len(written) == 20_000
    probabilities = []
    for line, output in zip(lines, written, strict=True):
        assert output.startswith(f"{line},")
        decision, probability = output.rsplit(",", 2)[1:]
        assert len(probability) == 10  # 0.xxxxxxxx on both paths
        probabilities.append(float(probability))
        assert decision == ("1" if float(probability) > 0.5 else "0")
    np.testing.assert_allclose(
        probabilities, expected_probabilities(make_settings, rows), atol=1e-7
    )


def test_parquet_in_and_out(make_settings: SettingsFactory, tmp_path: Path) -> None:
    rows = book_rows(20)
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({name: rows[:, i] for i, name in enumerate(HEADER)}), source)
    target = tmp_path / "out.parquet"
    report = run_batch(make_settings(), str(source), str(target))
    out = pq.read_table(target)
    assert out.schema.names == [*HEADER, "prediction", "probability"]
    assert str(out.schema.field("prediction").type) == "int8"
    np.testing.assert_allclose(
        out.column("probability").to_pylist(),
        expected_probabilities(make_settings, rows),
        rtol=1e-6,
    )
    assert report.rows_out == 20


def test_csv_to_parquet_by_option(make_settings: SettingsFactory, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(3))
    target = tmp_path / "out.data"
    run_batch(make_settings(), str(source), str(target), BatchOptions(output_format="parquet"))
    assert pq.read_table(target).num_rows == 3


def test_many_blocks_with_bad_rows_keep_exact_row_numbers_in_quarantine(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    rows = book_rows(30_000, seed=9).tolist()
    rows[7] = [1] * 13
    rows[25_001][3] = "x"
    rows[29_999][0] = ""
    source = write_csv(tmp_path / "in.csv", rows)
    target = tmp_path / "out.csv"
    settings = make_settings(batch={"on_error": "quarantine", "block_size_bytes": 65_536})
    report = run_batch(settings, str(source), str(target))
    assert (report.rows_in, report.rows_out, report.rows_quarantined) == (30_000, 29_997, 3)
    assert report.rows_in == report.rows_out + report.rows_quarantined
    assert pcsv.read_csv(target).num_rows == 29_997
    with Path(f"{target}.quarantine.csv").open(newline="") as handle:
        quarantined = list(csv.DictReader(handle))
    assert [(q["row"], q["reason"]) for q in quarantined] == [
        ("8", "expected 14 columns, got 13"),
        ("25002", "column 3: expected a number, got 'x'"),
        ("30000", "column 0: expected a number, got ''"),
    ]
    assert quarantined[0]["raw"] == ",".join(["1"] * 13)
    run = get_run(settings, str(report.run_id))
    assert run.data.metrics["rows_quarantined"] == 3


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["1,0,1,0,1,0,1,0,1,0,1,0,1,0", "1,0,1,0,1,0,1,x,1,0,1,0,1,0"],
            r"^row 2, column 7: expected a number, got 'x'$",
        ),
        (["1,0,1,0,1,0,1,0,1,0,1,0,1,0", "1,0,1"], r"^row 2: expected 14 columns, got 3$"),
        (["1,0,1,0,1,0,1,0,1,0,1,0,1,0,1"], r"^row 1: expected 14 columns, got 15$"),
        (["1,0,1,0,1,0,1,0,1,0,1,0,1,0.5"], r"^row 1, column 13: expected an integer, got '0.5'$"),
        ([], r"^expected at least one row, got an empty input \(.*in.csv\)$"),
        ([",".join(HEADER)], r"^expected at least one row, got a header and no rows$"),
    ],
)
def test_bad_input_stops_the_job_writes_nothing_and_records_a_failed_run(
    make_settings: SettingsFactory, tmp_path: Path, lines: list[str], message: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    settings = make_settings()
    with pytest.raises(SchemaError, match=message) as caught:
        run_batch(settings, str(source), str(tmp_path / "out.csv"))
    assert caught.value.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "in.csv"]
    (run,) = batch_runs(settings)
    assert run.info.status == "FAILED"
    assert run.data.tags["error_type"] == "SchemaError"
    assert run.data.tags["error"] == caught.value.message


def test_a_wrong_count_before_a_bad_value_is_reported_first(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", [[1] * 14, [1] * 12, [1] * 13 + ["x"]])
    with pytest.raises(SchemaError, match=r"^row 2: expected 14 columns, got 12$"):
        run_batch(make_settings(), str(source), str(tmp_path / "out.csv"))


def test_existing_output_needs_overwrite(make_settings: SettingsFactory, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(2))
    target = tmp_path / "out.csv"
    target.write_text("previous\n")
    with pytest.raises(
        OutputExistsError, match=r"^output .*out.csv already exists: pass --overwrite"
    ):
        run_batch(make_settings(), str(source), str(target))
    assert target.read_text() == "previous\n"
    run_batch(make_settings(), str(source), str(target), BatchOptions(overwrite=True))
    assert target.read_text().startswith("0,1,2")


def test_threshold_from_settings_decides(make_settings: SettingsFactory, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(30))
    low = run_batch(make_settings(scoring={"threshold": 0.0}), str(source), str(tmp_path / "a.csv"))
    high = run_batch(
        make_settings(scoring={"threshold": 1.0}), str(source), str(tmp_path / "b.csv")
    )
    assert (low.positive_rate, high.positive_rate) == (1.0, 0.0)


def test_string_named_pyfunc_model_scores_header_and_headerless_input(
    make_settings: SettingsFactory, logreg_model: ExtraModel, tmp_path: Path
) -> None:
    rows = book_rows(10)
    names = [f"f{i}" for i in range(14)]
    reference = f"models:/{logreg_model.name}/{logreg_model.version}"
    settings = make_settings(scoring={"model_uri": reference})
    with_header = write_csv(tmp_path / "h.csv", rows, header=names)
    headerless = write_csv(tmp_path / "n.csv", rows)
    run_batch(settings, str(with_header), str(tmp_path / "h.out.csv"))
    report = run_batch(settings, str(headerless), str(tmp_path / "n.out.csv"))
    by_name = pcsv.read_csv(tmp_path / "h.out.csv")
    by_position = pcsv.read_csv(tmp_path / "n.out.csv")
    assert by_name.schema.names == [*names, "prediction", "probability"]
    model = ScoringRuntime(settings).load()
    labels = np.asarray(model.predict(model.prepare(ModelInput(rows))), dtype=float)
    assert by_name.column("probability").to_pylist() == labels.tolist()
    assert by_position.column("probability").to_pylist() == labels.tolist()
    assert report.model_name == logreg_model.name


def test_unknown_model_fails_before_writing_and_is_recorded(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(2))
    settings = make_settings(scoring={"model_uri": "models:/no-such-model/Production"})
    with pytest.raises(ModelNotFoundError, match=r"^model models:/no-such-model/Production: "):
        run_batch(settings, str(source), str(tmp_path / "out.csv"))
    assert not (tmp_path / "out.csv").exists()
    (run,) = batch_runs(settings)
    assert run.info.status == "FAILED"
    assert run.data.tags["error_type"] == "ModelNotFoundError"


def test_job_runs_unrecorded_with_a_local_model_when_the_registry_is_down(
    make_settings: SettingsFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.conftest import free_port

    runtime = ScoringRuntime(make_settings())
    model_dir = runtime.fetch(runtime.resolve())
    source = write_csv(tmp_path / "in.csv", book_rows(4))
    from psystock.settings import load_settings

    offline = load_settings(
        tracking_uri=f"http://127.0.0.1:{free_port()}",
        home=tmp_path / "home",
        scoring={"model_uri": str(model_dir)},
    )
    report = run_batch(offline, str(source), str(tmp_path / "out.csv"))
    assert report.run_id is None
    assert report.rows_out == 4
    assert "this batch job is not recorded in MLflow" in caplog.text


def test_a_sqlite_registry_records_the_run_through_mlflow_client_in_the_background(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    from psystock.settings import load_settings

    runtime = ScoringRuntime(make_settings())
    model_dir = runtime.fetch(runtime.resolve())
    source = write_csv(tmp_path / "in.csv", book_rows(6))
    database = f"sqlite:///{tmp_path / 'mlflow.db'}"
    local = load_settings(
        tracking_uri=database,
        home=tmp_path / "home",
        scoring={"model_uri": str(model_dir)},
        batch={"experiment": "sqlite-batch"},
    )
    report = run_batch(local, str(source), str(tmp_path / "out.csv"))
    assert report.run_id is not None
    run = MlflowClient(database).get_run(report.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.metrics["rows_out"] == 6
    assert run.data.tags["psystock.job"] == "batch_scoring"
