"""Benchmark: ``psystock batch score --engine spark`` against MLflow's ``spark_udf``.

    .venv/bin/python benchmarks/batch_spark.py [--rows 10000000] [--keep DIR]

Sets up a private registry (``psystock registry up``), trains and promotes PsyStock, writes N
headerless rows, then runs, each as a separate process on the same model (Spark's start is
part of each Spark figure):

(a) the local engine: ``psystock batch score INPUT a.FORMAT``;
(b) the Spark engine: ``psystock batch score INPUT b --engine spark --master local[2]``;
(c) MLflow's own way on Spark: ``mlflow.pyfunc.spark_udf`` (``result_type="double"``) over
    Spark's CSV reader in ``local[2]``, prediction at 0.5, written with Spark's writer of the
    format. It runs on a string-named copy of the model (f0..f13): on the book's
    integer-named signature ``spark_udf`` fails with "Model is missing inputs [0..13]".

once for each output format (``--formats parquet,csv`` by default: Parquet, what a Spark job
writes most, and CSV, the book's output). It prints wall times, the ratios and whether all
three made the same number of positive decisions. Target: (b) at least 2x faster than (c).
The machine's load average is printed too: on a shared machine the figures are noisy.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._setup import (
    FEATURES,
    MODEL_NAME,
    PSYSTOCK,
    Measurement,
    measure,
    private_registry,
    run_with_rows,
    write_rows,
)

SPARK_UDF_JOB = textwrap.dedent(
    """
    # MLflow's documented way to score a model on Spark (paths from the command line).
    import sys

    import mlflow.pyfunc
    from pyspark.sql import SparkSession, functions as F

    model_path, source, target, output_format = sys.argv[1:5]
    builder = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    names = [f"f{i}" for i in range(14)]
    frame = spark.read.csv(source, schema=", ".join(f"{name} long" for name in names))
    predict = mlflow.pyfunc.spark_udf(spark, model_path, result_type="double", env_manager="local")
    scored = frame.withColumn("probability", predict(*[F.col(name) for name in names]))
    scored = scored.withColumn("prediction", (F.col("probability") > 0.5).cast("tinyint"))
    if output_format == "csv":
        scored.write.option("header", True).csv(target)
    else:
        scored.write.parquet(target)
    spark.stop()
    """
)
SPEED_TARGET = 2.0


FORMATS = ("parquet", "csv")


def main() -> None:
    run_with_rows(
        run,
        __doc__.splitlines()[0],
        10_000_000,
        "psystock-spark-bench-",
        extra=lambda parser: parser.add_argument(
            "--formats",
            default=",".join(FORMATS),
            help="output formats to measure, comma-separated (default: parquet,csv)",
        ),
    )


def run(rows: int, root: Path, formats: str = ",".join(FORMATS)) -> None:
    chosen = [name.strip() for name in formats.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(FORMATS))
    if unknown:
        raise SystemExit(f"--formats: expected parquet and/or csv, got {', '.join(unknown)}")
    print(f"setting up a private registry in {root} ...", flush=True)
    with private_registry(root / "home") as (env, origin):
        source = root / "input.csv"
        write_rows(source, rows)
        copy = string_named_copy(env, root / "string-named-model")
        job = root / "spark_udf_job.py"
        job.write_text(SPARK_UDF_JOB, encoding="utf-8")
        for output_format in chosen:
            measured, positives, loads = run_format(env, root, source, copy, job, output_format)
            report(rows, source, origin, output_format, measured, positives, loads)


def run_format(
    env: dict[str, str], root: Path, source: Path, copy: Path, job: Path, output_format: str
) -> tuple[tuple[Measurement, Measurement, Measurement], list[int], tuple[Any, Any]]:
    """The three jobs writing ``output_format``; their figures, positives and the load."""
    folder = root / output_format
    folder.mkdir(exist_ok=True)
    local_output = folder / f"a.{output_format}"
    load_before = os.getloadavg()
    print(f"[{output_format}] scoring with (a) the local engine ...", flush=True)
    local = measure([str(PSYSTOCK), "batch", "score", str(source), str(local_output)], env)
    print(f"[{output_format}] scoring with (b) --engine spark --master local[2] ...", flush=True)
    engine = measure(
        [str(PSYSTOCK), "batch", "score", str(source), str(folder / "b"), "--engine", "spark",
         "--master", "local[2]", "--output-format", output_format,
         "--conf", "spark.ui.enabled=false"],
        env,
    )  # fmt: skip
    print(f"[{output_format}] scoring with (c) mlflow.pyfunc.spark_udf in local[2] ...", flush=True)
    udf_env = {**env, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    udf = measure(
        [sys.executable, str(job), str(copy), str(source), str(folder / "c"), output_format],
        udf_env,
    )
    load_after = os.getloadavg()
    outputs = (local_output, folder / "b", folder / "c")
    positives = [positive_count(path, output_format) for path in outputs]
    return (local, engine, udf), positives, (load_before, load_after)


def string_named_copy(env: dict[str, str], destination: Path) -> Path:
    """The Production model saved again with columns f0..f13 (what spark_udf can score)."""
    import mlflow
    import mlflow.xgboost
    import numpy as np
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema, TensorSpec

    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    booster = mlflow.xgboost.load_model(f"models:/{MODEL_NAME}/Production")
    booster.feature_names = None
    signature = ModelSignature(
        inputs=Schema([ColSpec("long", f"f{i}") for i in range(FEATURES)]),
        outputs=Schema([TensorSpec(np.dtype("float32"), (-1,))]),
    )
    mlflow.xgboost.save_model(booster, str(destination), signature=signature)
    return destination


def positive_count(output: Path, output_format: str) -> int:
    """Rows with prediction 1 in a file or directory of parts of ``output_format``."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    if output_format == "parquet":
        column = pq.read_table(output, columns=["prediction"]).column(0)
        return int(pc.sum(column).as_py())
    parts = sorted(output.glob("part-*.csv")) if output.is_dir() else [output]
    options = pcsv.ConvertOptions(include_columns=["prediction"])
    return sum(
        int(pc.sum(pcsv.read_csv(part, convert_options=options).column(0)).as_py() or 0)
        for part in parts
    )


def report(
    rows: int,
    source: Path,
    origin: str,
    output_format: str,
    measured: tuple[Measurement, Measurement, Measurement],
    positives: list[int],
    loads: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> None:
    """Print the table, the ratios and the target."""
    local, engine, udf = measured
    size_mb = source.stat().st_size / 1e6
    print()
    print(
        f"output {output_format}; rows: {rows:,} ({size_mb:,.0f} MB of CSV)   "
        f"model: models:/{MODEL_NAME}/Production"
    )
    print(f"trained on {origin}; machine: {os.cpu_count()} CPUs, load average (1 min) "
          f"{loads[0][0]:.1f} before, {loads[1][0]:.1f} after")  # fmt: skip
    print(f"{'':44}{'wall s':>9}{'rows/s':>13}")
    for label, measurement in (
        ("(a) psystock batch score (local engine)", local),
        ("(b) psystock batch score --engine spark", engine),
        ("(c) mlflow.pyfunc.spark_udf", udf),
    ):
        print(f"{label:44}{measurement.wall_s:9.2f}{rows / measurement.wall_s:13,.0f}")
    speedup = udf.wall_s / engine.wall_s
    print()
    print(
        f"(c)/(b): {speedup:.1f}x (target >= {SPEED_TARGET:g}x: "
        f"{'met' if speedup >= SPEED_TARGET else 'NOT met'}); "
        f"(b)/(a): {engine.wall_s / local.wall_s:.1f}x (Spark in local[2] against one process)"
    )
    agree = len(set(positives)) == 1
    print(f"positive decisions (a), (b), (c): {positives} ({'the same' if agree else 'DIFFERENT'})")


if __name__ == "__main__":
    main()
