from typing import Any

import pandas as pd

from psystock.scoring.inputs import PreparedInput
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


def test_plan_is_reused_for_the_same_layout() -> None:
    model = EchoModel(as_series=False)
    assert model.plan(("a", "b"), 2) is model.plan(("a", "b"), 2)
    assert model.plan(None, 2) is not model.plan(("a", "b"), 2)
