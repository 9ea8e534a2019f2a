"""Micro-batching on a real loaded model: one call per loop turn, errors kept per request."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from psystock.errors import SchemaError
from psystock.scoring import LoadedModel, ModelInput, ScoringRuntime
from psystock.serving.batcher import MicroBatcher
from psystock.settings import load_settings
from tests.conftest import MlflowServer
from tests.integration.scoring.conftest import ExtraModel
from tests.integration.serving.conftest import ROWS, expected_predictions

NAMES = tuple(str(i) for i in range(14))


class Calls:
    def __init__(self) -> None:
        self.rows: list[int] = []

    def __call__(self, model: LoadedModel, rows: int, predictions: Sequence[Any]) -> None:
        self.rows.append(rows)


def _score(batcher: MicroBatcher, model: LoadedModel, inputs: list[ModelInput]) -> list[Any]:
    async def run() -> list[Any]:
        futures = [batcher.submit(model, item, len(item.values)) for item in inputs]
        return await asyncio.gather(*futures, return_exceptions=True)

    return asyncio.run(run())


def test_batcher_scores_a_loop_turn_in_one_call(reference_model: LoadedModel) -> None:
    calls = Calls()
    inputs = [ModelInput([row], NAMES) for row in ROWS] + [ModelInput(ROWS, NAMES)]
    results = _score(MicroBatcher(1024, 0.5, calls), reference_model, inputs)
    assert calls.rows == [6]
    expected = expected_predictions(reference_model, ROWS)
    for index, row in enumerate(ROWS):
        assert np.array_equal(results[index], expected[index : index + 1]), row
    assert np.array_equal(results[3], expected)


def test_batcher_caps_rows_per_call_and_groups_by_column_layout(
    reference_model: LoadedModel,
) -> None:
    calls = Calls()
    inputs = [ModelInput([ROWS[0]], NAMES) for _ in range(5)] + [ModelInput([ROWS[0]])]
    results = _score(MicroBatcher(2, 0.5, calls), reference_model, inputs)
    assert calls.rows == [2, 2, 1, 1]
    assert len({float(result[0]) for result in results}) == 1


def test_batcher_gives_a_bad_request_its_own_error(reference_model: LoadedModel) -> None:
    calls = Calls()
    bad = ModelInput([ROWS[0], [*ROWS[0][:13], "x"]], NAMES)
    inputs = [ModelInput([ROWS[1]], NAMES), bad, ModelInput([ROWS[2]], NAMES)]
    good_first, error, good_last = _score(MicroBatcher(1024, 0.5, calls), reference_model, inputs)
    assert isinstance(error, SchemaError)
    assert error.message == "row 2, column 13: expected a number, got 'x'"
    expected = expected_predictions(reference_model, ROWS)
    assert np.array_equal(good_first, expected[1:2])
    assert np.array_equal(good_last, expected[2:3])
    assert calls.rows == [1, 1]  # the joined batch failed; the good ones scored alone


def test_batcher_scores_big_batches_in_a_thread(reference_model: LoadedModel) -> None:
    rows = ROWS * 10
    (result,) = _score(MicroBatcher(1024, 0.5, inline_rows=4), reference_model, [ModelInput(rows)])
    assert np.array_equal(result, expected_predictions(reference_model, rows))


def test_batcher_on_a_pyfunc_model_equals_separate_calls(
    mlflow_server: MlflowServer, logreg_model: ExtraModel, tmp_path: Path
) -> None:
    settings = load_settings(tracking_uri=mlflow_server.url, home=tmp_path / "home")
    model = ScoringRuntime(settings).load(f"models:/{logreg_model.name}/{logreg_model.version}")
    rows = [ROWS[0], ROWS[1], ROWS[2], ROWS[0]]
    calls = Calls()
    inputs = [ModelInput(rows[:1]), ModelInput(rows[1:])]
    together = _score(MicroBatcher(1024, 0.5, calls), model, inputs)
    assert calls.rows == [4]
    for part, result in zip(inputs, together, strict=True):
        alone = model.predict(model.prepare(part))
        np.testing.assert_array_equal(np.asarray(result), np.asarray(alone))
