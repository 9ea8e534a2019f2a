"""Benchmark: the book's batch_scoring.py (on current MLflow) against ``psystock batch score``.

    .venv/bin/python benchmarks/batch_vs_seed.py [--rows 10000000] [--keep DIR]

Sets up a private registry (``psystock registry up``: SQLite, temporary directory), trains and
promotes PsyStock (on the real BTC-USD prices when ../shared/data/btc-usd-daily.csv exists,
else on synthetic ones), writes N headerless rows, then runs, each as a separate process on
the same registered model, three times each, interleaved (the median run is reported):

(a) the book's batch job: ``pd.read_csv`` of the whole file (header=None),
    ``mlflow.pyfunc.load_model("models:/training-model-psystock/Production")``, ``predict``,
    the list comprehension at 0.5, ``to_csv``, inside ``mlflow.start_run(run_name=...)``;
(b) ``psystock batch score INPUT OUTPUT``.

It prints wall time and peak RSS of each, the ratios, and (b)'s rows/s against the floor:
pyarrow's streaming CSV read plus ``inplace_predict`` alone, in this process, measured in the
same run. Targets at 10M rows: (b) at least 10x faster than (a), at least 75 % of the floor's
rows/s, and (b)'s peak RSS under 300 MB whatever N is. The machine's load average is printed
with each figure: on a shared machine the figures are only as quiet as it is.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._setup import (
    MODEL_NAME,
    PSYSTOCK,
    Measurement,
    environment,
    free_port,
    median_runs,
    psystock,
    register_model,
    run_with_rows,
    write_rows,
)

SEED_JOB = textwrap.dedent(
    """
    # The book's batch_scoring.py, as it runs on current MLflow (paths from the command line).
    import sys

    import mlflow
    import pandas as pd

    if __name__ == "__main__":
        with mlflow.start_run(run_name="batch_scoring") as run:
            data = pd.read_csv(sys.argv[1], header=None)
            model_name = "training-model-psystock"
            stage = "Production"
            model = mlflow.pyfunc.load_model(model_uri=f"models:/{model_name}/{stage}")
            y_probas = model.predict(data)
            y_preds = [1 if y_proba > 0.5 else 0 for y_proba in y_probas]
            data[len(data.columns)] = y_preds
            result = data
            result.to_csv(sys.argv[2])
    """
)
SPEED_TARGET = 10.0
FLOOR_SHARE_TARGET = 0.75
RSS_TARGET_MB = 300.0
CHECKED_ROWS = 100_000
ROUNDS = 3
"""Runs of each job, the median reported; each run downloads the model (psystock's cache is
emptied before each of its runs, as the book's job downloads it every time)."""


def main() -> None:
    run_with_rows(run, __doc__.splitlines()[0], 1_000_000, "psystock-batch-bench-")


def run(rows: int, root: Path) -> None:
    env = environment(root / "home", free_port())
    print(f"setting up a private registry in {root} ...", flush=True)
    psystock(env, "registry", "up")
    try:
        origin = register_model(env)
        source = root / "input.csv"
        write_rows(source, rows)
        seed_script = root / "batch_scoring.py"
        seed_script.write_text(SEED_JOB, encoding="utf-8")
        print(
            f"scoring {rows:,} rows with (a) the book's job and (b) psystock batch score, "
            f"{ROUNDS} rounds each, interleaved ... ({load()})",
            flush=True,
        )
        seed, ours = median_runs(
            [
                (
                    [sys.executable, str(seed_script), str(source), str(root / "a.csv")],
                    [root / "a.csv"],
                ),
                (
                    [str(PSYSTOCK), "batch", "score", str(source), str(root / "b.csv")],
                    [root / "b.csv", root / "home" / "cache"],  # resolve and download each time
                ),
            ],
            env,
            ROUNDS,
        )
        print(f"measuring the floor ... ({load()})", flush=True)
        floor_s = measure_floor(source, env)
        agree = decisions_agree(root / "a.csv", root / "b.csv")
        report(rows, source, origin, seed, ours, floor_s, agree)
    finally:
        psystock(env, "registry", "down")


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes) and its CPU count."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def measure_floor(source: Path, env: dict[str, str]) -> float:
    """Seconds for pyarrow's streaming read + float32 matrix + inplace_predict, in-process."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from psystock.scoring import ScoringRuntime, XGBoostModel
    from psystock.settings import load_settings

    settings = load_settings(tracking_uri=env["MLFLOW_TRACKING_URI"], home=env["PSYSTOCK_HOME"])
    model = ScoringRuntime(settings).load()
    if not isinstance(model, XGBoostModel):
        raise RuntimeError(f"expected the XGBoost fast path, got {model.info.flavor}")
    names = [str(i) for i in range(14)]
    started = time.perf_counter()
    reader = pcsv.open_csv(
        source,
        read_options=pcsv.ReadOptions(column_names=names),
        convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.int64())),
    )
    for batch in reader:
        matrix = np.empty((batch.num_rows, 14), dtype=np.float32)
        for index in range(14):
            matrix[:, index] = np.frombuffer(batch.column(index).buffers()[1], dtype=np.int64)[
                batch.column(index).offset : batch.column(index).offset + batch.num_rows
            ]
        model.booster.inplace_predict(matrix)
    return time.perf_counter() - started


def decisions_agree(seed_output: Path, our_output: Path) -> bool:
    """Whether both jobs made the same decisions on the first rows."""
    import pandas as pd

    seed = pd.read_csv(seed_output, index_col=0, nrows=CHECKED_ROWS)
    ours = pd.read_csv(our_output, nrows=CHECKED_ROWS)
    return bool((seed.iloc[:, -1].to_numpy() == ours["prediction"].to_numpy()).all())


def report(
    rows: int,
    source: Path,
    origin: str,
    seed: Measurement,
    ours: Measurement,
    floor_s: float,
    agree: bool,
) -> None:
    """Print the table, the ratios and the targets."""
    speedup = seed.wall_s / ours.wall_s
    size_mb = source.stat().st_size / 1e6
    print()
    print(f"rows: {rows:,} ({size_mb:,.0f} MB of CSV)   model: models:/{MODEL_NAME}/Production")
    print(f"trained on {origin}")
    print(f"{'':32}{'wall s':>9}{'CPU s':>9}{'peak RSS MB':>13}{'rows/s':>13}")
    for label, wall_s, cpu, peak in (
        ("(a) book's batch_scoring.py", seed.wall_s, f"{seed.cpu_s:.2f}", f"{seed.peak_mb:,.0f}"),
        ("(b) psystock batch score", ours.wall_s, f"{ours.cpu_s:.2f}", f"{ours.peak_mb:,.0f}"),
        ("floor: pyarrow read + predict", floor_s, "-", "-"),
    ):
        print(f"{label:32}{wall_s:9.2f}{cpu:>9}{peak:>13}{rows / wall_s:13,.0f}")
    print()
    print(
        f"speed-up (a)/(b): {speedup:.1f}x (target >= {SPEED_TARGET:g}x at 10M rows: "
        f"{'met' if speedup >= SPEED_TARGET else 'NOT met'})"
    )
    print(
        f"peak RSS (b): {ours.peak_mb:,.0f} MB (target < {RSS_TARGET_MB:g} MB: "
        f"{'met' if ours.peak_mb < RSS_TARGET_MB else 'NOT met'}); "
        f"(a)/(b) memory: {seed.peak_mb / ours.peak_mb:.1f}x"
    )
    share = floor_s / ours.wall_s
    print(
        f"(b) throughput: {rows / ours.wall_s:,.0f} rows/s = {share:.0%} of the floor's "
        f"{rows / floor_s:,.0f} rows/s (target >= {FLOOR_SHARE_TARGET:.0%}: "
        f"{'met' if share >= FLOOR_SHARE_TARGET else 'NOT met'}; b's time includes process "
        "start, model load and recording the run)"
    )
    print(
        f"same decisions on the first {min(rows, CHECKED_ROWS):,} rows: {'yes' if agree else 'NO'}"
    )
    print(f"machine: {load()} (shared machines give noisy figures)")


if __name__ == "__main__":
    main()
