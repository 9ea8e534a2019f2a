"""The batch image, run for real on mounted files, recording its run in a registry on the host."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from psystock.deploy.docker import BuiltImage
from tests.conftest import RegisteredModel
from tests.e2e.docker.conftest import ROWS, in_process_probabilities
from tests.e2e.docker.containers import run_once


def _data_dir(tmp_path: Path) -> Path:
    """The book's layout: a folder with a headerless input.csv, writable by the image's user."""
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)
    (data / "input.csv").write_text("".join(",".join(map(str, row)) + "\n" for row in ROWS))
    return data


def test_batch_image_scores_input_csv_into_output_csv_and_records_its_run(
    batch_image: BuiltImage, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    data = _data_dir(tmp_path)
    done = run_once(
        batch_image.tag,
        environment={"MLFLOW_TRACKING_URI": registered_model.tracking_uri},
        volumes=[f"{data}:/data"],
    )
    assert done.returncode == 0, done.stderr
    with (data / "output.csv").open() as output:
        rows = list(csv.reader(output))
    assert rows[0] == [*(str(i) for i in range(14)), "prediction", "probability"]
    probabilities = np.array([float(row[-1]) for row in rows[1:]], dtype=np.float32)
    expected = in_process_probabilities(
        registered_model.tracking_uri, registered_model.uri, tmp_path / "reference"
    )
    assert np.allclose(probabilities, expected, atol=1e-6)
    assert [int(row[-2]) for row in rows[1:]] == [int(p > 0.5) for p in expected]
    run_id = re.search(r"MLflow run: (\w+)", done.stderr)
    assert run_id is not None, done.stderr
    run = MlflowClient(registered_model.tracking_uri).get_run(run_id.group(1))
    assert (run.info.status, run.info.run_name) == ("FINISHED", "batch_scoring")
    assert run.data.metrics["rows_in"] == len(ROWS)
    assert run.data.params["model_version"] == registered_model.version
    artifacts = MlflowClient(registered_model.tracking_uri).list_artifacts(run_id.group(1))
    assert [artifact.path for artifact in artifacts] == ["probability_distribution.png"]
    assert "plot worker" not in done.stderr  # drawn by the worker process, in the image too


def test_batch_image_takes_paths_and_options_as_arguments(
    batch_image: BuiltImage, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    data = _data_dir(tmp_path)
    done = run_once(
        batch_image.tag,
        ["/data/input.csv", "/data/scored.parquet", "--model", registered_model.uri],
        environment={"MLFLOW_TRACKING_URI": registered_model.tracking_uri},
        volumes=[f"{data}:/data"],
    )
    assert done.returncode == 0, done.stderr
    table = pq.read_table(data / "scored.parquet")
    assert table.num_rows == len(ROWS)
    assert table.column_names[-2:] == ["prediction", "probability"]


def test_batch_image_bad_row_exits_2_and_writes_nothing(
    batch_image: BuiltImage, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    data = _data_dir(tmp_path)
    (data / "input.csv").write_text("1,0,1,1,0,1,0,1,0,1,0,1,0,1\n1,0,x,1,0,1,0,1,0,1,0,1,0,1\n")
    done = run_once(
        batch_image.tag,
        environment={"MLFLOW_TRACKING_URI": registered_model.tracking_uri},
        volumes=[f"{data}:/data"],
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("Error: row 2, column ")
    assert sorted(path.name for path in data.iterdir()) == ["input.csv"]
