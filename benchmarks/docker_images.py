"""Docker images: build time cold and warm, size, and the api container's start to its first 200.

    .venv/bin/python benchmarks/docker_images.py            # needs DOCKER_HOST and python:3.11-slim

Cold: `docker build --no-cache` (pip's own download cache stays warm: the wheelhouse comes from
it). Warm: the same build again, nothing changed. Start: `docker run -d` of an api image with a
baked XGBoost model (read-only root, host network) until /ping answers 200; target < 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from psystock.deploy.docker import BuildRequest, ImageKind, build_image
from psystock.settings import load_settings

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
from tests.conftest import free_port, psystock_training_frame  # noqa: E402

START_TARGET_S = 2.0


def save_model(directory: Path) -> Path:
    """The book's model shape, saved as an MLflow XGBoost model directory."""
    import mlflow.xgboost
    import xgboost as xgb
    from mlflow.models import infer_signature

    features, label = psystock_training_frame()
    booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(features, label), 10)
    path = directory / "model"
    mlflow.xgboost.save_model(booster, str(path), signature=infer_signature(features))
    return path


def start_to_first_200(tag: str) -> float:
    port = free_port()
    started = time.monotonic()
    container = subprocess.run(
        ["docker", "run", "-d", "--rm", "--network", "host", "--read-only",
         "-e", f"PSYSTOCK_SERVING__PORT={port}", tag],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > 60:
                raise RuntimeError("no 200 within 60 s")
            time.sleep(0.01)
    finally:
        subprocess.run(["docker", "rm", "-f", container], capture_output=True, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5, help="container starts to time")
    arguments = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, {_load()}")
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(home=Path(folder) / "home")
        print(f"{'image':<10} {'cold (s)':>9} {'warm (s)':>9} {'size (MB)':>10}")
        for kind in ImageKind:
            tag = f"psystock-bench-{kind.value}:latest"
            cold = build_image(settings, BuildRequest(kind, tag=tag, no_cache=True))
            warm = build_image(settings, BuildRequest(kind, tag=tag))
            print(
                f"{kind.value:<10} {cold.duration_s:>9.1f} {warm.duration_s:>9.1f} "
                f"{warm.size_bytes / 1e6:>10.0f}"
            )
            subprocess.run(["docker", "rmi", tag], capture_output=True, check=False)
        model = save_model(Path(folder))
        tag = "psystock-bench-api-baked:latest"
        baked = build_image(settings, BuildRequest(ImageKind.API, tag=tag, model=str(model)))
        times = [start_to_first_200(baked.tag) for _ in range(arguments.starts)]
        subprocess.run(["docker", "rmi", tag], capture_output=True, check=False)
    print(
        f"api, baked model ({baked.size_bytes / 1e6:.0f} MB): start to first 200 on /ping: "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} "
        f"starts (target < {START_TARGET_S:g} s: {statistics.median(times) / START_TARGET_S:.2f} "
        "of it)"
    )
    print(f"at the end: {_load()}")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f}"


if __name__ == "__main__":
    main()
