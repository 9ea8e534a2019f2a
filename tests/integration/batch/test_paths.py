"""Inputs and outputs a Unix user gives: pipes, process substitution, folders, full disks."""

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pyarrow.csv as pcsv
import pytest

from tests.conftest import RunCli
from tests.integration.batch.conftest import book_rows, write_csv

TEMP_MARKER = ".psystock-tmp-"


def book_csv(rows: int) -> bytes:
    return "".join(
        ",".join(str(v) for v in row) + "\n" for row in book_rows(rows).tolist()
    ).encode()


def feed(path_or_fd: Path | int, data: bytes) -> threading.Thread:
    """Write ``data`` into a named pipe or a pipe's write end from a thread, then close it."""

    def write() -> None:
        if isinstance(path_or_fd, Path):
            with path_or_fd.open("wb") as pipe:
                pipe.write(data)
        else:
            with os.fdopen(path_or_fd, "wb") as pipe:
                pipe.write(data)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def temp_files(folder: Path) -> list[str]:
    return [path.name for path in folder.iterdir() if TEMP_MARKER in path.name]


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def test_a_named_pipe_is_an_input(psystock: RunCli, tmp_path: Path) -> None:
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    writer = feed(fifo, book_csv(30))
    result = psystock("batch", "score", fifo, tmp_path / "out.csv")
    writer.join(10)
    assert result.exit_code == 0, result.stderr
    assert pcsv.read_csv(tmp_path / "out.csv").num_rows == 30


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    """A pipe; the test hands its write end to ``feed``, which closes it."""
    read_end, write_end = os.pipe()
    yield read_end, write_end
    os.close(read_end)


def test_process_substitution_is_an_input(
    psystock: RunCli, tmp_path: Path, pipe: tuple[int, int]
) -> None:
    read_end, write_end = pipe  # what <(zcat in.csv.gz) hands over: /dev/fd/N, a pipe
    writer = feed(write_end, book_csv(12))
    result = psystock("batch", "score", f"/dev/fd/{read_end}", tmp_path / "out.csv")
    writer.join(10)
    assert result.exit_code == 0, result.stderr
    assert "Scored 12 of 12 rows" in result.stderr
    assert pcsv.read_csv(tmp_path / "out.csv").num_rows == 12


def test_parquet_through_a_pipe_is_spooled_first(
    psystock: RunCli, tmp_path: Path, pipe: tuple[int, int]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = book_rows(9)
    pq.write_table(pa.table({str(i): rows[:, i] for i in range(14)}), tmp_path / "in.parquet")
    read_end, write_end = pipe
    writer = feed(write_end, (tmp_path / "in.parquet").read_bytes())
    result = psystock(
        "batch", "score", f"/dev/fd/{read_end}", tmp_path / "out.csv", "--input-format", "parquet"
    )
    writer.join(10)
    assert result.exit_code == 0, result.stderr
    assert pcsv.read_csv(tmp_path / "out.csv").num_rows == 9


def test_a_directory_input_is_refused_as_a_directory(psystock: RunCli, tmp_path: Path) -> None:
    result = psystock("batch", "score", tmp_path, tmp_path / "out.csv")
    assert result.exit_code == 2
    assert last_line(result.stderr) == (
        f"Error: input {tmp_path} is a directory: expected a CSV or Parquet file, a pipe, "
        "or - for stdin"
    )


def test_an_existing_directory_as_output_is_refused_even_with_overwrite(
    psystock: RunCli, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(3))
    folder = tmp_path / "folder"
    folder.mkdir()
    result = psystock("batch", "score", source, folder, "--overwrite")
    assert result.exit_code == 2
    assert last_line(result.stderr) == (
        f"Error: output {folder} is a directory: expected the path of a file to write"
    )
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("what", ["output", "quarantine"])
def test_a_read_only_folder_is_one_error_line_and_leaves_nothing(
    psystock: RunCli, tmp_path: Path, read_only_dir: Path, what: str
) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(3))
    target = read_only_dir / "out.csv" if what == "output" else tmp_path / "out.csv"
    args = ["batch", "score", source, target]
    if what == "quarantine":
        args += ["--on-error", "quarantine", "--quarantine", read_only_dir / "bad.csv"]
    result = psystock(*args)
    assert result.exit_code == 2, result.stderr
    shown = target if what == "output" else read_only_dir / "bad.csv"
    assert re.fullmatch(
        rf"Error: output {re.escape(str(shown))}: cannot create a file in "
        rf"{re.escape(str(read_only_dir))} \((Read-only file system|Permission denied)\): "
        r"choose a folder you can write to",
        last_line(result.stderr),
    )
    assert "Traceback" not in result.stderr
    assert temp_files(tmp_path) == []
    assert list(read_only_dir.iterdir()) == []


def test_a_full_disk_is_one_error_line_and_leaves_no_partial_file(
    psystock: RunCli, tmp_path: Path, small_disk: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(20_000))  # ~820 KB of output
    target = small_disk / "out.csv"
    result = psystock("batch", "score", source, target)
    assert result.exit_code == 1, result.stderr
    assert last_line(result.stderr) == (
        f"Error: output {target}: cannot write it (No space left on device): free some space "
        "and run again"
    )
    assert "Traceback" not in result.stderr
    assert list(small_disk.iterdir()) == []


def test_a_full_disk_for_the_quarantine_file_leaves_nothing(
    psystock: RunCli, tmp_path: Path, small_disk: Path
) -> None:
    rows = book_csv(3) + b"1,0,x\n" * 20_000
    source = tmp_path / "in.csv"
    source.write_bytes(rows)
    quarantine = small_disk / "bad.csv"
    result = psystock(
        "batch", "score", source, tmp_path / "out.csv", "--on-error", "quarantine",
        "--quarantine", quarantine,
    )  # fmt: skip
    assert result.exit_code == 1, result.stderr
    assert last_line(result.stderr) == (
        f"Error: output {quarantine}: cannot write it (No space left on device): free some "
        "space and run again"
    )
    assert list(small_disk.iterdir()) == []
    assert not (tmp_path / "out.csv").exists()
    assert temp_files(tmp_path) == []
