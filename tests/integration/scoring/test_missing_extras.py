"""Without the mlflow extra: the XGBoost fast path works, a pyfunc model or a non-HTTP
registry says which extra to install (in a fresh process where mlflow cannot be imported)."""

import json
from pathlib import Path

from tests.conftest import RegisteredModel
from tests.integration.scoring.conftest import ExtraModel
from tests.integration.scoring.test_fallbacks import run_python

WITHOUT_MLFLOW = """
import json, sys
sys.modules["mlflow"] = None  # as in an install without the mlflow extra
from psystock.errors import PsystockError
from psystock.scoring import ScoringRuntime
from psystock.settings import load_settings
def attempt(tracking_uri, reference):
    runtime = ScoringRuntime(load_settings(tracking_uri=tracking_uri, home="home"))
    try:
        return runtime.load(reference).info.flavor
    except PsystockError as exc:
        return [type(exc).__name__, exc.message]
"""


def test_without_mlflow_a_pyfunc_model_asks_for_the_mlflow_extra(
    registered_model: RegisteredModel, logreg_model: ExtraModel, tmp_path: Path
) -> None:
    uri = registered_model.tracking_uri
    reference = f"models:/{logreg_model.name}/{logreg_model.version}"
    result = run_python(
        WITHOUT_MLFLOW
        + f"print(json.dumps([attempt({uri!r}, None), attempt({uri!r}, {reference!r})]))",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "xgboost",
        [
            "MissingExtraError",
            f"model {reference} (not a native XGBoost booster: pyfunc) needs mlflow, which is "
            "not installed: pip install 'psystock[mlflow]' (the mlflow extra)",
        ],
    ]


def test_without_mlflow_a_sqlite_registry_asks_for_the_mlflow_extra(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'mlflow.db'}"
    result = run_python(
        WITHOUT_MLFLOW + f"print(json.dumps(attempt({database!r}, 'models:/m/1')))", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "MissingExtraError",
        f"the MLflow client (registry at {database}) needs mlflow, which is not installed: "
        "pip install 'psystock[mlflow]' (the mlflow extra)",
    ]
