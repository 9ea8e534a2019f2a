"""``score_partition``, the function Spark runs in its Python workers, called directly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from psystock.batch.pipeline import Counts
from psystock.batch.writers import open_writer
from psystock.errors import PayloadError, SchemaError
from psystock.spark.frames import output_schema
from psystock.spark.remote_errors import RemoteError, find_remote_error
from psystock.spark.shipping import ShippedModel, load_shipped
from psystock.spark.worker import (
    BLOCK,
    FILE_KEY,
    LINE,
    PATH,
    CsvLayout,
    WorkerJob,
    joined_lines,
    lines_schema,
    rejected_schema,
    score_partition,
)
from tests.unit.spark.conftest import Collected

NAMES = [str(i) for i in range(14)]
GOOD = ",".join(["1", "0"] * 7)
HEADER = ",".join(NAMES)


def csv_schema(shipped: ShippedModel) -> pa.Schema:
    return output_schema([(name, pa.int64()) for name in NAMES], load_shipped(shipped))


def lines_batch(lines: list[str], splits: list[tuple[int, int]], path: str = "") -> pa.RecordBatch:
    columns = {
        LINE: pa.array(lines, pa.string()),
        FILE_KEY: pa.array([s[0] for s in splits], pa.int32()),
        BLOCK: pa.array([s[1] for s in splits], pa.int64()),
    }
    if path:
        columns[PATH] = pa.array([path] * len(lines), pa.string())
    return pa.RecordBatch.from_pydict(columns)


def run(job: WorkerJob, *batches: pa.RecordBatch) -> pa.Table:
    out = list(score_partition(job, iter(batches)))
    return pa.Table.from_batches(out, schema=job.schema)


@pytest.mark.parametrize(
    "lines",
    [["1,0", "0,1", "1,1"], ["10,0", "", "1,22,3"], []],
    ids=["fixed-width", "ragged with a blank line", "none"],
)
def test_joined_lines_are_the_lines_each_ending_in_a_newline(lines: list[str]) -> None:
    assert joined_lines(pa.array(lines, pa.string())) == "".join(f"{x}\n" for x in lines).encode()


def test_joined_lines_of_a_slice_and_of_large_strings() -> None:
    array = pa.array(["a,b", "cc,d", "e,f", "g,hh"], pa.string()).slice(1, 2)
    assert joined_lines(array) == b"cc,d\ne,f\n"
    assert joined_lines(pa.array(["x", "yy"], pa.large_string())) == b"x\nyy\n"


def test_csv_lines_of_two_splits_are_scored_and_counted_by_split(shipped: ShippedModel) -> None:
    counts = Collected()
    job = WorkerJob(shipped, 0.5, csv_schema(shipped), CsvLayout(None), counts=counts)
    first = lines_batch([GOOD, "", GOOD], [(7, 0)] * 3)
    second = lines_batch([GOOD, "0," * 13 + "0"], [(7, 0), (7, 4096)])
    table = run(job, first, second)
    assert table.num_rows == 4
    assert table.column("0").to_pylist() == [1, 1, 1, 0]
    (added,) = counts.added
    assert sorted(added) == [(7, 0), (7, 4096)]
    assert isinstance(added[(7, 0)], Counts)
    assert (added[(7, 0)].rows_in, added[(7, 4096)].rows_in) == (3, 1)


def test_lines_of_one_file_are_counted_by_block_under_key_0(shipped: ShippedModel) -> None:
    counts = Collected()
    job = WorkerJob(shipped, 0.5, csv_schema(shipped), CsvLayout(None), counts=counts)
    batch = lines_batch([GOOD, GOOD, GOOD], [(0, 0), (0, 0), (0, 2048)]).drop_columns(FILE_KEY)
    assert run(job, batch).num_rows == 3
    (added,) = counts.added
    assert {split: c.rows_in for split, c in added.items()} == {(0, 0): 2, (0, 2048): 1}


def test_a_header_is_read_from_the_file_start_and_lent_to_later_chunks(
    shipped: ShippedModel,
) -> None:
    reordered = ",".join(reversed(NAMES))
    job = WorkerJob(shipped, 0.5, csv_schema(shipped), CsvLayout(f"{HEADER}\n".encode()))
    starts = lines_batch([HEADER, GOOD], [(1, 0)] * 2)
    later = lines_batch([GOOD], [(1, 512)])
    assert run(job, starts, later).num_rows == 2
    other = lines_batch([reordered, "0,0,0,0,0,0,0,0,0,0,0,0,0,1"], [(2, 0)] * 2)
    assert run(job, other).column("13").to_pylist() == [0]


def test_a_bad_value_is_tagged_with_its_split_and_row_in_the_split(
    shipped: ShippedModel,
) -> None:
    job = WorkerJob(shipped, 0.5, csv_schema(shipped), CsvLayout(None))
    batches = [
        lines_batch([GOOD, GOOD], [(3, 100)] * 2),
        lines_batch([GOOD, "1,x"], [(3, 100)] * 2),
    ]
    with pytest.raises(RemoteError, match=r"^<psystock-error>.*</psystock-error>$") as raised:
        run(job, *batches)
    found = find_remote_error(raised.value)
    assert found is not None
    assert found.split == (3, 100)
    assert found.error.message == "row 4: expected 14 columns, got 2"
    assert found.renumbered(10).message == "row 14: expected 14 columns, got 2"
    assert found.renumbered(10, "input f.csv, ").message == (
        "input f.csv, row 14: expected 14 columns, got 2"
    )


def test_quarantine_pass_returns_bad_rows_with_their_split(shipped: ShippedModel) -> None:
    job = WorkerJob(
        shipped, 0.5, rejected_schema(), CsvLayout(None), collect=True, emit_rejected=True
    )
    batch = lines_batch([GOOD, GOOD[:-1] + "?", "1"], [(5, 0)] * 3, path="file:/in.csv")
    assert run(job, batch).to_pylist() == [
        {PATH: "file:/in.csv", FILE_KEY: 5, BLOCK: 0, "row": 2,
         "reason": "column 13: expected a number, got '?'", "raw": GOOD[:-1] + "?"},
        {PATH: "file:/in.csv", FILE_KEY: 5, BLOCK: 0, "row": 3,
         "reason": "expected 14 columns, got 1", "raw": "1"},
    ]  # fmt: skip


def csv_text(job: WorkerJob, *batches: pa.RecordBatch) -> str:
    """What Spark's text source writes of the task's values: each one, then a newline."""
    out = pa.Table.from_batches(list(score_partition(job, iter(batches))), schema=lines_schema())
    return "".join(f"{value}\n" for value in out.column(LINE).to_pylist())


@pytest.mark.parametrize(
    "rows",
    [[GOOD, "0,0,1,1,0,0,1,1,0,0,1,1,0,0"], ["12,0,3,0,1,0,1,0,1,0,1,0,1,0"]],
    ids=["fixed-width lines", "pyarrow's writer"],
)
def test_csv_lines_are_the_local_writer_s_text_with_the_header_once_per_task(
    shipped: ShippedModel, tmp_path: Path, rows: list[str]
) -> None:
    schema = csv_schema(shipped)
    job = WorkerJob(shipped, 0.5, schema, CsvLayout(None), csv_lines=True)
    first, second = lines_batch(rows, [(0, 0)] * len(rows)), lines_batch(rows, [(0, 1)] * len(rows))

    text = csv_text(job, first, second)

    scored = run(WorkerJob(shipped, 0.5, schema, CsvLayout(None)), first, second)
    writer = open_writer("csv", tmp_path / "local.csv", schema)
    writer.write(scored)
    writer.close()
    assert text == (tmp_path / "local.csv").read_text()
    assert text.count("prediction") == 1
    assert len(text.splitlines()) == 1 + 2 * len(rows)
    assert all(len(line.rsplit(",", 1)[1]) == 10 for line in text.splitlines()[1:])


def test_a_task_without_rows_writes_no_text(shipped: ShippedModel) -> None:
    job = WorkerJob(shipped, 0.5, csv_schema(shipped), CsvLayout(None), csv_lines=True)
    assert list(score_partition(job, iter([lines_batch([""], [(0, 0)])]))) == []


def test_typed_columns_without_splits_name_the_partition(shipped: ShippedModel) -> None:
    model = load_shipped(shipped)
    assert load_shipped(shipped) is model  # loaded once per worker process
    schema = output_schema([(name, pa.float64()) for name in NAMES], model)
    job = WorkerJob(shipped, 0.5, schema, tag_errors=False)
    good = pa.RecordBatch.from_pydict({name: [1.0, 0.0] for name in NAMES})
    assert run(job, good).num_rows == 2
    bad = pa.RecordBatch.from_pydict(
        {name: [1.0, np.nan if name == "4" else 1.0] for name in NAMES}
    )
    with pytest.raises(
        SchemaError, match=r"^partition 0, row 4, column 4: expected a number, got nan$"
    ):
        run(job, good, bad)


def test_an_error_without_a_row_keeps_its_class(shipped: ShippedModel) -> None:
    found = find_remote_error(
        Exception(f"Traceback...\n{RemoteError(PayloadError('cannot parse CSV (x)'))}")
    )
    assert found is not None
    assert isinstance(found.error, PayloadError)
    assert found.split is None
    assert found.renumbered(5).message == "cannot parse CSV (x)"
    assert find_remote_error(Exception("no tag")) is None
