from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from psystock.errors import InputError, SchemaError
from psystock.scoring import ModelInput, score_arrow
from psystock.scoring.model import LoadedModel

BOOK_ROW = [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]


def table_of(rows: Sequence[Sequence[Any]], names: list[str] | None = None) -> pa.Table:
    names = names or [str(i) for i in range(len(rows[0]))]
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


def expected(model: LoadedModel, rows: list[list[int]]) -> np.ndarray:
    return np.asarray(model.predict(model.prepare(ModelInput(rows))))


def test_scored_table_has_input_columns_then_prediction_and_probability(
    booster_model: LoadedModel,
) -> None:
    rows = [BOOK_ROW, [1] * 14, [0] * 14]
    scored = score_arrow(booster_model, table_of(rows), 0.5)
    probabilities = expected(booster_model, rows)
    np.testing.assert_array_equal(scored.prediction, probabilities)
    table = scored.table
    assert table.schema.names == [*(str(i) for i in range(14)), "prediction", "probability"]
    assert table.schema.field("prediction").type == pa.int8()
    assert table.column("prediction").to_pylist() == [int(p > 0.5) for p in probabilities]
    np.testing.assert_array_equal(table.column("probability").to_numpy(), probabilities)
    assert table.column("0").to_pylist() == [1, 1, 0]
    assert scored.rows_out == 3
    assert scored.rejected == ()


def test_columns_map_by_name_or_by_position(booster_model: LoadedModel) -> None:
    names = [str(i) for i in reversed(range(14))]
    by_name = score_arrow(booster_model, table_of([BOOK_ROW], names), 0.5)
    by_position = score_arrow(booster_model, table_of([BOOK_ROW], names), 0.5, positional=True)
    np.testing.assert_array_equal(by_name.prediction, expected(booster_model, [BOOK_ROW[::-1]]))
    np.testing.assert_array_equal(by_position.prediction, expected(booster_model, [BOOK_ROW]))


def test_a_record_batch_and_text_values_are_scored_alike(booster_model: LoadedModel) -> None:
    text = pa.RecordBatch.from_pylist([{str(i): str(v) for i, v in enumerate(BOOK_ROW)}])
    scored = score_arrow(booster_model, text, 0.5, positional=True)
    np.testing.assert_array_equal(scored.prediction, expected(booster_model, [BOOK_ROW]))
    assert scored.table.schema.field("0").type == pa.int64()  # the signature's type
    kept = score_arrow(booster_model, text, 0.5, positional=True, keep_text=True)
    assert kept.table.column("0").to_pylist() == ["1"]


def test_bad_rows_raise_or_are_set_aside_with_their_row_numbers(
    booster_model: LoadedModel,
) -> None:
    rows = [[str(v) for v in BOOK_ROW], ["1"] * 13 + ["x"], ["0"] * 14, ["1.5"] + ["0"] * 13]
    table = table_of(rows)
    numbers = np.array([3, 4, 6, 7])
    with pytest.raises(SchemaError, match=r"^row 4, column 13: expected a number, got 'x'$"):
        score_arrow(booster_model, table, 0.5, positional=True, row_numbers=numbers)
    scored = score_arrow(
        booster_model, table, 0.5, positional=True, row_numbers=numbers, collect=True
    )
    assert [(rejected.index, rejected.error.message) for rejected in scored.rejected] == [
        (1, "row 4, column 13: expected a number, got 'x'"),
        (3, "row 7, column 0: expected an integer, got '1.5'"),
    ]
    assert scored.table.column("0").to_pylist() == [1, 0]
    np.testing.assert_array_equal(scored.prediction, expected(booster_model, [BOOK_ROW, [0] * 14]))


def test_a_batch_of_bad_rows_only_scores_nothing(booster_model: LoadedModel) -> None:
    scored = score_arrow(booster_model, table_of([["x"] * 14]), 0.5, collect=True)
    assert scored.rows_out == 0
    assert scored.table.num_rows == 0
    assert len(scored.rejected) == 1


def test_an_input_column_named_like_an_output_column_is_refused(
    booster_model: LoadedModel,
) -> None:
    table = table_of([[*BOOK_ROW, 1]], [*(str(i) for i in range(14)), "prediction"])
    scored = score_arrow(booster_model, table, 0.5)
    with pytest.raises(
        InputError,
        match=r"^the input already has a column named 'prediction': expected the output "
        r"columns prediction and probability to be new \(rename it\)$",
    ):
        scored.table  # noqa: B018
