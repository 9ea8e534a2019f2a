"""One model written by an old XGBoost (a folder of ``make_models.py``'s output), for tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tests.legacy_xgboost.environments import FIXTURES

COMMITTED_BOOK_VERSIONS = ("0.90", "1.3.3", "1.7.6", "2.1.4")
SUPPORTED_CASES = ("book", "pruned", "regression", "multiclass", "softmax")
REFUSED_CASES = ("gblinear", "dart", "poisson")


@dataclass(frozen=True)
class LegacyCase:
    """``ROOT/CASE``: ``model/`` (an MLflow model with ``model.xgb``) and what it predicted."""

    root: Path
    version: str

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def legacy_file(self) -> Path:
        return self.model_dir / "model.xgb"

    def inputs(self) -> np.ndarray:
        values: np.ndarray = np.load(self.root / "inputs.npy")
        return values

    def predictions(self) -> np.ndarray:
        values: np.ndarray = np.load(self.root / "predictions.npy")
        return values

    def reference(self) -> dict[str, Any]:
        """The old XGBoost's own JSON export of the booster (XGBoost >= 1.0 only)."""
        document: dict[str, Any] = json.loads((self.root / "reference.json").read_text())
        return document


def committed_case(version: str, name: str = "book") -> LegacyCase:
    """A case committed under ``tests/legacy_xgboost/fixtures``."""
    return LegacyCase(FIXTURES / f"xgboost-{version}" / name, version)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The parts of a JSON model that define it, in one spelling whatever the version wrote.

    Floats are compared as float32 (what XGBoost holds); ``default_left`` as booleans (1.x
    wrote ``true``, later versions ``1``).
    """
    learner = document["learner"]
    model = learner["gradient_booster"]["model"]
    param = learner["learner_model_param"]

    def floats(values: list[float]) -> list[float]:
        return np.asarray(values, dtype=np.float32).tolist()  # type: ignore[no-any-return]

    trees = [
        {
            "nodes": (tree["tree_param"]["num_nodes"], tree["tree_param"]["num_deleted"]),
            "num_feature": tree["tree_param"]["num_feature"],
            "children": (tree["left_children"], tree["right_children"], tree["parents"]),
            "splits": (tree["split_indices"], floats(tree["split_conditions"])),
            "default_left": [bool(value) for value in tree["default_left"]],
            "stats": tuple(
                floats(tree[key]) for key in ("base_weights", "loss_changes", "sum_hessian")
            ),
        }
        for tree in model["trees"]
    ]
    return {
        "base_score": float(np.float32(param["base_score"].strip("[]"))),
        "num_class": param["num_class"],
        "num_feature": param["num_feature"],
        "objective": learner["objective"],
        "attributes": learner["attributes"],
        "tree_info": model["tree_info"],
        "trees": trees,
    }
