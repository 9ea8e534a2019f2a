"""``mlflow run deploy/kubernetes/mlproject --env-manager local``, for real, on a test registry.

With a ``docker_env`` project MLflow ignores the environment manager and runs the entry point in
a container: it builds an image FROM the project's image with the project's files, then
``docker run``s the entry point's command in it. So this is the book's project run by MLflow's
own local backend on the real Docker engine; only the cluster of ``--backend kubernetes`` is
missing (the Job it would create is checked in tests/integration/deploy/kubernetes).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import yaml

from psystock.deploy.docker import BuiltImage
from tests.conftest import REPO_ROOT, RegisteredModel
from tests.e2e.docker.conftest import ROWS, in_process_probabilities
from tests.e2e.docker.containers import docker

PROJECT = REPO_ROOT / "deploy" / "kubernetes" / "mlproject"
MLFLOW = Path(sys.executable).parent / "mlflow"


def test_mlflow_run_of_the_mlproject_runs_the_batch_job(
    batch_image: BuiltImage, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    # The project as shipped, its image the one this session built (psystock-batch:VERSION is
    # left alone on this shared engine) and its name unique, so its image can be removed.
    project = tmp_path / "mlproject"
    shutil.copytree(PROJECT, project)
    spec = yaml.safe_load((project / "MLproject").read_text())
    spec["name"] = f"k8s-e2e-mlproject-{uuid.uuid4().hex[:6]}"
    spec["docker_env"]["image"] = batch_image.tag
    (project / "MLproject").write_text(yaml.safe_dump(spec, sort_keys=False))
    data = tmp_path / "data"
    (data / "input").mkdir(parents=True)
    (data / "output").mkdir()
    for directory in (data, data / "output"):
        directory.chmod(0o777)
    (data / "input" / "input.csv").write_text("".join(",".join(map(str, r)) + "\n" for r in ROWS))
    command = [
        str(MLFLOW), "run", str(project), "--env-manager", "local",
        "-P", f"model={registered_model.uri}",
        "-A", "network=host",  # no bridge network on this engine
        "-A", f"volume={data}:/data",
        "--experiment-name", "psystock-mlproject",
    ]  # fmt: skip
    environment = {**os.environ, "MLFLOW_TRACKING_URI": registered_model.tracking_uri}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=environment, timeout=900, check=False
        )
    finally:
        for image in docker("images", "--format", "{{.Repository}}:{{.Tag}}").split():
            if image.startswith(f"{spec['name']}:"):
                docker("rmi", image, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    with (data / "output" / "output.csv").open() as output:
        rows = list(csv.reader(output))
    assert rows[0] == [*(str(i) for i in range(14)), "prediction", "probability"]
    expected = in_process_probabilities(
        registered_model.tracking_uri, registered_model.uri, tmp_path / "reference"
    )
    probabilities = np.array([float(row[-1]) for row in rows[1:]], dtype=np.float32)
    assert np.allclose(probabilities, expected, atol=1e-6)
    # MLflow's project run finished, and the batch job recorded its own run.
    client = MlflowClient(registered_model.tracking_uri)
    experiment = client.get_experiment_by_name("psystock-mlproject")
    assert experiment is not None
    [project_run] = client.search_runs([experiment.experiment_id])
    assert project_run.info.status == "FINISHED"
    assert project_run.data.tags["mlflow.project.env"] == "docker"
    assert "MLflow run: " in done.stderr + done.stdout
