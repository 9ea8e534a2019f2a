"""The Spark engine as a real process: a driver killed mid-job leaves no visible output."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
from benchmarks._setup import write_rows

from tests.integration.batch.test_process import PSYSTOCK, TEMP_MARKER
from tests.process_checks import is_gone


def descendant_commands(pid: int) -> list[str]:
    """The command lines of the processes below ``pid`` (PySpark's daemon leaves its group)."""
    commands = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            commands.append(" ".join(child.cmdline()))
        except psutil.Error:
            continue
    return commands


def wait_for_task_output(staging_parent: Path, process: subprocess.Popen[bytes]) -> Path:
    """The hidden directory, once a task has started writing a part into it."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        for staging in staging_parent.glob(f".out{TEMP_MARKER}*"):
            if any(path.is_file() for path in (staging / "_temporary").rglob("*")):
                return staging
        if process.poll() is not None:
            raise AssertionError(f"the job ended early: {process.communicate()[1].decode()}")
        time.sleep(0.1)
    raise AssertionError("the job never started writing its output")


def test_killing_the_driver_mid_job_leaves_only_a_hidden_directory(
    env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    write_rows(source, 3_000_000)  # tens of seconds for one core
    target = tmp_path / "out"
    process = subprocess.Popen(
        [str(PSYSTOCK), "batch", "score", str(source), str(target), "--engine", "spark",
         "--master", "local[1]", "--conf", "spark.ui.enabled=false"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        staging = wait_for_task_output(tmp_path, process)
        # The workers come from psystock's daemon (the scoring modules imported once).
        assert any("-m psystock.spark.daemon" in line for line in descendant_commands(process.pid))
        process.kill()  # the Python driver; its JVM sees its stdin close and exits too
        process.communicate(timeout=30)
        deadline = time.monotonic() + 60
        while not is_gone(process.pid, group=True) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert is_gone(process.pid, group=True), "Spark's JVM outlived its driver"
    finally:
        if not is_gone(process.pid, group=True):
            os.killpg(process.pid, signal.SIGKILL)
    assert not target.exists()
    names = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("home", "in.csv"))
    assert names == [staging.name]
    assert staging.name.startswith(f".out{TEMP_MARKER}")


def test_an_existing_output_fails_before_spark_or_the_registry_is_asked(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("1,0,1,0,1,0,1,0,1,0,1,0,1,0\n")
    (tmp_path / "out").mkdir()
    env = {
        **os.environ,
        "PSYSTOCK_HOME": str(tmp_path / "home"),
        "MLFLOW_TRACKING_URI": "http://127.0.0.1:9",  # nothing listens: asking it would fail
        "JAVA_HOME": str(tmp_path / "no-java"),  # Spark cannot start
    }
    done = subprocess.run(
        [str(PSYSTOCK), "batch", "score", str(source), str(tmp_path / "out"), "--engine", "spark"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"Error: output {tmp_path / 'out'} already exists: pass --overwrite to replace it"
    )
