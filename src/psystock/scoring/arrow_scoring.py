"""Score Arrow data: prepare, predict, decide, and add ``prediction`` and ``probability``.

``score_arrow`` is the one scoring path over an Arrow table or record batch: the batch job
calls it on each block of its input, the API's CSV route on a request's rows, and a Spark
engine can call it from ``mapInArrow``. It maps the columns onto the model's signature (by
name, or by position for headerless input), checks every value, predicts the good rows and
returns a ``ScoredBatch``:

- ``prediction``: the model's own output for the good rows (what ``mlflow.pyfunc`` returns:
  the API answers with it);
- ``table``: the output rows, the good input rows then ``prediction`` (int8, 1 when the
  probability is above the threshold) and ``probability`` (the model's float type);
- ``rejected``: the bad rows (with ``collect=True``; otherwise the first bad value raises),
  each with its index in the batch and the error naming its row and column.

Input columns keep their values. A column that fed the model and was read as text (a CSV
block re-read to find a bad value) is written with its signature type (``long`` as int64...)
so that every block has one schema, unless ``keep_text`` asks for the text as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.errors import InputError, SchemaError
from psystock.scoring.arrow_arrays import arrow_array, arrow_type
from psystock.scoring.arrow_input import ArrowPrepared, matrix_from_arrow
from psystock.scoring.columns import ColumnPlan
from psystock.scoring.decision import decide, probabilities
from psystock.scoring.model import LoadedModel, Prediction

if TYPE_CHECKING:
    import pyarrow as pa

PREDICTION = "prediction"
PROBABILITY = "probability"
OUTPUT_COLUMNS = (PREDICTION, PROBABILITY)


@dataclass(frozen=True)
class RejectedRow:
    """A row left out of the output.

    Attributes:
        index: its 0-based position in the scored batch.
        error: what is wrong with it (``row R, column C: expected E, got G``).
    """

    index: int
    error: SchemaError


def score_arrow(
    model: LoadedModel,
    batch: pa.Table | pa.RecordBatch,
    threshold: float,
    *,
    positional: bool = False,
    row_numbers: np.ndarray | None = None,
    collect: bool = False,
    keep_text: bool = False,
) -> ScoredBatch:
    """Score the rows of ``batch`` with ``model``.

    Args:
        model: the loaded model.
        batch: the rows.
        threshold: a probability above it is prediction 1.
        positional: map columns by position (headerless CSV), not by the batch's names.
        row_numbers: the 1-based row number of each row, for messages (default 1..n).
        collect: set bad rows aside in ``rejected`` instead of raising at the first.
        keep_text: keep text input columns as text in ``table`` (see the module docstring).

    Raises:
        SchemaError: the columns do not fit the model, or (without ``collect``) a value is
            bad, e.g. ``row 2, column 7: expected a number, got 'x'``.
        ScoringError: the model failed.
    """
    plan = model.plan(None if positional else tuple(batch.schema.names), batch.num_columns)
    prepared = matrix_from_arrow(batch, plan, model.dtype, row_numbers=row_numbers, collect=collect)
    rows = prepared.prepared.n_rows
    prediction = model.predict(prepared.prepared) if rows else np.empty(0, dtype=model.dtype)
    return ScoredBatch(batch, plan, prepared, prediction, threshold, keep_text)


@dataclass(frozen=True, eq=False)
class ScoredBatch:
    """The outcome of ``score_arrow``; the output columns are built when first asked for.

    Attributes:
        batch: the rows as given.
        plan: how their columns mapped onto the model.
        prepared: the good rows, ready for the model, and the bad ones.
        prediction: the model's output for the good rows.
        threshold: a probability above it is prediction 1.
        keep_text: keep text input columns as text in ``table``.
    """

    batch: pa.Table | pa.RecordBatch
    plan: ColumnPlan
    prepared: ArrowPrepared
    prediction: Prediction
    threshold: float
    keep_text: bool = False

    @property
    def rows_out(self) -> int:
        """Rows scored (the good rows)."""
        return self.prepared.prepared.n_rows

    @property
    def rejected(self) -> tuple[RejectedRow, ...]:
        """The bad rows, in row order (empty unless scored with ``collect``)."""
        return tuple(
            RejectedRow(index, error)
            for index, error in zip(self.prepared.bad_rows, self.prepared.errors, strict=True)
        )

    @cached_property
    def probabilities(self) -> np.ndarray:
        """One float per good row (the positive class of a two-column output).

        Raises:
            ScoringError: the model's output is not one number per row.
        """
        return probabilities(self.prediction, self.rows_out)

    @cached_property
    def decisions(self) -> np.ndarray:
        """0/1 per good row (int8): 1 where the probability is above the threshold."""
        return decide(self.probabilities, self.threshold)

    @cached_property
    def table(self) -> pa.Table:
        """The good input rows, then ``prediction`` and ``probability``.

        Raises:
            InputError: the input already has a column named ``prediction`` or
                ``probability``.
        """
        import pyarrow as pa

        names = list(self.batch.schema.names)
        taken = [name for name in OUTPUT_COLUMNS if name in names]
        if taken:
            raise InputError(
                f"the input already has a column named {taken[0]!r}: expected the output "
                f"columns {PREDICTION} and {PROBABILITY} to be new (rename it)"
            )
        kept = self.prepared.kept
        mask = None if kept is None else arrow_array(kept)
        fed_by = {
            source: position
            for position, source in enumerate(self.plan.sources)
            if source is not None
        }
        columns: list[Any] = []
        for index, column in enumerate(self.batch.columns):
            rows = column if mask is None else column.filter(mask)
            columns.append(self._typed(rows, fed_by.get(index)))
        columns.append(arrow_array(self.decisions))
        columns.append(arrow_array(self.probabilities))
        return pa.Table.from_arrays(columns, names=[*names, *OUTPUT_COLUMNS])

    def _typed(self, column: Any, position: int | None) -> Any:
        """A text column that fed the model, as its signature type (unless ``keep_text``)."""
        import pyarrow as pa

        if (
            self.keep_text
            or position is None
            or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type))
        ):
            return column
        values = self.prepared.values[position]
        assert values is not None  # every text column that fed the model has its numbers
        target = arrow_type(self.plan.types[position])
        return arrow_array(values, np.isnan(values)).cast(target)
