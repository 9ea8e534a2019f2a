"""``score_dataframe``: the Python API a notebook or a spark-submit script calls."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from pyspark.errors import PythonException
from pyspark.sql import SparkSession

from psystock.errors import InputError, SchemaError
from psystock.scoring import ModelInput, ScoringRuntime
from psystock.spark import score_dataframe
from tests.conftest import RegisteredModel
from tests.integration.batch.conftest import SettingsFactory, book_rows

HEADER = [str(i) for i in range(14)]


def test_a_dataframe_scored_by_a_registered_model(
    spark: SparkSession, make_settings: SettingsFactory, registered_model: RegisteredModel
) -> None:
    rows = book_rows(64, seed=8)
    frame = spark.createDataFrame(rows.tolist(), HEADER).repartition(3)
    settings = make_settings()
    scored = score_dataframe(frame, registered_model.uri, settings=settings)
    assert scored.columns == [*HEADER, "prediction", "probability"]
    got = sorted(tuple(row) for row in scored.collect())

    model = ScoringRuntime(settings).load(registered_model.uri)
    expected = model.predict(model.prepare(ModelInput(rows)))
    want = sorted(
        (*map(int, row), int(p > 0.5), float(p)) for row, p in zip(rows, expected, strict=True)
    )
    assert [row[:15] for row in got] == [row[:15] for row in want]
    np.testing.assert_allclose([row[15] for row in got], [row[15] for row in want], rtol=1e-6)


def test_threshold_and_text_columns(
    spark: SparkSession, make_settings: SettingsFactory, registered_model: RegisteredModel
) -> None:
    frame = spark.createDataFrame([["1"] * 14, ["0"] * 14], HEADER)
    scored = score_dataframe(frame, registered_model.uri, threshold=0.0, settings=make_settings())
    assert dict(scored.dtypes)["3"] == "bigint"
    assert [row.prediction for row in scored.collect()] == [1, 1]


def test_a_bad_value_fails_the_action_naming_partition_row_and_column(
    spark: SparkSession, make_settings: SettingsFactory, registered_model: RegisteredModel
) -> None:
    frame = spark.createDataFrame([["1"] * 14, ["1"] * 7 + ["x"] + ["1"] * 6], HEADER).coalesce(1)
    scored = score_dataframe(frame, registered_model.uri, settings=make_settings())
    with pytest.raises(
        PythonException,
        match=r"SchemaError: partition 0, row 2, column 7: "
        r"expected a number, got 'x'",
    ):
        scored.collect()


def test_columns_that_do_not_fit_are_refused_before_any_job(
    spark: SparkSession, make_settings: SettingsFactory, registered_model: RegisteredModel
) -> None:
    settings = make_settings()
    frame = spark.createDataFrame([[1] * 14], [f"_c{i}" for i in range(14)])
    expected = (
        "expected columns 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, got columns _c0, _c1, "
        "_c2, _c3, _c4, _c5, _c6, _c7, _c8, _c9, _c10, _c11, _c12, _c13"
    )
    with pytest.raises(SchemaError, match=f"^{re.escape(expected)}$"):
        score_dataframe(frame, registered_model.uri, settings=settings)
    taken = spark.createDataFrame([[1] * 15], [*HEADER, "prediction"])
    with pytest.raises(InputError, match=r"^the DataFrame already has a column named 'prediction'"):
        score_dataframe(taken, registered_model.uri, settings=settings)


def test_a_local_model_path_needs_no_registry(
    spark: SparkSession,
    make_settings: SettingsFactory,
    registered_model: RegisteredModel,
    tmp_path: Path,
) -> None:
    settings = make_settings()
    model_dir = ScoringRuntime(settings).fetch(
        ScoringRuntime(settings).resolve(registered_model.uri)
    )
    frame = spark.createDataFrame([[1] * 14], HEADER)
    assert score_dataframe(frame, str(model_dir), settings=settings).count() == 1
