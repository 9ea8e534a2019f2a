"""A loaded model: what it is (``ModelInfo``), how inputs map onto it, and how it predicts.

``LoadedModel`` is the interface the batch job and the REST API share. Its two
implementations are ``XGBoostModel`` (native booster, the fast path) and ``PyfuncModel``
(any other MLflow model, through ``mlflow.pyfunc``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import numpy as np

from psystock.scoring.columns import ColumnPlan, plan_columns
from psystock.scoring.inputs import ModelInput, PreparedInput
from psystock.scoring.schema import InputSchema
from psystock.scoring.values import matrix_from_input

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
