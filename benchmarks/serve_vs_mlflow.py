"""psystock serve vs mlflow models serve: requests/s, p50/p99 and cold start, one worker each.

Run: ``.venv/bin/python benchmarks/serve_vs_mlflow.py [--duration 10] [--connections 8,64]``

Starts a private registry with psystock's own CLI (SQLite, temporary directory), trains and
promotes the PsyStock model (real BTC-USD prices from ../shared/data when present), then starts
``mlflow models serve --env-manager local -w 1`` and ``psystock serve --workers 1`` in turn,
each alone, times the cold start (process start to the first 200 on /ping), and loads each
with wrk (one-row JSON ``dataframe_split`` POSTs) at each connection count. Every answer must
be a 2xx. Prints a table, the ratios against the targets (>= 25x requests/s, p99 <= 1/10,
cold start < 2 s) and the in-process floor (one-row predictions through the runtime).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `psystock` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._serve_load import (
    WRK_SCRIPT,
    LoadResult,
    check_answer,
    require_wrk,
    run_wrk,
    start_and_time,
    stop_process_group,
)
from benchmarks._setup import MODEL_NAME, free_port, private_registry

REFERENCE = f"models:/{MODEL_NAME}/Production"
TARGET_SPEEDUP = 25.0
TARGET_P99_RATIO = 0.1
TARGET_COLD_S = 2.0


def server_commands(port: int) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        "mlflow models serve": [
            str(bin_dir / "mlflow"), "models", "serve", "-m", REFERENCE, "--env-manager",
            "local", "-w", "1", "-h", "127.0.0.1", "-p", str(port),
        ],
        "psystock serve": [
            str(bin_dir / "psystock"), "serve", "--model", REFERENCE, "--workers", "1",
            "--host", "127.0.0.1", "--port", str(port),
        ],
    }  # fmt: skip


def bench_server(
    name: str, command: list[str], env: dict[str, str], args: argparse.Namespace, root: Path
) -> tuple[float, list[LoadResult]]:
    wrk = require_wrk()
    url = f"http://127.0.0.1:{command[command.index('-p' if '-p' in command else '--port') + 1]}"
    log = root / f"{name.split()[0]}.log"
    print(f"\n== {name}: starting ({' '.join(command[1:4])} ...)", flush=True)
    process, cold_s = start_and_time(command, env, url, log)
    try:
        check_answer(url)
        script = root / "post.lua"
        script.write_text(WRK_SCRIPT)
        run_wrk(wrk, url, 8, 2, script)  # warm-up
        results = []
        for connections in args.connections:
            result = run_wrk(wrk, url, connections, args.duration, script)
            print(
                f"   c={connections:<3} {result.requests_per_s:9.0f} req/s"
                f"  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
                f"  non-2xx {result.non_2xx}  socket errors {result.errors}",
                flush=True,
            )
            if result.non_2xx or result.errors:
                raise SystemExit(f"{name} answered {result.non_2xx} non-2xx; see {log}")
            results.append(result)
        print(f"   cold start {cold_s:.2f} s", flush=True)
        return cold_s, results
    finally:
        stop_process_group(process)


def in_process_floor(tracking_uri: str, home: Path, rounds: int = 3000) -> float:
    """Microseconds per one-row prepare + predict through the runtime, tuned as the API is."""
    from psystock.scoring import ModelInput, ScoringRuntime
    from psystock.serving.state import tune_for_serving
    from psystock.settings import load_settings

    model = ScoringRuntime(load_settings(home=home, tracking_uri=tracking_uri)).load(REFERENCE)
    tune_for_serving(model)
    row = ModelInput([[1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]], tuple(map(str, range(14))))
    for _ in range(200):
        model.predict(model.prepare(row))
    started = time.perf_counter()
    for _ in range(rounds):
        model.predict(model.prepare(row))
    return (time.perf_counter() - started) / rounds * 1e6


def report(
    results: dict[str, tuple[float, list[LoadResult]]], floor_us: float
) -> dict[str, object]:
    mlflow_cold, mlflow_runs = results["mlflow models serve"]
    ours_cold, our_runs = results["psystock serve"]
    print("\n| server | connections | req/s | p50 ms | p99 ms | cold start s |")
    print("|---|---|---|---|---|---|")
    for name, (cold, runs) in results.items():
        for run in runs:
            print(
                f"| {name} | {run.connections} | {run.requests_per_s:.0f} | {run.p50_ms:.2f} |"
                f" {run.p99_ms:.2f} | {cold:.2f} |"
            )
    summary: dict[str, object] = {"floor_us_per_row": round(floor_us, 1)}
    passed = ours_cold < TARGET_COLD_S
    for theirs, ours in zip(mlflow_runs, our_runs, strict=True):
        speedup = ours.requests_per_s / theirs.requests_per_s
        p99_ratio = ours.p99_ms / theirs.p99_ms
        passed = passed and speedup >= TARGET_SPEEDUP and p99_ratio <= TARGET_P99_RATIO
        print(
            f"c={ours.connections}: {speedup:.1f}x requests/s (target >= {TARGET_SPEEDUP:.0f}x),"
            f" p99 {p99_ratio:.3f} of mlflow's (target <= {TARGET_P99_RATIO})"
        )
        summary[f"c{ours.connections}"] = {"speedup": speedup, "p99_ratio": p99_ratio}
    print(
        f"cold start: psystock {ours_cold:.2f} s vs mlflow {mlflow_cold:.2f} s"
        f" (target < {TARGET_COLD_S:.0f} s)"
    )
    print(
        f"in-process floor: {floor_us:.0f} us per one-row prepare + predict (runtime, one"
        f" thread, no HTTP) = {1e6 / floor_us:.0f} calls/s without micro-batching"
    )
    print("targets met" if passed else "TARGETS NOT MET (is the machine busy?)")
    summary["targets_met"] = passed
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--connections",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[8, 64],
        help="comma-separated connection counts",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    require_wrk()
    with tempfile.TemporaryDirectory(prefix="psystock-bench-") as tmp:
        root = Path(tmp)
        with private_registry(root / "registry-home") as (registry_env, origin):
            tracking_uri = registry_env["MLFLOW_TRACKING_URI"]
            print(f"registry {tracking_uri}; training on {origin}")
            env = {
                "MLFLOW_TRACKING_URI": tracking_uri,
                "PSYSTOCK_HOME": str(root / "home"),
                # mlflow models serve runs `uvicorn` from PATH: the venv's own.
                "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            }
            results = {
                name: bench_server(name, command, env, args, root)
                for name, command in server_commands(free_port()).items()
            }
            floor_us = in_process_floor(tracking_uri, root / "floor-home")
        summary = report(results, floor_us)
        if args.json:
            figures = {
                name: {"cold_start_s": cold, "runs": [vars(run) for run in runs]}
                for name, (cold, runs) in results.items()
            }
            args.json.write_text(json.dumps({**figures, "summary": summary}, indent=2))


if __name__ == "__main__":
    main()
