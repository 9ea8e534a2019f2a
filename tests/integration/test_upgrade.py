"""``psystock models upgrade`` end to end: the book's model (written by XGBoost 1.3) registered
in a real MLflow server, refused by the batch job and the API with the command to run, upgraded
into a new version that both then score exactly as XGBoost 1.3 did."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import pyarrow.parquet as pq
import pytest

from psystock.scoring.xgboost_model import import_xgboost
from psystock.serving import BackgroundServer
from tests.conftest import MlflowServer, RunCli
from tests.integration.serving.conftest import api_settings
from tests.legacy_xgboost.cases import LegacyCase, committed_case

BOOK = committed_case("1.3.3")
INSTALLED = import_xgboost().__version__
SUMMARY = (
    "model.xgb (XGBoost 1.3 legacy binary, binary:logistic, 20 trees) -> model.ubj "
    f"(UBJ, XGBoost {INSTALLED})"
)


def register_legacy(mlflow_server: MlflowServer, name: str, case: LegacyCase) -> str:
    """Register the case's model directory as MLflow 1.x did: a run's artifacts, a version."""
    from mlflow import MlflowClient

    client = MlflowClient(mlflow_server.url)
    experiment = client.get_experiment_by_name("legacy-book")
    experiment_id = (
        experiment.experiment_id if experiment else client.create_experiment("legacy-book")
    )
    run = client.create_run(experiment_id, run_name="book-2021")
    client.log_artifacts(run.info.run_id, str(case.model_dir), "model")
    client.set_terminated(run.info.run_id)
    client.create_registered_model(name)
    version = client.create_model_version(
        name,
        f"{run.info.artifact_uri}/model",
        run_id=run.info.run_id,
        tags={"data_source": "yahoo"},
        description="The book's model.",
    )
    client.transition_model_version_stage(name, version.version, "Production")
    return str(version.version)


@pytest.fixture
def book_name(mlflow_server: MlflowServer, capsys: pytest.CaptureFixture[str]) -> str:
    """A registered model whose version 1, in Production, is the book's XGBoost 1.3 model."""
    name = f"legacy-book-{uuid.uuid4().hex[:8]}"
    assert register_legacy(mlflow_server, name, BOOK) == "1"
    capsys.readouterr()  # MLflow's "View run" lines, before the CLI runs
    return name


@pytest.fixture
def psystock(run_cli: RunCli, mlflow_server: MlflowServer, tmp_path: Path) -> RunCli:
    base = ["--tracking-uri", mlflow_server.url, "--home", str(tmp_path / "home")]
    return lambda *args: run_cli(*base, *args)


def legacy_message(reference: str) -> str:
    return (
        f"model {reference}: cannot load model.xgb: it is in XGBoost's legacy binary format, "
        f"which this XGBoost ({INSTALLED}) cannot read (removed in 3.1): run "
        f"`psystock models upgrade {reference}` to rewrite it as UBJ"
    )


def batch_probabilities(psystock: RunCli, model: str, output: Path) -> np.ndarray:
    result = psystock("batch", "score", BOOK.root / "input.csv", output, "--model", model)
    assert result.exit_code == 0, result.stderr
    values: np.ndarray = pq.read_table(output).column("probability").to_numpy()
    return values


def test_batch_on_a_legacy_version_names_the_upgrade_command(
    psystock: RunCli, book_name: str, tmp_path: Path
) -> None:
    reference = f"models:/{book_name}/Production"
    output = tmp_path / "out.parquet"
    result = psystock("batch", "score", BOOK.root / "input.csv", output, "--model", reference)

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"Error: {legacy_message(reference)}"
    assert "Traceback" not in result.stderr
    assert not output.exists()


def test_api_on_a_legacy_version_answers_503_naming_the_upgrade_command(
    mlflow_server: MlflowServer, book_name: str, tmp_path: Path
) -> None:
    reference = f"models:/{book_name}/Production"
    settings = api_settings(mlflow_server, tmp_path / "home", reference)
    with BackgroundServer(settings) as api:
        deadline = time.monotonic() + 60
        while (body := httpx.get(f"{api.url}/health").json())["message"] == "loading the model":
            assert time.monotonic() < deadline, "the API never tried to load the model"
            time.sleep(0.05)
        answer = httpx.post(f"{api.url}/invocations", json={"instances": [[1] * 14]})

    assert (body["status"], body["reference"]) == ("unavailable", reference)
    assert body["message"] == legacy_message(reference)
    assert answer.status_code == 503
    assert answer.json()["message"] == (
        f"no model loaded yet for {reference}: {legacy_message(reference)}"
    )


def test_upgrade_registers_a_new_version_that_batch_and_api_score_exactly(
    psystock: RunCli, mlflow_server: MlflowServer, book_name: str, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    result = psystock("models", "upgrade", f"models:/{book_name}/Production")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Upgraded models:/{book_name}/Production: {SUMMARY}.",
        f"Registered it as {book_name} version 2 (tag upgraded_from=models:/{book_name}/1); "
        "stages and aliases are unchanged.",
        f"To serve it: psystock promote 2 --to Production --model-name {book_name}",
    ]
    client = MlflowClient(mlflow_server.url)
    new = client.get_model_version(book_name, "2")
    assert new.tags == {
        "data_source": "yahoo",
        "upgraded_from": f"models:/{book_name}/1",
        "upgraded_from_format": "XGBoost 1.3 legacy binary (model.xgb)",
    }
    assert new.description == (
        f"Version 1 upgraded by `psystock models upgrade`: {SUMMARY}. Same trees, same "
        "predictions.\n\nThe book's model."
    )
    assert client.get_model_version(book_name, "1").current_stage == "Production"
    assert new.current_stage == "None"
    old_run_id = client.get_model_version(book_name, "1").run_id
    assert new.run_id is not None
    assert old_run_id is not None
    assert client.get_run(new.run_id).info.experiment_id == (
        client.get_run(old_run_id).info.experiment_id
    )

    promoted = psystock("promote", "2", "--to", "Production", "--model-name", book_name)
    assert promoted.exit_code == 0, promoted.stderr

    reference = f"models:/{book_name}/Production"
    scored = batch_probabilities(psystock, reference, tmp_path / "out.parquet")
    np.testing.assert_array_equal(scored, BOOK.predictions())
    settings = api_settings(mlflow_server, tmp_path / "api-home", reference)
    rows = np.loadtxt(BOOK.root / "input.csv", delimiter=",", dtype=np.int64).tolist()
    with BackgroundServer(settings) as api:
        api.wait_until_loaded(timeout_s=60)
        answer = httpx.post(f"{api.url}/invocations", json={"instances": rows})
        health = httpx.get(f"{api.url}/health").json()
    assert answer.status_code == 200, answer.text
    served = np.asarray(answer.json()["predictions"], dtype=np.float32)
    np.testing.assert_array_equal(served, BOOK.predictions())
    assert (health["version"], health["flavor"]) == ("2", "xgboost")


def test_upgrading_a_current_version_changes_nothing(
    psystock: RunCli, mlflow_server: MlflowServer, book_name: str
) -> None:
    from mlflow import MlflowClient

    assert psystock("models", "upgrade", f"models:/{book_name}/1").exit_code == 0

    again = psystock("models", "upgrade", f"models:/{book_name}/2")

    assert again.exit_code == 0, again.stderr
    assert again.stdout.splitlines() == [
        f"models:/{book_name}/2: model.ubj is already in a format this XGBoost reads; "
        "nothing to upgrade."
    ]
    versions = MlflowClient(mlflow_server.url).search_model_versions(f"name = '{book_name}'")
    assert sorted(int(version.version) for version in versions) == [1, 2]


def test_upgrade_with_output_writes_a_directory_and_leaves_the_registry(
    psystock: RunCli, mlflow_server: MlflowServer, book_name: str, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    output = tmp_path / "upgraded"
    result = psystock("models", "upgrade", f"models:/{book_name}@champion", "--output", output)
    assert result.exit_code == 1  # no such alias yet: nothing written
    assert result.said.startswith(f"Error: model models:/{book_name}@champion: ")
    assert not output.exists()
    MlflowClient(mlflow_server.url).set_registered_model_alias(book_name, "champion", "1")

    result = psystock("models", "upgrade", f"models:/{book_name}@champion", "--output", output)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Upgraded models:/{book_name}@champion: {SUMMARY}.",
        f"Wrote the upgraded model to {output}.",
    ]
    assert sorted(path.name for path in output.iterdir()) == ["MLmodel", "conda.yaml", "model.ubj"]
    versions = MlflowClient(mlflow_server.url).search_model_versions(f"name = '{book_name}'")
    assert [version.version for version in versions] == ["1"]
    np.testing.assert_array_equal(
        batch_probabilities(psystock, str(output), tmp_path / "out.parquet"), BOOK.predictions()
    )


def test_upgrade_of_a_run_reference_needs_an_output(
    psystock: RunCli, mlflow_server: MlflowServer, book_name: str
) -> None:
    from mlflow import MlflowClient

    run_id = MlflowClient(mlflow_server.url).get_model_version(book_name, "1").run_id
    reference = f"runs:/{run_id}/model"

    result = psystock("models", "upgrade", reference)

    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: model {reference} is not a registered model version, so there is no model to "
        "add the upgraded version to: pass --output DIR to write the upgraded model there"
    )


def test_upgrade_of_a_local_directory_in_place_then_batch_scores_it(
    psystock: RunCli, tmp_path: Path
) -> None:
    model_dir = Path(shutil.copytree(BOOK.model_dir, tmp_path / "book model"))

    result = psystock("models", "upgrade", model_dir)

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"Upgraded {model_dir}: {SUMMARY}.",
        f"The MLmodel in {model_dir} now points at model.ubj; model.xgb is kept but no "
        "longer used.",
    ]
    np.testing.assert_array_equal(
        batch_probabilities(psystock, str(model_dir), tmp_path / "out.parquet"), BOOK.predictions()
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["./no-such-model"], 1, "model ./no-such-model: expected a model directory, found none"),
        (
            [str(committed_case("1.3.3", "dart").model_dir), "--output", "{tmp}/out"],
            1,
            "model {dart}: model.xgb holds a 'dart' booster (objective binary:logistic, written "
            "by XGBoost 1.3): only 'gbtree' boosters can be converted; load it with that "
            "XGBoost and save it with save_model('model.ubj')",
        ),
        (["models:/"], 2, "invalid model reference 'models:/': "),
    ],
    ids=["missing-path", "dart", "bad-reference"],
)
def test_upgrade_errors_are_one_line_with_an_exit_code(
    psystock: RunCli, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    dart = committed_case("1.3.3", "dart").model_dir
    argv = [arg.format(tmp=tmp_path) for arg in args]
    result = psystock("models", "upgrade", *argv)

    assert result.exit_code == code
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: {message.format(dart=dart)}")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
