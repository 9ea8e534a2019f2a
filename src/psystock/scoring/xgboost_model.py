"""The fast path: a native XGBoost ``Booster`` scored with ``inplace_predict``.

Models logged with ``mlflow.xgboost`` whose ``model_class`` is ``xgboost.core.Booster`` (the
book's model) load here without ``import mlflow``. ``inplace_predict`` on a C-contiguous
float32 matrix returns what ``mlflow.pyfunc``'s ``predict`` returns for a Booster (which
calls ``Booster.predict(DMatrix(frame))``): for ``binary:logistic``, 1-D float32
probabilities (called through ``DensePredictor``, without ``inplace_predict``'s per-call
overhead). scikit-learn-style models (``XGBClassifier``...) take the pyfunc path instead,
so their output stays exactly what pyfunc gives (class labels for ``predict``).
"""

from __future__ import annotations

import logging
import shlex
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from psystock.errors import ModelLoadError, ScoringError
from psystock.scoring.inputs import PreparedInput
from psystock.scoring.legacy_xgboost import is_legacy_binary
from psystock.scoring.mlmodel import XGBOOST_FLAVOR, MLmodelFile
from psystock.scoring.model import LoadedModel, ModelInfo, Prediction
from psystock.scoring.xgboost_inplace import DensePredictor

logger = logging.getLogger(__name__)

BOOSTER_CLASS = "xgboost.core.Booster"
LEGACY_FORMAT_HELP = (
    "it is in XGBoost's legacy binary format, which this XGBoost ({version}) cannot read "
    "(removed in 3.1): run `psystock models upgrade {reference}` to rewrite it as UBJ"
)


def import_xgboost() -> ModuleType:
    """Import xgboost, without scikit-learn when nothing has imported scikit-learn yet.

    When scikit-learn is installed (MLflow depends on it) xgboost imports it eagerly for its
    sklearn-style estimators: about 1 s and 170 MB of RSS that a native Booster never uses,
    and that would put the batch job over its memory target and slow the API's cold start.
    A ``None`` entry in ``sys.modules`` makes ``import sklearn`` fail inside xgboost for the
    duration of the import only. The price: in this process xgboost's sklearn estimators are
    unavailable, so it is done only when sklearn is not loaded already.
    """
    if "xgboost" in sys.modules or "sklearn" in sys.modules:
        import xgboost

        return xgboost
    sys.modules["sklearn"] = None  # type: ignore[assignment]
    try:
        import xgboost
    finally:
        if sys.modules.get("sklearn", 0) is None:
            del sys.modules["sklearn"]
    return xgboost


def is_native_booster(mlmodel: MLmodelFile) -> bool:
    """Whether the model is a native Booster logged with the xgboost flavor."""
    flavor = mlmodel.flavors.get(XGBOOST_FLAVOR)
    return bool(flavor) and flavor.get("model_class", BOOSTER_CLASS) == BOOSTER_CLASS  # type: ignore[union-attr]


class XGBoostModel(LoadedModel):
    """A native XGBoost Booster."""

    dtype = np.float32
    is_thread_safe = True  # XGBoost predicts concurrently on one Booster since 1.4

    def __init__(self, info: ModelInfo, mlmodel: MLmodelFile, booster: Any) -> None:
        super().__init__(info, mlmodel.schema, int(booster.num_features()))
        self.booster = booster
        self._predict_dense = DensePredictor(booster)

    @classmethod
    def load(cls, info: ModelInfo, mlmodel: MLmodelFile) -> XGBoostModel:
        """Load the booster file named by the MLmodel's xgboost flavor.

        Raises:
            ModelLoadError: the file is missing or unreadable; for a legacy binary model,
                the message names the ``psystock models upgrade`` command to run.
        """
        xgb = import_xgboost()
        data = mlmodel.flavors[XGBOOST_FLAVOR].get("data", "model.xgb")
        path = mlmodel.path / data
        if not path.is_file():
            raise ModelLoadError(
                f"model {info.reference}: expected the booster file {path}, found none"
            )
        booster = xgb.Booster()
        try:
            with warnings.catch_warnings():
                # Models logged by older MLflow are UBJSON files named model.xgb; XGBoost
                # reads them fine but warns that it guesses the format from the contents.
                warnings.filterwarnings(
                    "ignore", message=".*Unknown file format", category=UserWarning
                )
                booster.load_model(str(path))
        except xgb.core.XGBoostError as exc:
            raise ModelLoadError(_load_failure(info.reference, path, xgb.__version__, exc)) from exc
        return cls(info, mlmodel, booster)

    def limit_threads(self, threads: int) -> None:
        """Set XGBoost's ``nthread`` for this booster's predictions."""
        self.booster.set_param({"nthread": threads})

    def predict(self, prepared: PreparedInput) -> Prediction:
        """Probabilities (or scores) of the booster's objective, one per row, as float32."""
        matrix = prepared.matrix
        if matrix.dtype != np.float32 or not matrix.flags.c_contiguous:
            matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        try:
            return self._predict_dense(matrix)
        except Exception as exc:  # xgboost raises XGBoostError, ValueError, TypeError...
            logger.exception("model %s failed while predicting", self.info.reference)
            raise ScoringError(
                f"model {self.info.reference} failed while predicting {matrix.shape[0]} rows: "
                f"{type(exc).__name__}"
            ) from exc


def _load_failure(reference: str, path: Path, version: str, exc: Exception) -> str:
    if is_legacy_binary(path):
        return f"model {reference}: cannot load {path.name}: " + LEGACY_FORMAT_HELP.format(
            version=version, reference=shlex.quote(reference)
        )
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"model {reference}: cannot load {path.name} ({first_line})"
