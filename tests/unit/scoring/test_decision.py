from typing import Any

import numpy as np
import pandas as pd
import pytest

from psystock.errors import ScoringError
from psystock.scoring.decision import decide, probabilities


def test_decide_is_one_only_strictly_above_the_threshold() -> None:
    decisions = decide(np.array([0.2, 0.5, 0.50001, 0.9], dtype=np.float32), 0.5)
    assert decisions.tolist() == [0, 0, 1, 1]
    assert decisions.dtype == np.int8


def test_decide_uses_the_given_threshold() -> None:
    assert decide(np.array([0.2, 0.7]), 0.1).tolist() == [1, 1]


@pytest.mark.parametrize(
    "prediction",
    [
        np.array([0.1, 0.9], dtype=np.float32),
        [0.1, 0.9],
        pd.Series([0.1, 0.9]),
        pd.DataFrame({"p": [0.1, 0.9]}),
        np.array([[0.9, 0.1], [0.1, 0.9]]),
        np.array([[0.1], [0.9]]),
    ],
)
def test_probabilities_accepts_the_usual_model_outputs(prediction: Any) -> None:
    np.testing.assert_allclose(probabilities(prediction, 2), [0.1, 0.9], rtol=1e-6)


def test_probabilities_keeps_float32() -> None:
    assert probabilities(np.array([0.5], dtype=np.float32), 1).dtype == np.float32


def test_probabilities_rejects_the_wrong_length() -> None:
    with pytest.raises(
        ScoringError, match=r"expected one score per row \(3\), got model output of shape \(2,\)"
    ):
        probabilities(np.array([0.1, 0.2]), 3)


def test_probabilities_rejects_non_numeric_output() -> None:
    with pytest.raises(ScoringError, match="expected numeric model output, got list"):
        probabilities(["up", "down"], 2)
