"""The XGBoost model: native ``xgb.train`` with ``binary:logistic``, as in the book.

With that objective the booster (and so MLflow's pyfunc ``predict``) returns the probability
that the next day is up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.data.features import LABEL

if TYPE_CHECKING:
    import pandas as pd
    import xgboost as xgb

    from psystock.settings import TrainingSettings

OBJECTIVE = "binary:logistic"


def booster_params(settings: TrainingSettings) -> dict[str, Any]:
    """The parameters passed to ``xgb.train`` (also logged to MLflow)."""
    return {
        "objective": OBJECTIVE,
        "eval_metric": "logloss",
        "max_depth": settings.max_depth,
        "eta": settings.learning_rate,
        "seed": settings.seed,
        "nthread": 1,
    }


def split_features(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The integer-named feature columns and the label of feature rows."""
    return rows.drop(columns=[LABEL]), rows[LABEL]


def fit_booster(train: pd.DataFrame, settings: TrainingSettings) -> xgb.Booster:
    """Train a booster on feature rows (columns ``0..13`` and ``label``)."""
    import xgboost as xgb

    features, label = split_features(train)
    matrix = xgb.DMatrix(features, label=label)
    return xgb.train(booster_params(settings), matrix, num_boost_round=settings.num_boost_round)


def predict_up_probability(
    booster: xgb.Booster, features: pd.DataFrame
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The probability, per row, that the day after the window is up."""
    import xgboost as xgb

    return np.asarray(booster.predict(xgb.DMatrix(features)), dtype=np.float64)
