"""The batch job as a real process: stdin/stdout, signals mid-way, imports and memory."""

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from psystock.settings import load_settings
from tests.conftest import REPO_ROOT, RegisteredModel
from tests.integration.batch.conftest import batch_runs, book_rows
from tests.integration.batch.conftest import write_csv as write_rows

PSYSTOCK = REPO_ROOT / ".venv" / "bin" / "psystock"
TEMP_MARKER = ".psystock-tmp-"


@pytest.fixture
def env(registered_model: RegisteredModel, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": registered_model.tracking_uri,
        "PSYSTOCK_HOME": str(tmp_path / "home"),
        "PSYSTOCK_BATCH__EXPERIMENT": f"batch-process-{uuid.uuid4().hex[:8]}",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
    }


def run(
    args: list[str], env: dict[str, str], stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(PSYSTOCK), *args], input=stdin, capture_output=True, env=env, timeout=120, check=False
    )


def test_stdin_to_stdout(env: dict[str, str]) -> None:
    rows = book_rows(7)
    text = "".join(",".join(str(v) for v in row) + "\n" for row in rows.tolist())
    result = run(["batch", "score", "-", "-"], env, text.encode())
    assert result.returncode == 0, result.stderr.decode()
    out = pcsv.read_csv(io.BytesIO(result.stdout))
    assert out.num_rows == 7
    assert out.schema.names[-2:] == ["prediction", "probability"]
    assert b"Scored 7 of 7 rows" in result.stderr


def test_parquet_stdin_to_parquet_stdout(env: dict[str, str]) -> None:
    rows = book_rows(4)
    buffer = io.BytesIO()
    pq.write_table(pa.table({str(i): rows[:, i] for i in range(14)}), buffer)
    result = run(
        ["batch", "score", "-", "-", "--input-format", "parquet", "--output-format", "parquet"],
        env,
        buffer.getvalue(),
    )
    assert result.returncode == 0, result.stderr.decode()
    assert pq.read_table(io.BytesIO(result.stdout)).num_rows == 4


def test_failed_job_writes_nothing_to_stdout(env: dict[str, str]) -> None:
    result = run(["batch", "score", "-", "-"], env, b"1,0,1,0,1,0,1,0,1,0,1,0,1,0\n1,x\n")
    assert result.returncode == 2
    assert result.stdout == b""
    assert (
        result.stderr.decode().strip().splitlines()[-1]
        == "Error: row 2: expected 14 columns, got 2"
    )


FIFO = "rows.fifo"


@contextlib.contextmanager
def job_mid_way(env: dict[str, str], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A job scoring into ``tmp_path/out.csv`` from a named pipe this test holds open.

    It has written over 1 MB of output and waits for more rows: it cannot end before the test
    acts, however fast it scores.
    """
    fifo = tmp_path / FIFO
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [str(PSYSTOCK), "batch", "score", str(fifo), str(tmp_path / "out.csv")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    rows = "".join(",".join(str(v) for v in row) + "\n" for row in book_rows(1000).tolist())
    try:
        with fifo.open("w") as pipe:  # opened once the job opens it
            pipe.write(rows * 300)  # 8.4 MB, read by the job before this returns but 64 KB
            pipe.flush()
            deadline = time.monotonic() + 60
            while True:
                temps = list(tmp_path.glob(f".out.csv{TEMP_MARKER}*"))
                if temps and temps[0].stat().st_size > (1 << 20):
                    break
                assert process.poll() is None, "the job ended early"
                assert time.monotonic() < deadline, "the job never started writing its output"
                time.sleep(0.02)
            yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def ended_or_dumped(process: subprocess.Popen[bytes], timeout: float) -> bytes:
    """The process's stderr once it ends; if it hangs, fail with every thread's stack.

    SIGABRT makes a process started with ``PYTHONFAULTHANDLER=1`` print its threads' stacks.
    """
    try:
        return process.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        stderr = process.communicate(timeout=30)[1]
        pytest.fail(f"the job hung for {timeout} s; its stderr:\n{stderr.decode()}")


def leftovers(folder: Path) -> Iterator[str]:
    return (p.name for p in folder.iterdir() if p.name not in ("home", FIFO))


def test_sigkill_leaves_a_temporary_file_that_the_next_run_removes_and_names(
    env: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    with job_mid_way(env, tmp_path) as process:
        process.kill()
        process.communicate(timeout=30)
    assert not target.exists()
    names = list(leftovers(tmp_path))
    assert len(names) == 1
    assert names[0].startswith(f".out.csv{TEMP_MARKER}")
    settings = load_settings(
        tracking_uri=env["MLFLOW_TRACKING_URI"],
        batch={"experiment": env["PSYSTOCK_BATCH__EXPERIMENT"]},
    )
    # SIGKILL gives the job no chance to end its run: the registry still says RUNNING.
    (orphan,) = batch_runs(settings)
    assert (orphan.info.status, orphan.data.tags["psystock.pid"]) == ("RUNNING", str(process.pid))
    small = write_rows(tmp_path / "small.csv", book_rows(5))
    result = run(["batch", "score", str(small), str(target)], env)
    assert result.returncode == 0, result.stderr.decode()
    stderr = result.stderr.decode()
    assert f"removed {tmp_path / names[0]}, left behind by a job that was killed" in stderr
    assert sorted(leftovers(tmp_path)) == ["out.csv", "small.csv"]
    killed, finished = sorted(batch_runs(settings), key=lambda run: run.info.start_time)
    assert (killed.info.status, finished.info.status) == ("KILLED", "FINISHED")
    assert killed.data.tags["psystock.pid"] == str(process.pid)
    assert (
        f"marked MLflow run {killed.info.run_id} KILLED: its job (pid {process.pid} on "
        f"{killed.data.tags['psystock.host']}) is gone" in stderr
    )


def test_a_running_jobs_temporary_file_is_left_alone(env: dict[str, str], tmp_path: Path) -> None:
    fifo = tmp_path / "rows.fifo"
    os.mkfifo(fifo)
    target = tmp_path / "out.csv"
    running = subprocess.Popen(
        [str(PSYSTOCK), "batch", "score", str(fifo), str(target)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = "".join(",".join(str(v) for v in row) + "\n" for row in book_rows(1000).tolist())
    with fifo.open("w") as pipe:  # held open: the job waits for more rows
        pipe.write(rows * 100)  # 2.8 MB: a few blocks scored and written
        pipe.flush()
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(f".out.csv{TEMP_MARKER}*")):
            assert time.monotonic() < deadline, "the job never started writing"
            time.sleep(0.05)
        temps = list(tmp_path.glob(f".out.csv{TEMP_MARKER}*"))
        small = write_rows(tmp_path / "small.csv", book_rows(5))
        result = run(["batch", "score", str(small), str(target)], env)
        assert result.returncode == 0, result.stderr.decode()
        assert b"removed" not in result.stderr
        assert list(tmp_path.glob(f".out.csv{TEMP_MARKER}*")) == temps
        running.kill()
    running.communicate(timeout=30)


def test_stdout_on_a_full_disk_is_one_error_line_and_no_spooled_file(
    env: dict[str, str], tmp_path: Path
) -> None:
    spool = tmp_path / "tmp"
    spool.mkdir()
    source = write_rows(tmp_path / "in.csv", book_rows(50))
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [str(PSYSTOCK), "batch", "score", str(source), "-"],
            stdout=full,
            stderr=subprocess.PIPE,
            env={**env, "TMPDIR": str(spool)},
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.decode().strip().splitlines()[-1] == (
        "Error: output stdout: cannot write it (No space left on device): free some space and "
        "run again"
    )
    assert list(spool.iterdir()) == []


@pytest.mark.parametrize(("signum", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_or_ctrl_c_mid_way_cleans_up_and_records_a_killed_run(
    env: dict[str, str], tmp_path: Path, signum: int, exit_code: int
) -> None:
    with job_mid_way({**env, "PYTHONFAULTHANDLER": "1"}, tmp_path) as process:
        process.send_signal(signum)
        stderr = ended_or_dumped(process, timeout=60)
    assert process.returncode == exit_code, stderr.decode()
    assert list(leftovers(tmp_path)) == []
    settings = load_settings(
        tracking_uri=env["MLFLOW_TRACKING_URI"],
        batch={"experiment": env["PSYSTOCK_BATCH__EXPERIMENT"]},
    )
    (recorded,) = batch_runs(settings)
    assert recorded.info.status == "KILLED"


def test_job_imports_neither_pandas_nor_mlflow_nor_sklearn_and_stays_small(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    write_rows(source, book_rows(1000))
    with source.open("a") as handle:  # 300,000 rows in all
        lines = "".join(",".join(str(v) for v in row) + "\n" for row in book_rows(1000).tolist())
        handle.write(lines * 299)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so a child of this
    # (large) pytest process would report pytest's own peak.
    code = f"""
        import sys
        from psystock.cli import main
        try:
            main(["batch", "score", {str(source)!r}, {str(tmp_path / "out.csv")!r}])
        except SystemExit as exc:
            assert exc.code == 0, exc.code
        print(sorted(m for m in ("pandas", "mlflow", "sklearn") if m in sys.modules))
        with open("/proc/self/status") as status:
            peak_kb = next(line for line in status if line.startswith("VmHWM")).split()[1]
        print(int(peak_kb) // 1024)
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    imported, peak_mb = result.stdout.strip().splitlines()
    assert imported == "[]"
    assert int(peak_mb) < 300
