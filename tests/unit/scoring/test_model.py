from typing import Any

import numpy as np
import pandas as pd

from psystock.scoring.inputs import ModelInput, PreparedInput
from psystock.scoring.model import LoadedModel, ModelInfo


class EchoModel(LoadedModel):
    """A real LoadedModel whose 'model' returns the first column, as pandas or numpy."""

    def __init__(self, as_series: bool) -> None:
        info = ModelInfo(None, None, "./m", "./m", None, "pyfunc", pd.Timestamp.now(tz="UTC"))
        super().__init__(info, None, None)
        self.as_series = as_series
        self.calls = 0

    def predict(self, prepared: PreparedInput) -> Any:
        self.calls += 1
        first = prepared.matrix[:, 0]
        return pd.Series(first) if self.as_series else first


def test_predict_many_makes_one_call_and_splits_numpy_output() -> None:
    model = EchoModel(as_series=False)
    inputs = [model.prepare(ModelInput([[i, 0]] * (i + 1))) for i in range(3)]
    outputs = model.predict_many(inputs)
    assert model.calls == 1
    assert [o.tolist() for o in outputs] == [[0.0], [1.0, 1.0], [2.0, 2.0, 2.0]]


def test_predict_many_splits_pandas_output_by_position() -> None:
    model = EchoModel(as_series=True)
    inputs = [model.prepare(ModelInput([[5, 0]])), model.prepare(ModelInput([[6, 0], [7, 0]]))]
    outputs = model.predict_many(inputs)
    assert [o.tolist() for o in outputs] == [[5.0], [6.0, 7.0]]


def test_plan_is_reused_for_the_same_layout() -> None:
    model = EchoModel(as_series=False)
    assert model.plan(("a", "b"), 2) is model.plan(("a", "b"), 2)
    assert model.plan(None, 2) is not model.plan(("a", "b"), 2)


def test_prepare_arrow_maps_positionally_when_asked() -> None:
    import pyarrow as pa

    model = EchoModel(as_series=False)
    batch = pa.record_batch({"x": ["1", "2"], "y": ["3", "4"]})
    result = model.prepare_arrow(batch, positional=True)
    np.testing.assert_array_equal(result.prepared.matrix, [[1, 3], [2, 4]])


class ScalarModel(EchoModel):
    def predict(self, prepared: PreparedInput) -> Any:
        self.calls += 1
        return float(prepared.matrix.sum())


def test_predict_many_falls_back_to_one_call_each_when_output_is_not_per_row() -> None:
    model = ScalarModel(as_series=False)
    inputs = [model.prepare(ModelInput([[1, 2]])), model.prepare(ModelInput([[3, 4]]))]
    assert model.predict_many(inputs) == [3.0, 7.0]
    assert model.calls == 3
