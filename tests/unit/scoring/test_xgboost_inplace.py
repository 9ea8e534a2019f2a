import threading
from typing import Any

import numpy as np
import pytest

from psystock.scoring import xgboost_inplace
from psystock.scoring.xgboost_inplace import DensePredictor
from psystock.scoring.xgboost_model import import_xgboost
from tests.unit.scoring.conftest import training_rows


def train(objective: str = "binary:logistic", **params: Any) -> Any:
    xgb = import_xgboost()
    features, label = training_rows()
    if objective == "multi:softprob":
        label = features[:, :2].sum(axis=1)
        params["num_class"] = 3
    return xgb.train(
        {"objective": objective, "max_depth": 3, "seed": 3, "nthread": 1, **params},
        xgb.DMatrix(features, label=label),
        num_boost_round=8,
    )


def matrix(rows: int, seed: int, *, nan: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2, size=(rows, 14)).astype(np.float32)
    if nan:
        values[rng.random(values.shape) < 0.2] = np.nan
    return values


@pytest.mark.parametrize("objective", ["binary:logistic", "reg:squarederror", "multi:softprob"])
def test_predictions_are_those_of_inplace_predict(objective: str) -> None:
    booster = train(objective)
    predict = DensePredictor(booster)
    for seed, rows in enumerate([1, 8, 3, 500, 1, 64]):  # one proxy, several shapes in turn
        values = matrix(rows, seed, nan=seed % 2 == 1)
        expected = booster.inplace_predict(values, validate_features=False)
        got = predict(values)
        assert got.dtype == expected.dtype == np.float32
        assert got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)


def test_predictions_are_copies_not_the_library_buffer() -> None:
    predict = DensePredictor(train())
    first = predict(matrix(4, 1))
    kept = first.copy()
    predict(matrix(4, 2))
    np.testing.assert_array_equal(first, kept)
    assert first.flags.owndata
    assert first.flags.writeable


def test_threads_predict_at_once_with_their_own_proxy() -> None:
    booster = train()
    predict = DensePredictor(booster)
    inputs = [matrix(rows, seed) for seed, rows in enumerate([1, 7, 33, 2] * 4)]
    expected = [booster.inplace_predict(values, validate_features=False) for values in inputs]
    results: dict[int, np.ndarray] = {}

    def work(index: int) -> None:
        for _ in range(20):
            results[index] = predict(inputs[index])

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(inputs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, values in enumerate(expected):
        np.testing.assert_array_equal(results[index], values)


def test_a_wrong_width_raises_the_library_error() -> None:
    xgb = import_xgboost()
    with pytest.raises(xgb.core.XGBoostError):
        DensePredictor(train())(np.zeros((2, 3), dtype=np.float32))


def test_without_the_native_names_it_falls_back_to_inplace_predict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xgboost_inplace, "_native_api", lambda: None)
    booster = train()
    values = matrix(5, 3)
    np.testing.assert_array_equal(
        DensePredictor(booster)(values), booster.inplace_predict(values, validate_features=False)
    )


def test_the_installed_xgboost_takes_the_direct_call() -> None:
    """The XGBoost this project installs has every name the direct call needs (no fallback)."""
    assert xgboost_inplace._native_api() is not None
