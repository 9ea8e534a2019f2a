"""The quickstart's steps in-process, against the session MLflow server (MLFLOW_TRACKING_URI).

With a tracking URI set the registry step uses that server instead of starting one; the
subprocess run with its own registry is in ``tests/e2e/test_quickstart.py``.
"""

import uuid
from pathlib import Path

from psystock.quickstart import QuickstartOptions, run_quickstart
from psystock.settings import Settings
from tests.conftest import MlflowServer, free_port


def test_quickstart_with_yahoo_unreachable_trains_on_synthetic_and_promotes(
    mlflow_server: MlflowServer, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    name = f"psystock-test-quickstart-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        home=tmp_path,
        tracking_uri=mlflow_server.url,
        scoring={"model_name": name},
        data={"yahoo_proxy": f"http://127.0.0.1:{free_port()}", "synthetic_days": 300},
        training={"num_boost_round": 10},
    )
    said: list[str] = []

    run = run_quickstart(settings, QuickstartOptions(source="auto"), said.append)

    assert said[0] == f"Registry: using {mlflow_server.url} (MLFLOW_TRACKING_URI)."
    assert said[1].startswith("Data: cannot fetch BTC-USD from Yahoo Finance: ConnectionError: ")
    assert said[2] == "Data: falling back to SYNTHETIC prices (generated, not market data)."
    assert said[-1] == (
        f"Promotion: {name} version 1: stage Production, alias production "
        "(trained on SYNTHETIC prices)."
    )
    assert [label for label, _ in run.summary] == [
        "MLflow UI", "Data", "Run", "Test metrics", "Model",
    ]  # fmt: skip
    assert run.summary[0] == ("MLflow UI", f"{mlflow_server.url}/#/models/{name}")
    assert run.registry is None  # nothing started, so nothing to stop
    version = MlflowClient(mlflow_server.url).get_model_version_by_alias(name, "production")
    assert (version.version, version.current_stage) == ("1", "Production")
    assert run.training is not None
    assert version.run_id == run.training.run_id
