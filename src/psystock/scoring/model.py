"""A loaded model: what it is (``ModelInfo``), how inputs map onto it, and how it predicts.

``LoadedModel`` is the interface the batch job and the REST API share. Its two
implementations are ``XGBoostModel`` (native booster, the fast path) and ``PyfuncModel``
(any other MLflow model, through ``mlflow.pyfunc``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from psystock.scoring.arrow_input import ArrowPrepared, matrix_from_arrow
from psystock.scoring.columns import ColumnPlan, plan_columns
from psystock.scoring.inputs import ModelInput, PreparedInput
from psystock.scoring.schema import InputSchema
from psystock.scoring.values import matrix_from_input

if TYPE_CHECKING:
    import pyarrow as pa

Prediction = Any
"""What ``predict`` returns: a numpy array on the XGBoost path; for pyfunc models whatever
``mlflow.pyfunc``'s ``predict`` returns (ndarray, pandas Series/DataFrame, list)."""

XGBOOST = "xgboost"
PYFUNC = "pyfunc"


@dataclass(frozen=True)
class ModelInfo:
    """Where a loaded model came from.

    Attributes:
        name: registered name (None for ``runs:/``, URI and path references).
        version: the registry version actually loaded.
        reference: what the user asked for, e.g. ``models:/training-model-psystock/Production``.
        source: where the artifacts came from (the registry's source, a URI or a path).
        run_id: the run that logged the model, when known.
        flavor: ``"xgboost"`` (native fast path) or ``"pyfunc"``.
        loaded_at: when it was loaded (UTC).
    """

    name: str | None
    version: str | None
    reference: str
    source: str
    run_id: str | None
    flavor: str
    loaded_at: datetime


class LoadedModel(ABC):
    """A model ready to score rows."""

    dtype: ClassVar[type[np.floating[Any]]] = np.float64
    """The float type of prepared matrices."""
    is_thread_safe: ClassVar[bool] = False
    """Whether several threads may call ``predict`` at once (the batch job then scores blocks
    in parallel)."""

    def __init__(self, info: ModelInfo, schema: InputSchema | None, n_features: int | None) -> None:
        self.info = info
        self.schema = schema
        self.n_features = n_features
        self._plans: dict[tuple[tuple[str, ...] | None, int], ColumnPlan] = {}

    def plan(self, columns: tuple[str, ...] | None, n_columns: int) -> ColumnPlan:
        """How given columns map onto this model's columns (cached per layout).

        Raises:
            SchemaError: the columns do not fit the model.
        """
        key = (columns, n_columns)
        plan = self._plans.get(key)
        if plan is None:
            plan = plan_columns(self.schema, columns, n_columns, self.n_features)
            if len(self._plans) < 64:
                self._plans[key] = plan
        return plan

    def prepare(self, model_input: ModelInput) -> PreparedInput:
        """Map ``model_input`` onto the signature and check it.

        Columns map by name when names are given and the signature has names (``"3"``
        matches ``3``), else by position.

        Raises:
            SchemaError: e.g. ``row 2, column 7: expected a number, got 'x'``,
                ``row 1: expected 14 columns, got 13``, ``expected column 5, got columns a, b``.
        """
        matrix, plan = matrix_from_input(model_input, self.plan, self.dtype)
        return PreparedInput(matrix, plan.names, plan.types)

    def prepare_arrow(
        self,
        batch: pa.RecordBatch | pa.Table,
        *,
        positional: bool = False,
        row_numbers: np.ndarray | None = None,
        collect: bool = False,
    ) -> ArrowPrepared:
        """Map an Arrow batch onto the signature and check it (the batch job's input path).

        Args:
            batch: the rows.
            positional: map columns by position (a headerless CSV), not by the batch's names.
            row_numbers: the 1-based row number of each batch row, for messages.
            collect: set bad rows aside (with their errors) instead of raising.

        Raises:
            SchemaError: the columns do not fit, or (without ``collect``) a value is bad.
        """
        names = None if positional else tuple(batch.schema.names)
        plan = self.plan(names, batch.num_columns)
        return matrix_from_arrow(batch, plan, self.dtype, row_numbers=row_numbers, collect=collect)

    @abstractmethod
    def predict(self, prepared: PreparedInput) -> Prediction:
        """Score prepared rows; the output is what ``mlflow.pyfunc`` returns for this model.

        Raises:
            ScoringError: the model failed.
        """

    def limit_threads(self, threads: int) -> None:
        """Use at most ``threads`` threads per predict call (models that thread natively).

        A server scoring many small concurrent calls wants 1: threads spinning between one-row
        calls take the CPU its event loop needs. The default leaves the library's own choice.
        """
        del threads

    def predict_many(self, batch: Sequence[PreparedInput]) -> list[Prediction]:
        """Score several inputs in one model call (micro-batching), split back per input."""
        if not batch:
            return []
        if len(batch) == 1:
            return [self.predict(batch[0])]
        matrix = np.concatenate([prepared.matrix for prepared in batch])
        first = batch[0]
        combined = self.predict(PreparedInput(matrix, first.columns, first.types))
        if _length(combined) != matrix.shape[0]:
            # Not one output per row (a model returning a scalar or a summary): no way to split.
            return [self.predict(prepared) for prepared in batch]
        bounds = np.cumsum([prepared.n_rows for prepared in batch])[:-1]
        return self._split(combined, bounds)

    def _split(self, prediction: Prediction, bounds: np.ndarray) -> list[Prediction]:
        """Cut one prediction over concatenated inputs back into one per input."""
        if isinstance(prediction, np.ndarray):
            return list(np.split(prediction, bounds))
        starts = [0, *bounds.tolist()]
        ends = [*bounds.tolist(), len(prediction)]
        if hasattr(prediction, "iloc"):
            return [prediction.iloc[start:end] for start, end in zip(starts, ends, strict=True)]
        return [prediction[start:end] for start, end in zip(starts, ends, strict=True)]


def _length(prediction: Prediction) -> int | None:
    try:
        return len(prediction)
    except TypeError:
        return None
