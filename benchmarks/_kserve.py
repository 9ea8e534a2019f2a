"""KServe's Python SDK as a benchmark peer, in a venv of its own under ``benchmarks/.work``.

KServe pins its own FastAPI, uvicorn, numpy and more; installing it beside psystock would move
psystock's pins, so it lives in ``benchmarks/.work/kserve-venv`` (made on first use). The
server is KServe's SDK used as its documentation shows, as ``../shared/notes/serving-peers.md``
describes: a ``kserve.Model`` whose ``load`` reads the booster and whose ``predict`` calls
``inplace_predict`` on a float32 array of ``instances``, started by
``kserve.ModelServer().start([model])`` with one worker and latency logging off.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

WORK = Path(__file__).resolve().parent / ".work"
VENV = WORK / "kserve-venv"
PACKAGES = ("kserve", "xgboost-cpu")
MODEL_NAME = "psystock"
PREDICT_PATH = f"/v1/models/{MODEL_NAME}:predict"
READY_PATH = f"/v1/models/{MODEL_NAME}"

SERVER = """
import os

import kserve
import numpy as np
import xgboost as xgb


class PsyStock(kserve.Model):
    def __init__(self, name, path):
        super().__init__(name)
        self.path = path
        self.load()

    def load(self):
        self.booster = xgb.Booster()
        self.booster.load_model(self.path)
        self.booster.set_param({"nthread": 1})
        self.ready = True

    def predict(self, payload, headers=None, response_headers=None):
        rows = np.asarray(payload["instances"], dtype=np.float32)
        return {"predictions": self.booster.inplace_predict(rows).tolist()}


if __name__ == "__main__":
    kserve.ModelServer().start([PsyStock("MODEL_NAME", os.environ["PSYSTOCK_BENCH_BOOSTER"])])
""".replace("MODEL_NAME", MODEL_NAME)


def kserve_python() -> Path:
    """The Python of the KServe venv, created and filled on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} with {', '.join(PACKAGES)} (once; a minute or two)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    return python


def kserve_command(port: int, root: Path) -> list[str]:
    """The command line of a one-worker KServe server on ``port`` (script written to ``root``)."""
    script = root / "kserve_server.py"
    script.write_text(SERVER)
    return [
        str(kserve_python()), str(script), "--http_port", str(port), "--workers", "1",
        "--enable_latency_logging", "false",
    ]  # fmt: skip


def booster_file(model_dir: Path) -> Path:
    """The booster file of an MLflow xgboost model directory."""
    for name in ("model.ubj", "model.xgb", "model.json", "model.bin"):
        if (model_dir / name).is_file():
            return model_dir / name
    raise FileNotFoundError(f"no XGBoost booster file in {model_dir}")
