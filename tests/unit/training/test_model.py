import numpy as np
import pandas as pd

from psystock.data.features import LABEL
from psystock.settings import TrainingSettings
from psystock.training.model import (
    OBJECTIVE,
    booster_params,
    fit_booster,
    predict_up_probability,
    split_features,
)


def learnable_rows(rows: int = 300, seed: int = 1) -> pd.DataFrame:
    """14 random 0/1 days; the label repeats the last day (a pattern a tree finds)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.integers(0, 2, size=(rows, 14)))
    frame[LABEL] = frame[13]
    return frame


def test_booster_params_follow_the_training_settings() -> None:
    params = booster_params(TrainingSettings(max_depth=4, learning_rate=0.3, seed=5))

    assert params["objective"] == OBJECTIVE == "binary:logistic"
    assert (params["max_depth"], params["eta"], params["seed"]) == (4, 0.3, 5)


def test_fit_booster_predicts_probabilities_that_learn_a_simple_rule() -> None:
    rows = learnable_rows()
    booster = fit_booster(rows, TrainingSettings(num_boost_round=20))
    features, label = split_features(learnable_rows(seed=2))

    probability = predict_up_probability(booster, features)

    assert probability.shape == (300,)
    assert ((probability >= 0) & (probability <= 1)).all()
    assert ((probability > 0.5) == (label.to_numpy() == 1)).all()


def test_fit_booster_is_reproducible_for_a_seed() -> None:
    rows = learnable_rows()
    features, _ = split_features(rows)
    settings = TrainingSettings(num_boost_round=5, seed=3)

    first = predict_up_probability(fit_booster(rows, settings), features)
    again = predict_up_probability(fit_booster(rows, settings), features)

    assert np.array_equal(first, again)


def test_split_features_keeps_the_integer_named_columns() -> None:
    features, label = split_features(learnable_rows(rows=3))

    columns: list[object] = list(features.columns)  # pandas-stubs types labels as str
    assert columns == list(range(14))
    assert label.name == LABEL
