"""The Python API for Spark users: score a DataFrame with a registered model.

::

    from psystock.spark import score_dataframe

    scored = score_dataframe(features, "models:/training-model-psystock/Production")
    scored.write.parquet("s3a://bucket/scored/")

The DataFrame's columns map onto the model's signature by name (``"3"`` or ``3`` for the
book's integer names; rename Spark's ``_c0``... of a headerless CSV first, or use
``psystock batch score --engine spark``, which maps them by position). The result is lazy:
the input columns, then ``prediction`` (1 when the probability is above the threshold) and
``probability``. A bad value fails the action that computes it, with
``partition P, row N, column C: expected ..., got ...`` (N counted within the partition).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from psystock.errors import InputError
from psystock.scoring.loader import load_model_dir
from psystock.scoring.runtime import ScoringRuntime
from psystock.settings import Settings, load_settings
from psystock.spark.frames import frame_schema
from psystock.spark.shipping import ship_model
from psystock.spark.worker import WorkerJob, score_partition

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def score_dataframe(
    frame: DataFrame,
    model: str | None = None,
    *,
    threshold: float | None = None,
    settings: Settings | None = None,
) -> DataFrame:
    """``frame`` with ``prediction`` and ``probability`` added by the model ``model``.

    Args:
        frame: the rows to score, with the model's columns (by name).
        model: a model reference (``models:/NAME/STAGE``, ``models:/NAME@ALIAS``,
            ``runs:/...`` or a path); default ``settings.scoring.reference``.
        threshold: a probability above it is prediction 1; default from the settings.
        settings: psystock's settings (registry, cache); default from the environment.

    Raises:
        SchemaError: the columns do not fit the model.
        RegistryError: resolving or downloading the model failed.
        ModelLoadError: the model cannot be loaded.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    settings = settings or load_settings()
    runtime = ScoringRuntime(settings)
    resolved = runtime.resolve(model)
    model_dir = runtime.fetch(resolved)
    loaded = load_model_dir(model_dir, resolved)
    names = tuple(frame.columns)
    taken = [name for name in ("prediction", "probability") if name in names]
    if taken:
        raise InputError(
            f"the DataFrame already has a column named {taken[0]!r}: expected the output "
            "columns prediction and probability to be new (rename it)"
        )
    schema = frame_schema(frame, loaded, loaded.plan(names, len(names)))
    shipped = ship_model(frame.sparkSession.sparkContext, model_dir, resolved)
    cut = settings.scoring.threshold if threshold is None else threshold
    job = WorkerJob(shipped, cut, schema, tag_errors=False)
    return frame.mapInArrow(partial(score_partition, job), from_arrow_schema(schema))
