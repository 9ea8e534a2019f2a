"""Real model directories for the scoring unit tests: a small native Booster on local disk.

The MLmodel file is written the way ``mlflow.xgboost.save_model`` writes it (flavors and a
signature), so the fast path is exercised without importing mlflow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from psystock.registry.resolve import ResolvedModel
from psystock.scoring.loader import load_model_dir
from psystock.scoring.model import LoadedModel
from psystock.scoring.xgboost_model import import_xgboost

INT_SIGNATURE = [{"type": "long", "name": i, "required": True} for i in range(14)]
STR_SIGNATURE = [{"type": "double", "name": f"f{i}", "required": True} for i in range(14)]


def training_rows(rows: int = 300, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = rng.integers(0, 2, size=(rows, 14)).astype(np.float32)
    label = (features[:, -3:].sum(axis=1) >= 2).astype(np.float32)
    return features, label


def write_booster_model(
    directory: Path,
    signature: list[dict[str, Any]] | None = INT_SIGNATURE,
    *,
    data: str = "model.ubj",
    objective: str = "binary:logistic",
) -> Path:
    """Train a small Booster (binary:logistic unless told) and save it as an MLflow model."""
    xgb = import_xgboost()
    features, label = training_rows()
    if objective != "binary:logistic":
        label = label * 5 - 2  # a regression target outside [0, 1]
    booster = xgb.train(
        {"objective": objective, "max_depth": 3, "seed": 3},
        xgb.DMatrix(features, label=label),
        num_boost_round=8,
    )
    directory.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(directory / "model.ubj"))
    if data != "model.ubj":
        (directory / "model.ubj").rename(directory / data)
    write_mlmodel(directory, data, signature)
    return directory


def write_mlmodel(
    directory: Path,
    data: str,
    signature: list[dict[str, Any]] | None,
    model_class: str = "xgboost.core.Booster",
) -> None:
    content: dict[str, Any] = {
        "flavors": {
            "python_function": {"data": data, "loader_module": "mlflow.xgboost"},
            "xgboost": {"data": data, "model_class": model_class, "xgb_version": "3.2.0"},
        },
        "run_id": "run123",
    }
    if signature is not None:
        content["signature"] = {"inputs": json.dumps(signature), "outputs": None}
    (directory / "MLmodel").write_text(yaml.safe_dump(content), encoding="utf-8")


def resolved_for(path: Path, reference: str = "models:/m/1") -> ResolvedModel:
    return ResolvedModel(reference, "m", "1", str(path), None, str(path))


@pytest.fixture(scope="session")
def booster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_booster_model(tmp_path_factory.mktemp("booster") / "model")


@pytest.fixture(scope="session")
def booster_model(booster_dir: Path) -> LoadedModel:
    return load_model_dir(booster_dir, resolved_for(booster_dir))
