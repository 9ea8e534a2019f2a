"""The runtime in fresh processes: what it imports, and the MlflowClient path for sqlite URIs."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from psystock.scoring import ModelInput, ScoringRuntime, XGBoostModel
from psystock.settings import load_settings
from tests.conftest import REPO_ROOT, RegisteredModel
from tests.integration.scoring.conftest import ExtraModel


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )


def test_fast_path_imports_neither_mlflow_nor_sklearn(
    registered_model: RegisteredModel, tmp_path: Path
) -> None:
    result = run_python(
        f"""
        import sys
        from psystock.scoring import ModelInput, ScoringRuntime
        from psystock.settings import load_settings
        settings = load_settings(tracking_uri={registered_model.tracking_uri!r}, home="home")
        model = ScoringRuntime(settings).load()
        print(model.info.flavor, model.predict(model.prepare(ModelInput([[1] * 14]))).shape)
        print("mlflow" in sys.modules, "sklearn" in sys.modules)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["xgboost (1,)", "False False"]


def test_sklearn_style_model_after_a_sklearn_free_import_asks_for_a_restart(
    classifier_model: ExtraModel, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    reference = f"models:/{classifier_model.name}/{classifier_model.version}"
    result = run_python(
        f"""
        from psystock.errors import ModelLoadError
        from psystock.scoring import ScoringRuntime
        from psystock.settings import load_settings
        runtime = ScoringRuntime(
            load_settings(tracking_uri={registered_model.tracking_uri!r}, home="home")
        )
        runtime.load()  # a native Booster: xgboost is imported without scikit-learn
        try:
            runtime.load({reference!r})
        except ModelLoadError as exc:
            print(exc)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"model {reference}: it is a scikit-learn-style XGBoost model, but this process "
        "imported xgboost without scikit-learn for a native Booster: restart the process to "
        "load it"
    )


def test_sqlite_tracking_uri_resolves_and_loads_through_mlflow_client(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'mlflow.db'}"
    registered = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(REPO_ROOT)!r})
        import mlflow
        from mlflow import MlflowClient
        from tests.conftest import log_xgboost_booster
        mlflow.set_tracking_uri({database!r})
        mlflow.set_experiment("e")  # artifacts under ./mlruns of the temporary directory
        version = log_xgboost_booster("sqlite-model")
        MlflowClient().set_registered_model_alias("sqlite-model", "champion", version)
        print(version)
        """,
        tmp_path,
    )
    assert registered.returncode == 0, registered.stderr
    settings = load_settings(tracking_uri=database, home=tmp_path / "home")
    runtime = ScoringRuntime(settings)
    resolved = runtime.resolve("models:/sqlite-model@champion")
    assert (resolved.name, resolved.version) == ("sqlite-model", "1")
    model = runtime.load(resolved)
    assert isinstance(model, XGBoostModel)
    assert model.predict(model.prepare(ModelInput(np.ones((3, 14))))).shape == (3,)
    assert runtime.resolve("models:/sqlite-model/latest").version == "1"
