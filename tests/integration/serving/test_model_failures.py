"""A model that fails while predicting: a 500 without a traceback, and the server keeps
serving (a real pyfunc model, served through the runtime's pyfunc path)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import MlflowServer
from tests.integration.serving.conftest import BOOK_ROW, unique_model_name


class FailsOnSeven:
    """A pyfunc model: the sum of each row, and a crash when a row holds a 7."""

    def predict(self, context, model_input, params=None):
        # No type hints: MLflow would try to infer a signature from them.
        if (model_input == 7).any().any():
            raise ValueError("seven is unlucky")
        return model_input.sum(axis=1).to_numpy()


def _register(mlflow_server: MlflowServer, name: str) -> None:
    import mlflow
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.models import infer_signature
    from mlflow.pyfunc.model import PythonModel

    model = type("FailsOnSevenModel", (FailsOnSeven, PythonModel), {})()
    frame = pd.DataFrame([BOOK_ROW])
    mlflow.set_tracking_uri(mlflow_server.url)
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=model,
            signature=infer_signature(frame, frame.sum(axis=1).to_numpy()),
            registered_model_name=name,
        )
    MlflowClient(mlflow_server.url).transition_model_version_stage(
        name, str(info.registered_model_version), "Production"
    )


def test_model_failure_answers_500_without_traceback_and_keeps_serving(
    start_api: Any, mlflow_server: MlflowServer, caplog: pytest.LogCaptureFixture
) -> None:
    name = unique_model_name("fails-on-seven")
    _register(mlflow_server, name)
    api = start_api(f"models:/{name}/Production")
    reference = f"models:/{name}/Production"
    assert httpx.get(f"{api.url}/health").json()["flavor"] == "pyfunc"

    failed = httpx.post(f"{api.url}/invocations", json={"instances": [[7] * 14]})
    assert failed.status_code == 500
    assert failed.json() == {
        "error_code": "INTERNAL_ERROR",
        "message": f"model {reference} failed while predicting 1 rows: ValueError",
    }
    assert "Traceback" not in failed.text
    assert any("seven is unlucky" in (record.exc_text or "") for record in caplog.records)

    ok = httpx.post(f"{api.url}/invocations", json={"instances": [BOOK_ROW, [1] * 14]})
    assert ok.status_code == 200
    assert ok.json() == {"predictions": [sum(BOOK_ROW), 14]}
