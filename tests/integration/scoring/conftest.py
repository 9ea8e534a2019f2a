"""Extra models registered in the session MLflow server for the scoring tests.

scikit-learn is imported when this module is collected, before any test runs: xgboost then
keeps its scikit-learn estimators in this process whatever the test order, so the
XGBClassifier model below can be loaded. The sklearn-free import of the fast path is tested
in a subprocess (test_xgboost_import.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sklearn  # noqa: F401  (see the module docstring)

from psystock.settings import Settings, load_settings
from tests.conftest import MlflowServer, RegisteredModel, psystock_training_frame, require

LOGREG_NAME = "psystock-test-logreg"
CLASSIFIER_NAME = "psystock-test-xgbclassifier"


@dataclass(frozen=True)
class ExtraModel:
    name: str
    version: str
    run_id: str
    model_id: str


@pytest.fixture
def settings(registered_model: RegisteredModel, tmp_path: Path) -> Settings:
    """Settings pointing at the session server, with a fresh model cache."""
    return load_settings(tracking_uri=registered_model.tracking_uri, home=tmp_path / "home")


def _register(name: str, log) -> ExtraModel:  # type: ignore[no-untyped-def]
    import mlflow

    with mlflow.start_run(run_name=f"fixture-{name}") as run:
        info = log()
    assert info.registered_model_version is not None
    return ExtraModel(name, str(info.registered_model_version), run.info.run_id, info.model_id)


@pytest.fixture(scope="session")
def logreg_model(mlflow_server: MlflowServer) -> ExtraModel:
    """An sklearn LogisticRegression with a string-named signature f0..f13 (pyfunc path)."""
    import mlflow
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(mlflow_server.url)
    features, label = psystock_training_frame(seed=11)
    features.columns = [f"f{i}" for i in range(14)]
    model = LogisticRegression().fit(features, label)
    signature = infer_signature(features, model.predict(features))
    return _register(
        LOGREG_NAME,
        lambda: mlflow.sklearn.log_model(
            model, name="model", signature=signature, registered_model_name=LOGREG_NAME
        ),
    )


@pytest.fixture(scope="session")
def classifier_model(mlflow_server: MlflowServer) -> ExtraModel:
    """An sklearn-style XGBClassifier (sent to the pyfunc path, as pyfunc returns labels)."""
    import mlflow
    import mlflow.xgboost
    import xgboost as xgb
    from mlflow.models import infer_signature

    mlflow.set_tracking_uri(mlflow_server.url)
    features, label = psystock_training_frame(seed=12)
    model = xgb.XGBClassifier(n_estimators=5, max_depth=2).fit(features, label)
    signature = infer_signature(features, model.predict(features))
    return _register(
        CLASSIFIER_NAME,
        lambda: mlflow.xgboost.log_model(
            model, name="model", signature=signature, registered_model_name=CLASSIFIER_NAME
        ),
    )


@pytest.fixture
def rows() -> list[list[int]]:
    features, _ = psystock_training_frame(rows=40, seed=21)
    rows: list[list[int]] = features.to_numpy().tolist()
    return rows


@pytest.fixture(scope="session")
def old_xgboost_models(request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """``models(version)``: ``make_models.py``'s output under that real old XGBoost.

    Built in the session that first needs it (cached in ``.pytest_cache``, so a clean clone
    builds it here; see ``tests/legacy_xgboost/environments.py``).
    """
    from tests.legacy_xgboost.environments import EnvironmentUnavailableError, legacy_models

    cache = request.config.cache
    assert cache is not None, "the old-XGBoost environments live in the pytest cache"
    root = cache.mkdir("legacy-xgboost")
    built: dict[str, Path] = {}

    def models(version: str) -> Path:
        if version not in built:
            try:
                built[version] = legacy_models(root, version)
            except EnvironmentUnavailableError as exc:
                require(False, f"XGBoost {version} from PyPI ({exc})")
        return built[version]

    return models
