"""Write legacy binary XGBoost models, in MLflow model directories, with their predictions.

Run with the Python of an environment where an old XGBoost (< 3.1) and numpy are installed,
and nothing else is needed::

    python make_models.py OUTPUT_DIR

``tests/legacy_xgboost/environments.py`` builds such environments (``xgboost==0.90``,
``1.3.3``, ``1.7.6``, ``xgboost-cpu==2.1.4``) and runs this script; the committed fixtures in
``tests/legacy_xgboost/fixtures/`` are its output. For each case, OUTPUT_DIR/CASE/ holds:

- ``model/``: an MLflow model directory as the MLflow of that XGBoost's time wrote it
  (``MLmodel`` with an integer-named signature for the book's 14 0/1 features, ``conda.yaml``
  and, from MLflow 1.20 on, ``requirements.txt``; ``model.xgb`` in the legacy binary format);
- ``inputs.npy`` (float32 rows, NaN = missing) and ``predictions.npy``: what
  ``Booster.predict(DMatrix(inputs))`` returns in this XGBoost;
- ``input.csv``: the inputs as headerless CSV, for 0/1 cases (the book's ``input.csv``);
- ``reference.json``: this XGBoost's own JSON export of the same booster (XGBoost >= 1.0).

``manifest.json`` lists the cases. Everything is seeded and single-threaded, so the same
XGBoost writes the same bytes each run.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

VERSION = xgb.__version__
MAJOR_MINOR = tuple(int(part) for part in VERSION.split(".")[:2])
REFUSED = ("gblinear", "dart", "poisson")
"""Cases psystock must refuse to convert, with a message naming what it found."""
ROWS = 600
TEST_ROWS = 64
SEED = 12


def book_rows(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """14 0/1 features (up days) and a noisy label, as the PsyStock model sees them."""
    features = rng.integers(0, 2, size=(ROWS, 14)).astype(np.float32)
    noise = rng.normal(0, 0.8, size=ROWS)
    label = features[:, -4:].sum(axis=1) - features[:, :3].sum(axis=1) * 0.5 + noise > 1.2
    return features, label.astype(np.float32)


def numeric_rows(rng: np.random.Generator, label_of: Any) -> tuple[np.ndarray, np.ndarray]:
    """6 continuous features with 10 % missing values, and a label computed from them."""
    features = rng.normal(size=(ROWS, 6)).astype(np.float32)
    label = label_of(features, rng)
    features[rng.random(size=features.shape) < 0.1] = np.nan
    return features, label.astype(np.float32)


def regression_label(features: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise: np.ndarray = rng.normal(0, 0.3, ROWS)
    label: np.ndarray = 3 * features[:, 0] - 2 * features[:, 1] * features[:, 2] + noise
    return label


def class_label(features: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    score = features[:, 0] + 0.5 * features[:, 3] + rng.normal(0, 0.5, ROWS)
    return np.digitize(score, [-0.5, 0.5])  # 3 classes


def regression_objective() -> str:
    return "reg:linear" if MAJOR_MINOR < (0, 91) else "reg:squarederror"


def cases() -> dict[str, dict[str, Any]]:
    """Name -> parameters, data and rounds of each model."""
    common = {"seed": SEED, "nthread": 1, "tree_method": "exact"}
    return {
        "book": {
            "params": {**common, "objective": "binary:logistic", "eval_metric": "logloss",
                       "max_depth": 3, "eta": 0.1},
            "data": "book", "rounds": 20,
        },
        "pruned": {
            "params": {**common, "objective": "binary:logistic", "max_depth": 6, "eta": 0.3,
                       "gamma": 2.0, "min_child_weight": 0},
            "data": "book", "rounds": 6,
        },
        "regression": {
            "params": {**common, "objective": regression_objective(), "max_depth": 4,
                       "eta": 0.3, "base_score": 0.25},
            "data": "regression", "rounds": 10,
        },
        "multiclass": {
            "params": {**common, "objective": "multi:softprob", "num_class": 3, "max_depth": 3},
            "data": "classes", "rounds": 6,
        },
        "softmax": {
            "params": {**common, "objective": "multi:softmax", "num_class": 3, "max_depth": 3},
            "data": "classes", "rounds": 4,
        },
        "gblinear": {
            "params": {"booster": "gblinear", "objective": "binary:logistic", "seed": SEED,
                       "nthread": 1},
            "data": "book", "rounds": 3,
        },
        "dart": {
            "params": {**common, "booster": "dart", "objective": "binary:logistic",
                       "max_depth": 2, "rate_drop": 0.1},
            "data": "book", "rounds": 3,
        },
        "poisson": {
            "params": {**common, "objective": "count:poisson", "max_depth": 2},
            "data": "counts", "rounds": 3,
        },
    }  # fmt: skip


def dataset(kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    if kind == "book":
        return book_rows(rng)
    if kind == "regression":
        return numeric_rows(rng, regression_label)
    if kind == "classes":
        return numeric_rows(rng, class_label)
    features, _ = book_rows(rng)
    return features, features[:, -3:].sum(axis=1)  # counts 0..3


def save_legacy_binary(booster: xgb.Booster, path: Path) -> None:
    """``model.xgb`` in the legacy binary format (2.x needs the ``.deprecated`` extension)."""
    if MAJOR_MINOR >= (2, 0):
        staging = path.with_suffix(".deprecated")
        booster.save_model(str(staging))
        staging.rename(path)
    else:
        booster.save_model(str(path))


def mlmodel_text(signature_columns: int | None) -> str:
    """An MLmodel file as the MLflow of this XGBoost's time wrote it for a native Booster."""
    era_1_x = MAJOR_MINOR < (1, 5)
    lines = ["artifact_path: model", "flavors:", "  python_function:", "    data: model.xgb"]
    lines += (
        ["    env: conda.yaml"]
        if MAJOR_MINOR < (2, 0)
        else ["    env:", "      conda: conda.yaml", "      virtualenv: python_env.yaml"]
    )
    lines += ["    loader_module: mlflow.xgboost", "    python_version: 3.8.10", "  xgboost:"]
    if not era_1_x:
        lines += ["    code: null", "    data: model.xgb", "    model_class: xgboost.core.Booster"]
        lines += ["    model_format: xgb"] if MAJOR_MINOR >= (2, 0) else []
    else:
        lines += ["    data: model.xgb"]
    lines += [f"    xgb_version: {VERSION}"]
    if not era_1_x:
        lines += [
            "mlflow_version: 1.30.0" if MAJOR_MINOR < (2, 0) else "mlflow_version: 2.9.2",
            "model_uuid: 5c8f1e2d0a7b4c3e9f6a1b2c3d4e5f60",
        ]
    lines += ["run_id: 0123456789abcdef0123456789abcdef"]
    if signature_columns is not None:
        required = ', "required": true' if MAJOR_MINOR >= (2, 0) else ""
        columns = ", ".join(
            f'{{"name": {i}, "type": "long"{required}}}' for i in range(signature_columns)
        )
        lines += ["signature:", f"  inputs: '[{columns}]'", '  outputs: \'[{"type": "float"}]\'']
    lines += ["utc_time_created: '2021-03-01 09:30:00.000000'"]  # fmt: skip
    return "\n".join(lines) + "\n"


CONDA_YAML = """channels:
- conda-forge
dependencies:
- python=3.8.10
- pip
- pip:
  - mlflow
  - xgboost=={version}
name: mlflow-env
"""

PYTHON_ENV_YAML = """python: 3.8.10
build_dependencies:
- pip
- setuptools
- wheel
dependencies:
- -r requirements.txt
"""


def write_case(root: Path, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    features, label = dataset(spec["data"])
    train, test = features[:-TEST_ROWS], features[-TEST_ROWS:]
    booster = xgb.train(
        spec["params"], xgb.DMatrix(train, label=label[:-TEST_ROWS]), num_boost_round=spec["rounds"]
    )
    case = root / name
    model_dir = case / "model"
    model_dir.mkdir(parents=True)
    save_legacy_binary(booster, model_dir / "model.xgb")
    # MLflow 1.x logged signatures from 1.9 on; the 0.90 model has none, as then.
    has_signature = spec["data"] == "book" and MAJOR_MINOR >= (1, 0)
    (model_dir / "MLmodel").write_text(mlmodel_text(14 if has_signature else None))
    (model_dir / "conda.yaml").write_text(CONDA_YAML.format(version=VERSION))
    if MAJOR_MINOR >= (1, 5):  # MLflow 1.20 added requirements.txt, 2.0 python_env.yaml
        (model_dir / "requirements.txt").write_text(f"mlflow<3\nxgboost=={VERSION}\n")
    if MAJOR_MINOR >= (2, 0):
        (model_dir / "python_env.yaml").write_text(PYTHON_ENV_YAML)
    if name in REFUSED:  # only the file matters: psystock refuses to convert it
        return {"booster": spec["params"].get("booster", "gbtree"), "refused": True}
    np.save(case / "inputs.npy", test)
    np.save(case / "predictions.npy", booster.predict(xgb.DMatrix(test)))
    if spec["data"] == "book":
        rows = "\n".join(",".join(str(int(v)) for v in row) for row in test)
        (case / "input.csv").write_text(rows + "\n")
    if MAJOR_MINOR >= (1, 0):
        booster.save_model(str(case / "reference.json"))
    return {
        "objective": spec["params"]["objective"],
        "booster": spec["params"].get("booster", "gbtree"),
        "rounds": spec["rounds"],
    }


def main(output: Path) -> None:
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    written = {name: write_case(output, name, spec) for name, spec in cases().items()}
    manifest = {"xgboost": VERSION, "cases": written}
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main(Path(sys.argv[1]))
