"""Benchmark helpers shared by both benchmarks: a private registry, a trained model, timing.

Everything goes through psystock's own CLI (``registry up``, ``data fetch``, ``train``,
``promote``), so each benchmark scores the model the product would deploy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
PSYSTOCK = REPO / ".venv" / "bin" / "psystock"
BTC_CSV = REPO.parent / "shared" / "data" / "btc-usd-daily.csv"
MODEL_NAME = "training-model-psystock"
FEATURES = 14

# Runs one command and reports its wall time, CPU time and peak RSS. A small process of its own: on
# Linux a child's ru_maxrss starts from its parent's RSS at fork (it survives exec), so
# measuring from this (large) benchmark process would overstate small children.
_MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    started = time.perf_counter()
    done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall_s = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb = usage.ru_maxrss
    print(json.dumps({"wall_s": wall_s, "peak_mb": peak_kb / 1024,
                      "cpu_s": usage.ru_utime + usage.ru_stime,
                      "code": done.returncode, "stderr": done.stderr.decode()[-2000:]}))
    """
)


@dataclass(frozen=True)
class Measurement:
    """Wall time, peak RSS and CPU time (user + system, all threads) of one child process."""

    wall_s: float
    peak_mb: float
    cpu_s: float = 0.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(home: Path, port: int) -> dict[str, str]:
    """The environment of every child: a private psystock home and registry, no telemetry."""
    return {
        **os.environ,
        "PSYSTOCK_HOME": str(home),
        "PSYSTOCK_REGISTRY__PORT": str(port),
        "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}",
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "PSYSTOCK_LOG_LEVEL": "WARNING",
    }


def psystock(env: dict[str, str], *args: str) -> str:
    """Run the psystock CLI; return its stdout, raise with its stderr on failure."""
    done = subprocess.run(
        [str(PSYSTOCK), *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"psystock {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def register_model(env: dict[str, str]) -> str:
    """Fetch prices (the real BTC-USD file if present, else synthetic), train, promote.

    Returns:
        Where the training data came from.
    """
    if BTC_CSV.is_file():
        psystock(env, "data", "fetch", "--source", "csv", str(BTC_CSV))
        origin = f"real BTC-USD prices ({BTC_CSV.name})"
    else:
        psystock(env, "data", "fetch", "--source", "synthetic")
        origin = "synthetic prices (real data not found)"
    psystock(env, "train")
    versions = json.loads(psystock(env, "models", "list", "--json"))
    newest = max(int(version["version"]) for version in versions)
    psystock(env, "promote", str(newest), "--to", "Production")
    return origin


@contextmanager
def private_registry(home: Path) -> Iterator[tuple[dict[str, str], str]]:
    """A registry of its own under ``home`` with PsyStock in Production, stopped at the end.

    Yields:
        The environment for children (``PSYSTOCK_HOME``, ``MLFLOW_TRACKING_URI``...) and
        where the training data came from.
    """
    env = environment(home, free_port())
    psystock(env, "registry", "up")
    try:
        yield env, register_model(env)
    finally:
        psystock(env, "registry", "down")


def write_rows(path: Path, rows: int, seed: int = 0, chunk: int = 1_000_000) -> None:
    """Write ``rows`` headerless rows of 14 random 0/1 values, the book's input.csv layout."""
    rng = np.random.default_rng(seed)
    width = 2 * FEATURES  # "d," x 13, "d\n"
    with path.open("wb") as out:
        for start in range(0, rows, chunk):
            count = min(chunk, rows - start)
            line = np.empty((count, width), dtype=np.uint8)
            line[:, 0::2] = ord("0") + rng.integers(0, 2, size=(count, FEATURES), dtype=np.uint8)
            line[:, 1::2] = ord(",")
            line[:, -1] = ord("\n")
            out.write(line.tobytes())


def measure(command: list[str], env: dict[str, str]) -> Measurement:
    """Run ``command`` under the measuring wrapper; fail loudly if it fails.

    The file system's dirty pages are written out first (``sync``), so that every command
    starts from the same state: otherwise the hundreds of MB the previous command (or the
    input's writer) left in the page cache are flushed during the next one, whose own writes
    the kernel then throttles, and the order of the runs decides part of the figures.
    """
    os.sync()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    if report["code"] != 0:
        raise RuntimeError(f"{command[0]} exited {report['code']}: {report['stderr']}")
    return Measurement(report["wall_s"], report["peak_mb"], report["cpu_s"])


def median_runs(
    commands: Sequence[tuple[list[str], Sequence[Path]]], env: dict[str, str], rounds: int
) -> list[Measurement]:
    """Each command run ``rounds`` times, interleaved (a, b, a, b...), as its median run.

    Each command comes with the paths removed before each of its runs (its output, a cache
    it would otherwise reuse), so every run starts from the same state. A short command's
    figure moves by a third when a neighbour takes a core for one second: the median of
    interleaved rounds keeps that noise out of the ratio, for every command alike.
    """
    runs: list[list[Measurement]] = [[] for _ in commands]
    for _ in range(rounds):
        for index, (command, removed) in enumerate(commands):
            for path in removed:
                if path.is_dir():
                    shutil.rmtree(path)
                path.unlink(missing_ok=True)
            runs[index].append(measure(command, env))
    return [sorted(taken, key=lambda run: run.wall_s)[len(taken) // 2] for taken in runs]


def run_with_rows(
    run: Callable[..., None],
    description: str,
    default_rows: int,
    prefix: str,
    extra: Callable[[argparse.ArgumentParser], object] | None = None,
) -> None:
    """Parse ``--rows N`` and ``--keep DIR``; ``run(rows, folder)`` in DIR or a temporary one.

    ``extra`` adds a benchmark's own options; their values reach ``run`` as keywords.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=default_rows, help="rows to score")
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep the files")
    if extra is not None:
        extra(parser)
    args = vars(parser.parse_args())
    rows, keep = args.pop("rows"), args.pop("keep")
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        run(rows, keep, **args)
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as root:
        run(rows, Path(root), **args)
