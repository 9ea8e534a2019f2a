"""Load a local MLflow model directory as a ``LoadedModel``: fast path or pyfunc."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from psystock.registry.resolve import ResolvedModel
from psystock.scoring.mlmodel import read_mlmodel
from psystock.scoring.model import PYFUNC, XGBOOST, LoadedModel, ModelInfo
from psystock.scoring.pyfunc_model import PyfuncModel
from psystock.scoring.xgboost_model import XGBoostModel, is_native_booster

logger = logging.getLogger(__name__)


def load_model_dir(model_dir: Path, resolved: ResolvedModel) -> LoadedModel:
    """Load ``model_dir``: a native XGBoost Booster takes the fast path, anything else pyfunc.

    Raises:
        ModelLoadError: the directory is not a loadable MLflow model.
    """
    mlmodel = read_mlmodel(model_dir, resolved.reference)
    fast = is_native_booster(mlmodel)
    info = ModelInfo(
        name=resolved.name,
        version=resolved.version,
        reference=resolved.reference,
        source=resolved.source,
        run_id=resolved.run_id or mlmodel.run_id,
        flavor=XGBOOST if fast else PYFUNC,
        loaded_at=datetime.now(UTC),
    )
    model: LoadedModel = (
        XGBoostModel.load(info, mlmodel) if fast else PyfuncModel.load(info, mlmodel)
    )
    logger.info(
        "loaded model %s (version %s, %s path) from %s",
        resolved.reference,
        resolved.version or "-",
        info.flavor,
        model_dir,
    )
    return model
