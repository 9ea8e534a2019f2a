"""The transport-free scoring runtime shared by the batch job and the REST API.

It resolves a model reference through the registry, caches artifacts locally by version,
loads the model (native XGBoost fast path, or ``mlflow.pyfunc``), maps inputs onto the
model's signature and predicts. ``score_arrow`` is the one scoring path over Arrow data
(the batch job, the API's CSV route, Spark's ``mapInArrow``), and ``csv_text`` the one way
CSV text is read. It never imports the web stack, ``psystock.serving`` or ``psystock.batch``.

Public names: ``ScoringRuntime``, ``ResolvedModel``, ``LoadedModel`` (``XGBoostModel``,
``PyfuncModel``), ``ModelInfo``, ``ModelInput``, ``PreparedInput``, ``InputSchema``,
``ColumnSpec``, ``Prediction``, ``score_arrow``, ``ScoredBatch``, ``RejectedRow``,
``decide``, ``probabilities``.
"""

from psystock.scoring.arrow_scoring import RejectedRow, ScoredBatch, score_arrow
from psystock.scoring.decision import decide, probabilities
from psystock.scoring.inputs import ModelInput, PreparedInput
from psystock.scoring.model import LoadedModel, ModelInfo, Prediction
from psystock.scoring.pyfunc_model import PyfuncModel
from psystock.scoring.runtime import ResolvedModel, ScoringRuntime
from psystock.scoring.schema import ColumnSpec, InputSchema
from psystock.scoring.xgboost_model import XGBoostModel

__all__ = [
    "ColumnSpec",
    "InputSchema",
    "LoadedModel",
    "ModelInfo",
    "ModelInput",
    "Prediction",
    "PreparedInput",
    "PyfuncModel",
    "RejectedRow",
    "ResolvedModel",
    "ScoredBatch",
    "ScoringRuntime",
    "XGBoostModel",
    "decide",
    "probabilities",
    "score_arrow",
]
