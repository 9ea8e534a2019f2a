"""The general path: any MLflow model, loaded and called through ``mlflow.pyfunc``.

Prepared rows become a pandas frame with the signature's column names (int or str, as
saved) and types, so the model sees what ``mlflow.pyfunc`` would give it from a DataFrame.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import numpy as np

from psystock.errors import ModelLoadError, ScoringError
from psystock.extras import require_extra
from psystock.scoring.inputs import PreparedInput
from psystock.scoring.mlmodel import XGBOOST_FLAVOR, MLmodelFile
from psystock.scoring.model import LoadedModel, ModelInfo, Prediction

logger = logging.getLogger(__name__)

_PANDAS_TYPES = {
    "long": "int64",
    "integer": "int32",
    "double": "float64",
    "float": "float32",
    "boolean": "bool",
}


class PyfuncModel(LoadedModel):
    """Any MLflow model, through ``mlflow.pyfunc``."""

    def __init__(self, info: ModelInfo, mlmodel: MLmodelFile, model: Any) -> None:
        super().__init__(info, mlmodel.schema, None)
        self.model = model

    @classmethod
    def load(cls, info: ModelInfo, mlmodel: MLmodelFile) -> PyfuncModel:
        """Load the model directory with ``mlflow.pyfunc.load_model``.

        Raises:
            ModelLoadError: pyfunc cannot load it.
        """
        _check_xgboost_sklearn_api(info, mlmodel)
        require_extra("mlflow", f"model {info.reference} (not a native XGBoost booster: pyfunc)")
        import mlflow.pyfunc

        try:
            model = mlflow.pyfunc.load_model(str(mlmodel.path))
        except Exception as exc:  # any flavor's loader can fail in its own way
            logger.debug("pyfunc load of %s failed", info.reference, exc_info=True)
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelLoadError(
                f"model {info.reference}: mlflow.pyfunc cannot load it ({reason})"
            ) from exc
        return cls(info, mlmodel, model)

    def predict(self, prepared: PreparedInput) -> Prediction:
        """What ``mlflow.pyfunc``'s ``predict`` returns on the rows as a typed DataFrame."""
        frame = to_frame(prepared)
        try:
            return self.model.predict(frame)
        except Exception as exc:  # the model's own code: anything can go wrong
            logger.exception("model %s failed while predicting", self.info.reference)
            raise ScoringError(
                f"model {self.info.reference} failed while predicting {prepared.n_rows} rows: "
                f"{type(exc).__name__}"
            ) from exc


def to_frame(prepared: PreparedInput) -> Any:
    """The prepared rows as a pandas DataFrame with the signature's names and types."""
    import pandas as pd

    frame = pd.DataFrame(
        prepared.matrix, columns=list(prepared.columns) if prepared.columns else None
    )
    if prepared.types is None:
        return frame
    casts = {
        frame.columns[position]: _PANDAS_TYPES[kind]
        for position, kind in enumerate(prepared.types)
        if kind in _PANDAS_TYPES and not np.isnan(prepared.matrix[:, position]).any()
    }
    return frame.astype(casts) if casts else frame


def _check_xgboost_sklearn_api(info: ModelInfo, mlmodel: MLmodelFile) -> None:
    """Fail clearly when xgboost was imported without scikit-learn and the model needs it."""
    if XGBOOST_FLAVOR not in mlmodel.flavors or "xgboost" not in sys.modules:
        return
    compat = sys.modules.get("xgboost.compat")
    if compat is not None and not getattr(compat, "SKLEARN_INSTALLED", True):
        raise ModelLoadError(
            f"model {info.reference}: it is a scikit-learn-style XGBoost model, but this "
            "process imported xgboost without scikit-learn for a native Booster: restart the "
            "process to load it"
        )
