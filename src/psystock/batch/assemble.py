"""Build output tables in the book's layout: input columns, ``prediction``, ``probability``.

Input columns keep their values. With ``keep_text`` (CSV to CSV) they are copied as the
input had them; otherwise a column that fed the model is written with its signature type
(``long`` as int64...), also when its block had to be read as text to find bad rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from psystock.batch.csv_source import arrow_type
from psystock.batch.fixed_width import PROBABILITY_WIDTH, probability_text
from psystock.errors import InputError
from psystock.scoring.arrow_arrays import arrow_array
from psystock.scoring.arrow_input import ArrowPrepared
from psystock.scoring.columns import ColumnPlan

if TYPE_CHECKING:
    import pyarrow as pa

PREDICTION = "prediction"
PROBABILITY = "probability"


class OutputAssembler:
    """Turns scored batches into output tables of one fixed schema."""

    def __init__(
        self, names: tuple[str, ...], plan: ColumnPlan, source_name: str, *, keep_text: bool = False
    ) -> None:
        for column in (PREDICTION, PROBABILITY):
            if column in names:
                raise InputError(
                    f"input {source_name} already has a column named {column!r}: expected "
                    f"the output columns {PREDICTION} and {PROBABILITY} to be new"
                )
        self.names = names
        self._fed_by: dict[int, int] = {
            source: position for position, source in enumerate(plan.sources) if source is not None
        }
        self._plan = plan
        self._keep_text = keep_text
        self.schema: pa.Schema | None = self.text_schema() if keep_text else None

    def table(
        self,
        rows: pa.Table,
        prepared: ArrowPrepared,
        decisions: np.ndarray,
        probabilities: np.ndarray,
    ) -> pa.Table:
        """The output rows of one batch (bad rows already left out by ``prepared.kept``)."""
        import pyarrow as pa

        columns: list[Any] = []
        mask = None if prepared.kept is None else arrow_array(prepared.kept)
        for index, column in enumerate(rows.columns):
            kept = column if mask is None else column.filter(mask)
            columns.append(self._typed(index, kept, prepared))
        columns.append(arrow_array(decisions.astype(np.int8, copy=False)))
        columns.append(self._probabilities(probabilities))
        table = pa.Table.from_arrays(columns, names=[*self.names, PREDICTION, PROBABILITY])
        if self.schema is None:
            self.schema = table.schema
        elif table.schema != self.schema:
            table = table.cast(self.schema)
        return table

    def text_schema(self) -> pa.Schema:
        """The output schema of text mode: every input column as text, then the results."""
        import pyarrow as pa

        fields = [pa.field(name, pa.string()) for name in self.names]
        fields += [pa.field(PREDICTION, pa.int8()), pa.field(PROBABILITY, pa.string())]
        return pa.schema(fields)

    def _probabilities(self, probabilities: np.ndarray) -> Any:
        """Floats; in text mode the fast path's text (pyarrow's own formatting outside [0, 1])."""
        import pyarrow as pa
        import pyarrow.compute as pc

        column = arrow_array(probabilities)
        if not self._keep_text:
            return column
        text = probability_text(probabilities)
        if text is None:
            return pc.cast(column, pa.string())
        offsets = np.arange(len(text) + 1, dtype=np.int32) * PROBABILITY_WIDTH
        buffers = [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(text))]
        return pa.Array.from_buffers(pa.string(), len(text), buffers)

    def _typed(self, index: int, column: Any, prepared: ArrowPrepared) -> Any:
        import pyarrow as pa

        position = self._fed_by.get(index)
        if (
            self._keep_text
            or position is None
            or not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type))
        ):
            return column
        values = prepared.values[position]
        assert values is not None  # every fed column has values
        target = arrow_type(self._plan.types[position])
        return arrow_array(values, np.isnan(values)).cast(target)
