"""Read a CSV input block by block with pyarrow, keeping exact row numbers.

The input is cut into blocks of about ``batch.block_size_bytes`` at line ends and each block
is parsed by pyarrow on its own: memory stays flat whatever the input size, stdin works, and
a block with a bad value can be parsed again as text to find exactly which cells are bad.
Columns feeding the model are parsed as their signature type (``long`` as int64...), the
others kept as text. With ``as_text`` (CSV to CSV) and every column feeding the model, all
columns stay text, copied to the output as they were (formatting numbers again is the
costliest step of a CSV job) while the model's numbers are parsed from them. A quoted value
may not contain a line break.

Rows are numbered from 1 counting data rows only: the header and blank lines do not count,
so in a file with a header and no blank lines, row N is line N + 1.

Header names are stripped of surrounding spaces. Header detection (``header=None``): the
first line is a header when one of its fields is non-empty and not a number, or when its
fields are exactly the model's column names (the book's integer names ``0..13`` are numbers,
but a first row ``0,1,...,13`` is its header).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from psystock.batch.fixed_width import read_fixed_width
from psystock.batch.source import FixedWidthBatch, InvalidRow, SourceBatch
from psystock.errors import PayloadError, SchemaError
from psystock.scoring.model import LoadedModel
from psystock.scoring.schema import BOOLEAN_TYPE, INTEGER_TYPES

if TYPE_CHECKING:
    import pyarrow as pa

_BOM = b"\xef\xbb\xbf"


class CsvSource:
    """A CSV input (file or stdin) opened against a model."""

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
    ) -> None:
        self.name = name
        self.total_bytes = total_bytes
        self._blocks = _line_blocks(stream, block_size)
        self._first, fields, line_end = self._first_line()
        is_header = header if header is not None else _looks_like_header(fields, model)
        if is_header:
            self._first = self._first[line_end:]
            self.names = tuple(field.strip() for field in fields)
        else:
            self.names = tuple(str(i) for i in range(len(fields)))
        self.positional = not is_header
        self.plan = model.plan(None if self.positional else self.names, len(self.names))
        # Text only when every column feeds the model: its numbers are then checked, and
        # can be written back unquoted. Other text columns need CSV quoting (typed output).
        fed = {source for source in self.plan.sources if source is not None}
        self.as_text = as_text and fed == set(range(len(self.names)))
        self._types = (
            _text_types(self.names) if self.as_text else _column_types(self.names, self.plan)
        )
        self._rows_before = 0
        self._bytes = 0

    def _first_line(self) -> tuple[bytes, list[str], int]:
        """The first block, the fields of its first non-blank line, and where that line ends."""
        first = b""
        for block in self._blocks:
            first += block.removeprefix(_BOM) if not first else block
            stripped = first.lstrip(b"\r\n")
            if stripped.strip():
                start = len(first) - len(stripped)
                end = first.find(b"\n", start)
                end = len(first) if end < 0 else end + 1
                line = first[start:end].decode("utf-8", errors="replace").rstrip("\r\n")
                return first, next(csv.reader([line])), end
        raise SchemaError("at least one row", f"an empty input ({self.name})")

    def batches(self) -> Iterator[SourceBatch | FixedWidthBatch]:
        """Parsed blocks with row numbers and the rows of the wrong width.

        In text mode, a block of same-layout lines comes as a ``FixedWidthBatch``.
        """
        for block in itertools.chain([self._first], self._blocks):
            if not block.strip():
                continue
            self._bytes += len(block)
            rows = read_fixed_width(block, len(self.names)) if self.as_text else None
            if rows is None:
                yield self._parse_block(block)
                continue
            count = len(rows.lines)
            numbers = np.arange(self._rows_before + 1, self._rows_before + count + 1)
            self._rows_before += count
            yield FixedWidthBatch(rows, numbers, block, self._bytes)

    def to_arrow(self, batch: FixedWidthBatch) -> SourceBatch:
        """The block of ``batch`` parsed by pyarrow (it has no rows of the wrong width)."""
        table, _ = self._read(batch.block, self._types, threads=True)
        return SourceBatch(table, batch.row_numbers, (), batch.bytes_read)

    def raw_row(self, batch: SourceBatch, index: int) -> str:
        """A parsed row joined back into CSV text."""
        return ",".join(_text(column[index].as_py()) for column in batch.table.columns)

    def _parse_block(self, block: bytes) -> SourceBatch:
        table, invalid = self._read(block, self._types, threads=True)
        if invalid and invalid[0].number is None:
            # Row numbers of invalid rows are only known to a single-threaded parse.
            table, invalid = self._read(block, self._types, threads=False)
        total = table.num_rows + len(invalid)
        numbers = np.arange(self._rows_before + 1, self._rows_before + total + 1)
        bad = tuple(
            InvalidRow(
                self._rows_before + row.number, row.expected_columns, row.actual_columns, row.text
            )
            for row in invalid
        )
        if bad:
            numbers = np.setdiff1d(numbers, [row.row for row in bad], assume_unique=True)
        self._rows_before += total
        return SourceBatch(table, numbers, bad, self._bytes)

    def _read(
        self, block: bytes, types: dict[str, Any], threads: bool
    ) -> tuple[pa.Table, list[Any]]:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        invalid: list[Any] = []

        def set_aside(row: Any) -> str:
            invalid.append(row)
            return "skip"

        def parse(column_types: dict[str, Any]) -> pa.Table:
            invalid.clear()
            return pcsv.read_csv(
                io.BytesIO(block),
                read_options=pcsv.ReadOptions(column_names=list(self.names), use_threads=threads),
                parse_options=pcsv.ParseOptions(invalid_row_handler=set_aside),
                convert_options=pcsv.ConvertOptions(
                    column_types=column_types,
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )

        if not self.as_text:
            try:
                return parse(types), invalid
            except pa.ArrowInvalid:
                pass  # a value did not convert: read the block as text to find which
        try:
            return parse(_text_types(self.names)), invalid
        except pa.ArrowInvalid as exc:
            raise PayloadError(
                f"input {self.name}: cannot parse CSV after row {self._rows_before} ({exc})"
            ) from exc


def _line_blocks(stream: IO[bytes], block_size: int) -> Iterator[bytes]:
    """Blocks of about ``block_size`` bytes, each ending at a line end (but maybe the last)."""
    rest = b""
    while True:
        chunk = stream.read(block_size)
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


def _looks_like_header(fields: list[str], model: LoadedModel) -> bool:
    names = model.schema.names if model.schema is not None else None
    if names is not None and [f.strip() for f in fields] == [str(n) for n in names]:
        return True
    return any(field.strip() and not _is_number(field) for field in fields)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text_types(names: tuple[str, ...]) -> dict[str, Any]:
    import pyarrow as pa

    return dict.fromkeys(names, pa.string())


def _column_types(names: tuple[str, ...], plan: Any) -> dict[str, Any]:
    types = _text_types(names)
    for position, source in enumerate(plan.sources):
        if source is not None:
            types[names[source]] = arrow_type(plan.types[position])
    return types


def arrow_type(kind: str) -> Any:
    """The Arrow type a signature type is read and written as."""
    import pyarrow as pa

    if kind in INTEGER_TYPES:
        return pa.int64()
    if kind == BOOLEAN_TYPE:
        return pa.bool_()
    return pa.float64()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    return str(value)
