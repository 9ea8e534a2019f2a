"""The quickstart's steps in-process, against the session MLflow server (MLFLOW_TRACKING_URI).

With a tracking URI set the registry step uses that server instead of starting one; the
subprocess run with its own registry is in ``tests/e2e/test_quickstart.py``.
"""

import re
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
        serving={"port": 0, "poll_interval_s": 0},
    )
    said: list[str] = []

    run = run_quickstart(
        settings, QuickstartOptions(source="auto", should_serve=False), said.append
    )

    assert said[0] == f"Registry: using {mlflow_server.url} (MLFLOW_TRACKING_URI)."
    # yfinance words the failure its own way (a connection error, or "possibly delisted"
    # once its session has failed before in this process): psystock's part is pinned.
    assert said[1].startswith("Data: cannot fetch BTC-USD from Yahoo Finance: ")
    assert said[2] == "Data: falling back to SYNTHETIC prices (generated, not market data)."
    assert said[-4] == (
        f"Promotion: {name} version 1: stage Production, alias production "
        "(trained on SYNTHETIC prices)."
    )
    assert said[-3] == (
        f"Batch: scoring 200 rows of {tmp_path / 'batch' / 'input.csv'} with "
        f"models:/{name}/Production..."
    )
    assert re.fullmatch(
        rf"Batch: 200 rows scored by version 1 \(\d+% predicted up\) -> "
        rf"{re.escape(str((tmp_path / 'batch' / 'output.csv').resolve()))}\.",
        said[-2],
    )
    assert re.fullmatch(
        r"API: serving at http://127\.0\.0\.1:\d+; the book's example row scores "
        r"\{\"predictions\":\[0\.\d+\]\}\.",
        said[-1],
    )
    assert [label for label, _ in run.summary] == [
        "MLflow UI", "Data", "Run", "Test metrics", "Model", "Batch job", "Batch run", "API",
    ]  # fmt: skip
    assert re.fullmatch(
        r"answered, then stopped \(--no-serve\); `psystock serve` serves it on"
        r" http://127\.0\.0\.1:\d+",
        run.summary[-1][1],
    )  # no curl command: nothing listens any more
    assert run.api is None  # --no-serve stops it once it has answered
    assert run.summary[0] == ("MLflow UI", f"{mlflow_server.url}/#/models/{name}")
    assert run.registry is None  # nothing started, so nothing to stop
    version = MlflowClient(mlflow_server.url).get_model_version_by_alias(name, "production")
    assert (version.version, version.current_stage) == ("1", "Production")
    assert run.training is not None
    assert version.run_id == run.training.run_id

    output = (tmp_path / "batch" / "output.csv").read_text().splitlines()
    assert len(output) == 201  # a header, then one line per input row
    client = MlflowClient(mlflow_server.url)
    experiment = client.get_experiment_by_name("psystock-batch")
    assert experiment is not None
    runs = client.search_runs(
        [experiment.experiment_id], filter_string=f"params.model_name = '{name}'"
    )
    assert [r.info.run_name for r in runs] == ["batch_scoring"]
    assert runs[0].data.metrics["rows_out"] == 200
