"""The micro-batcher's joining and splitting, on small real models (no server)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from psystock.errors import SchemaError
from psystock.scoring import LoadedModel, ModelInput
from psystock.scoring.inputs import PreparedInput
from psystock.scoring.loader import load_model_dir
from psystock.serving.batcher import MicroBatcher, Rows, split_prediction
from psystock.serving.csv_payloads import parse_csv_body
from tests.unit.scoring.conftest import resolved_for, write_booster_model
from tests.unit.scoring.test_model import EchoModel

BOOK_ROW = [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]


def csv_text(rows: list[list[Any]]) -> bytes:
    return "".join(",".join(str(value) for value in row) + "\n" for row in rows).encode()


class SumModel(EchoModel):
    """Answers one number for all the rows it is given (not one per row)."""

    def predict(self, prepared: PreparedInput) -> Any:
        self.calls += 1
        return float(prepared.matrix.sum())


@pytest.fixture(scope="module")
def booster_model(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    directory = write_booster_model(tmp_path_factory.mktemp("batcher") / "model")
    return load_model_dir(directory, resolved_for(directory))


def score(model: LoadedModel, inputs: Sequence[Rows], rows: Sequence[int]) -> list[Any]:
    batcher = MicroBatcher(1024, 0.5)

    async def run() -> list[Any]:
        futures = [
            batcher.submit(model, item, count) for item, count in zip(inputs, rows, strict=True)
        ]
        return await asyncio.gather(*futures, return_exceptions=True)

    return asyncio.run(run())


def test_a_loop_turn_is_one_call_split_back_by_position() -> None:
    model = EchoModel(as_series=True)
    inputs = [ModelInput([[5, 0]]), ModelInput([[6, 0], [7, 0]])]
    results = score(model, inputs, [1, 2])
    assert model.calls == 1
    assert [result.tolist() for result in results] == [[5.0], [6.0, 7.0]]


def test_an_output_that_is_not_one_per_row_is_scored_request_by_request() -> None:
    model = SumModel(as_series=False)
    results = score(model, [ModelInput([[1, 2]]), ModelInput([[3, 4]])], [1, 1])
    assert results == [3.0, 7.0]
    assert model.calls == 3


def test_csv_requests_are_joined_into_one_arrow_call(booster_model: LoadedModel) -> None:
    bodies = [
        b"1,0,1,1,0,1,0,1,0,1,0,1,0,1\n",
        b"1,1,1,1,1,1,1,1,1,1,1,1,1,1\n0,0,0,0,0,0,0,0,0,0,0,0,0,0\n",
    ]
    payloads = [parse_csv_body(body, booster_model.schema) for body in bodies]
    results = score(booster_model, [p.model_input for p in payloads], [p.rows for p in payloads])
    alone = [
        booster_model.predict(booster_model.prepare(ModelInput(rows)))
        for rows in ([BOOK_ROW], [[1] * 14, [0] * 14])
    ]
    for result, expected in zip(results, alone, strict=True):
        np.testing.assert_array_equal(result, expected)


def test_a_bad_csv_request_gets_its_own_error(booster_model: LoadedModel) -> None:
    good = parse_csv_body(csv_text([BOOK_ROW]))
    bad = parse_csv_body(csv_text([BOOK_ROW, [*BOOK_ROW[:13], "x"]]))
    result, error = score(booster_model, [good.model_input, bad.model_input], [1, 2])
    assert len(result) == 1
    assert isinstance(error, SchemaError)
    assert error.message == "row 2, column 13: expected a number, got 'x'"


def test_split_prediction_cuts_arrays_frames_and_lists() -> None:
    parts = split_prediction(np.arange(6), [1, 2, 3])
    assert [part.tolist() for part in parts] == [[0], [1, 2], [3, 4, 5]]
    frame = pd.DataFrame({"a": range(3)})
    assert [len(part) for part in split_prediction(frame, [2, 1])] == [2, 1]
    assert split_prediction(["a", "b", "c"], [1, 2]) == [["a"], ["b", "c"]]
