"""Read a Parquet input row group by row group (``iter_batches``): flat memory, by name.

Parquet columns always have names, so they map onto the model by name (``"3"`` matches the
book's integer name ``3``), unless ``by_position``. Parquet needs a seekable file: stdin or a
pipe is first copied to a temporary file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from psystock.batch.mapping import InputColumns, map_columns
from psystock.batch.source import SourceBatch
from psystock.errors import PayloadError, SchemaError
from psystock.scoring.model import LoadedModel

BATCH_ROWS = 65_536
"""Rows per batch read from a Parquet file."""


class ParquetSource:
    """A Parquet input opened against a model."""

    def __init__(
        self, path: Path, name: str, model: LoadedModel, *, by_position: bool = False
    ) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.name = name
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise PayloadError(f"input {name}: not a readable Parquet file ({exc})") from exc
        self.names = tuple(self._file.schema_arrow.names)
        self.positional = by_position
        self.as_text = False
        self.total_bytes: int | None = path.stat().st_size
        if self._file.metadata.num_rows == 0:
            raise SchemaError("at least one row", f"an empty input ({name})")
        map_columns(model, InputColumns(name, self.names, by_position, is_csv=False))
        self._row_groups = self._file.metadata.num_row_groups

    def batches(self) -> Iterator[SourceBatch]:
        """The file's rows in batches of ``BATCH_ROWS``."""
        import pyarrow as pa

        rows_before = 0
        done_bytes = 0
        per_row = (self.total_bytes or 0) / max(self._file.metadata.num_rows, 1)
        for batch in self._file.iter_batches(batch_size=BATCH_ROWS):
            table = pa.Table.from_batches([batch])
            numbers = np.arange(rows_before + 1, rows_before + table.num_rows + 1)
            rows_before += table.num_rows
            done_bytes = int(rows_before * per_row)
            yield SourceBatch(table, numbers, (), done_bytes)

    def raw_row(self, batch: SourceBatch, index: int) -> str:
        """The row as a JSON object (Parquet has no text form)."""
        return json_row(batch.table, index)


def json_row(table: Any, index: int) -> str:
    """Row ``index`` of an Arrow table as a JSON object of its columns."""
    row = {
        name: column[index].as_py()
        for name, column in zip(table.schema.names, table.columns, strict=True)
    }
    return json.dumps(row, default=_jsonable)


def _jsonable(value: Any) -> str:
    return str(value)
