"""Read a CSV input block by block into Arrow tables, keeping exact row numbers.

The input is cut into blocks of about ``batch.block_size_bytes`` at line ends and each block
is parsed on its own: memory stays flat whatever the input size, stdin and pipes work, and a
block with a bad value can be parsed again as text to find exactly which cells are bad.
Columns feeding the model are parsed as their signature type (``long`` as int64...), the
others kept as text. With ``as_text`` (CSV to CSV) and every column feeding the model, the
columns stay text, copied to the output as they were (formatting numbers again is the
costliest step of a CSV job) while the model's numbers are parsed from them.

A block of fixed-width lines of unsigned integers (the book's ``input.csv``) is read by
numpy instead of pyarrow (``psystock.batch.fixed_width``), into integer columns (cast to the
signature types unless ``as_text``): the same values, several times faster.

Rows are numbered from 1 counting data rows only: the header and blank lines do not count,
so in a file with a header and no blank lines, row N is line N + 1. Whether the first row is
a header follows ``psystock.scoring.csv_text`` (the API's rule too) unless ``header`` says;
columns map by name when there is one, unless ``by_position`` (see ``batch.mapping``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from psystock.batch.fixed_width import read_fixed_width
from psystock.batch.mapping import InputColumns, map_columns
from psystock.batch.source import InvalidRow, SourceBatch
from psystock.errors import InputError, PayloadError, SchemaError
from psystock.scoring import csv_text
from psystock.scoring.arrow_arrays import arrow_array, arrow_type
from psystock.scoring.columns import ColumnPlan
from psystock.scoring.model import LoadedModel
from psystock.scoring.schema import BOOLEAN_TYPE

if TYPE_CHECKING:
    import pyarrow as pa


class CsvSource:
    """A CSV input (file, pipe or stdin) opened against a model."""

    def __init__(
        self,
        stream: IO[bytes],
        name: str,
        model: LoadedModel,
        block_size: int,
        header: bool | None = None,
        total_bytes: int | None = None,
        *,
        as_text: bool = False,
        by_position: bool = False,
    ) -> None:
        self.name = name
        self.total_bytes = total_bytes
        self._blocks = _line_blocks(stream, block_size, name)
        self._first, line = self._first_block()
        is_first_header = (
            header if header is not None else csv_text.is_header(line.fields, model.schema)
        )
        if is_first_header:
            self._first = self._first[line.end :]
            self.names = csv_text.header_names(line.fields)
        else:
            self.names = csv_text.positional_names(len(line.fields))
        self.positional = by_position or not is_first_header
        self.plan = map_columns(
            model, InputColumns(name, self.names, self.positional, header=header)
        )
        # Text only when every column feeds the model: its numbers are then checked, and
        # can be written back unquoted. Other text columns need CSV quoting (typed output).
        fed = {source for source in self.plan.sources if source is not None}
        self.as_text = as_text and fed == set(range(len(self.names)))
        self._types = None if self.as_text else column_types(self.names, self.plan)
        self._booleans = [
            source
            for source, kind in zip(self.plan.sources, self.plan.types, strict=True)
            if source is not None and kind == BOOLEAN_TYPE
        ]
        self._rows_before = 0
        self._bytes = 0

    def _first_block(self) -> tuple[bytes, csv_text.FirstLine]:
        """The first block(s), up to at least the first non-blank line, and that line."""
        first = b""
        for block in self._blocks:
            first = (first + block) if first else block.removeprefix(csv_text.BOM)
            line = csv_text.first_line(first)
            if line is not None:
                return first, line
        raise SchemaError("at least one row", f"an empty input ({self.name})")

    def batches(self) -> Iterator[SourceBatch]:
        """Parsed blocks with row numbers and the rows of the wrong width."""
        for block in itertools.chain([self._first], self._blocks):
            if not block or block.isspace():
                continue
            self._bytes += len(block)
            table = self._fixed_width_table(block)
            if table is None:
                yield self._parse_block(block)
                continue
            count = table.num_rows
            numbers = np.arange(self._rows_before + 1, self._rows_before + count + 1)
            self._rows_before += count
            yield SourceBatch(table, numbers, (), self._bytes)

    def raw_row(self, batch: SourceBatch, index: int) -> str:
        """A parsed row joined back into CSV text."""
        return ",".join(_text(column[index].as_py()) for column in batch.table.columns)

    def _fixed_width_table(self, block: bytes) -> pa.Table | None:
        """The block read by the fast path, or None when it does not fit it.

        Boolean columns must hold 0 or 1 here: any other digit is left to the general path,
        which names it the way it names every bad value.
        """
        import pyarrow as pa

        values = read_fixed_width(block, len(self.names))
        if values is None or any(values[:, source].max() > 1 for source in self._booleans):
            return None
        by_column = np.ascontiguousarray(values.T)  # one copy; each row is then a column
        columns = [arrow_array(column) for column in by_column]
        if self._types is not None:
            columns = [
                column.cast(self._types[name])
                for column, name in zip(columns, self.names, strict=True)
            ]
        return pa.Table.from_arrays(columns, names=list(self.names))

    def _parse_block(self, block: bytes) -> SourceBatch:
        try:
            table, wrong = csv_text.parse_csv(block, self.names, self._types)
        except PayloadError as exc:
            raise PayloadError(
                f"input {self.name}, from row {self._rows_before + 1} on: {exc.message}"
            ) from exc
        total = table.num_rows + len(wrong)
        numbers = np.arange(self._rows_before + 1, self._rows_before + total + 1)
        invalid = tuple(
            InvalidRow(
                self._rows_before + row.row, row.expected_columns, row.actual_columns, row.text
            )
            for row in wrong
        )
        if invalid:
            numbers = np.setdiff1d(numbers, [row.row for row in invalid], assume_unique=True)
        self._rows_before += total
        return SourceBatch(table, numbers, invalid, self._bytes)


def _line_blocks(stream: IO[bytes], block_size: int, name: str) -> Iterator[bytes]:
    """Blocks of about ``block_size`` bytes, each ending at a line end (but maybe the last).

    Raises:
        InputError: the input cannot be read (an I/O error).
    """
    rest = b""
    while True:
        try:
            chunk = stream.read(block_size)
        except OSError as exc:
            raise InputError(f"input {name}: cannot read it ({exc.strerror or exc})") from exc
        if not chunk:
            if rest:
                yield rest
            return
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        yield data[:cut]
        rest = data[cut:]


def column_types(names: tuple[str, ...], plan: ColumnPlan) -> dict[str, Any]:
    """Signature types for the columns that feed the model, text for the others."""
    import pyarrow as pa

    types = dict.fromkeys(names, pa.string())
    for position, source in enumerate(plan.sources):
        if source is not None:
            types[names[source]] = arrow_type(plan.types[position])
    return types


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    return str(value)
