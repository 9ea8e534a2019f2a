"""Training against the real session MLflow server, each test with its own model name."""

import re
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from psystock.data.features import LABEL, build_features
from psystock.data.sources import FetchRequest, fetch_prices
from psystock.data.store import save_prices
from psystock.errors import RegistryError
from psystock.settings import Settings
from psystock.training.train import TrainingResult, train_model
from tests.conftest import MlflowServer, free_port

METRICS = ("accuracy", "f1", "precision", "recall", "log_loss", "roc_auc", "mcc")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def settings_for(home: Path, tracking_uri: str, model_name: str) -> Settings:
    return Settings(
        home=home,
        tracking_uri=tracking_uri,
        scoring={"model_name": model_name},
        training={"experiment": "psystock-training-tests", "num_boost_round": 20},
    )


@pytest.fixture(scope="module")
def btc_training(
    mlflow_server: MlflowServer, btc_csv: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, TrainingResult]:
    """One training run on the BTC-USD file, shared by the tests that inspect it."""
    home = tmp_path_factory.mktemp("home")
    settings = settings_for(home, mlflow_server.url, unique("psystock-test-btc"))
    save_prices(fetch_prices(FetchRequest("csv", btc_csv), settings), home / "prices.csv")
    return settings, train_model(settings, home / "prices.csv")


def test_train_model_logs_the_book_metrics_on_both_sets(
    btc_training: tuple[Settings, TrainingResult], mlflow_server: MlflowServer
) -> None:
    from mlflow import MlflowClient

    _, result = btc_training
    run = MlflowClient(mlflow_server.url).get_run(result.run_id)

    for split in ("train", "test"):
        for name in METRICS:
            key = f"{split}_{name}"
            assert run.data.metrics[key] == pytest.approx(result.metrics[key]), key
    assert 0.3 < run.data.metrics["test_accuracy"] < 0.7  # a coin-flip-ish market, honestly
    assert run.data.metrics["train_accuracy"] > 0.5
    assert run.info.status == "FINISHED"


def test_train_model_logs_params_and_labels_the_data_source(
    btc_training: tuple[Settings, TrainingResult], mlflow_server: MlflowServer, btc_csv: Path
) -> None:
    from mlflow import MlflowClient

    _, result = btc_training
    run = MlflowClient(mlflow_server.url).get_run(result.run_id)

    params = run.data.params
    assert params["data_source"] == run.data.tags["data_source"] == f"csv:{btc_csv.resolve()}"
    assert result.data_source == params["data_source"]
    assert (params["objective"], params["max_depth"], params["eta"]) == (
        "binary:logistic", "3", "0.1",
    )  # fmt: skip
    assert (params["window_days"], params["up_threshold"], params["num_boost_round"]) == (
        "14", "1e-05", "20",
    )  # fmt: skip
    assert (params["data_first_date"], params["data_last_date"], params["data_days"]) == (
        "2014-09-17", "2024-03-31", "3484",
    )  # fmt: skip
    rows = int(params["train_rows"]) + int(params["test_rows"]) + int(params["purged_rows"])
    assert rows == 3484 - 14
    assert params["purged_rows"] == "14"
    assert params["test_rows"] == str(int(np.ceil(3470 * 0.2)))


def test_train_model_logs_the_plots_and_the_model(
    btc_training: tuple[Settings, TrainingResult], mlflow_server: MlflowServer
) -> None:
    from mlflow import MlflowClient

    _, result = btc_training
    client = MlflowClient(mlflow_server.url)

    plots = {artifact.path for artifact in client.list_artifacts(result.run_id, "plots")}
    assert plots == {"plots/confusion_matrix.png", "plots/feature_importance.png"}
    local = client.download_artifacts(result.run_id, "plots/feature_importance.png")
    assert Path(local).read_bytes().startswith(b"\x89PNG")


def test_train_model_registers_a_version_with_signature_and_input_example(
    btc_training: tuple[Settings, TrainingResult], mlflow_server: MlflowServer
) -> None:
    import mlflow
    from mlflow import MlflowClient

    settings, result = btc_training
    client = MlflowClient(mlflow_server.url)
    version = client.get_model_version(settings.scoring.model_name, result.model_version)

    assert result.model_version == "1"
    assert version.run_id == result.run_id
    assert version.tags["data_source"] == result.data_source
    assert "trained on BTC-USD daily prices from csv:" in (version.description or "")
    mlflow.set_tracking_uri(mlflow_server.url)
    info = mlflow.models.get_model_info(f"models:/{settings.scoring.model_name}/1")
    assert info.signature is not None
    # Integer-named inputs of type long, as MLflow infers them from the book's feature frame.
    assert info.signature.inputs.input_names() == list(range(14))
    assert {spec.type.name for spec in info.signature.inputs.inputs} == {"long"}
    assert [spec.type.name for spec in info.signature.outputs.inputs] == ["float64"]
    assert info.saved_input_example_info is not None
    assert result.run_url == (
        f"{mlflow_server.url}/#/experiments/{client.get_run(result.run_id).info.experiment_id}"
        f"/runs/{result.run_id}"
    )
    assert result.model_url == (
        f"{mlflow_server.url}/#/models/{settings.scoring.model_name}/versions/1"
    )


def test_registered_model_predicts_probabilities_through_pyfunc(
    btc_training: tuple[Settings, TrainingResult], mlflow_server: MlflowServer, btc_csv: Path
) -> None:
    import mlflow

    settings, _ = btc_training
    mlflow.set_tracking_uri(mlflow_server.url)
    model = mlflow.pyfunc.load_model(f"models:/{settings.scoring.model_name}/1")
    prices = fetch_prices(FetchRequest("csv", btc_csv), settings).prices.frame
    features = build_features(prices, 14, 0.00001).drop(columns=[LABEL]).tail(50)

    predictions = np.asarray(model.predict(features)).ravel()

    assert predictions.shape == (50,)
    assert ((predictions > 0) & (predictions < 1)).all()
    assert len(np.unique(predictions)) > 1  # probabilities, not 0/1 decisions


def test_train_model_on_synthetic_prices_says_so_in_the_registry(
    mlflow_server: MlflowServer, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    settings = settings_for(tmp_path, mlflow_server.url, unique("psystock-test-synthetic"))
    save_prices(
        fetch_prices(FetchRequest("synthetic", seed=3, days=400), settings),
        tmp_path / "data" / "prices.csv",
    )

    first = train_model(settings)  # the default path: HOME/data/prices.csv
    second = train_model(settings)

    assert (first.model_version, second.model_version) == ("1", "2")
    assert second.is_synthetic
    client = MlflowClient(mlflow_server.url)
    run = client.get_run(second.run_id)
    assert run.data.tags["data_source"] == run.data.params["data_source"] == "synthetic(seed=3)"
    version = client.get_model_version(settings.scoring.model_name, "2")
    assert version.tags["data_source"] == "synthetic(seed=3)"
    assert "(SYNTHETIC prices)" in (version.description or "")


def test_train_model_fails_fast_when_the_registry_is_down(tmp_path: Path) -> None:
    port = free_port()
    settings = settings_for(tmp_path, f"http://127.0.0.1:{port}", "unused")
    save_prices(
        fetch_prices(FetchRequest("synthetic", days=100), settings),
        tmp_path / "data" / "prices.csv",
    )

    expected = (
        re.escape(f"MLflow tracking server http://127.0.0.1:{port} is unreachable (ConnectError: ")
        + r".*\): start the local one with `psystock registry up`, or set MLFLOW_TRACKING_URI$"
    )
    with pytest.raises(RegistryError, match=expected):
        train_model(settings)


def test_train_model_uses_features_in_time_order_without_look_ahead(
    btc_training: tuple[Settings, TrainingResult], mlflow_server: MlflowServer
) -> None:
    from mlflow import MlflowClient

    _, result = btc_training
    params = MlflowClient(mlflow_server.url).get_run(result.run_id).data.params
    split_date = pd.Timestamp(params["split_date"])

    # The last training row's label day is the day before the first test window starts.
    last_train_label = pd.Timestamp(params["data_first_date"]) + pd.Timedelta(
        days=14 + int(params["train_rows"]) - 1
    )
    assert last_train_label == split_date - pd.Timedelta(days=1)
