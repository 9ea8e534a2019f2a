"""Turn a legacy binary booster into XGBoost's JSON model schema, which every XGBoost >= 1.0 reads.

The document follows the schema of XGBoost 1.7's JSON models (``doc/model.schema``), the last
1.x: every field of a legacy binary file has its place there, and XGBoost 2.x and 3.x load it
natively (3.x warns only about JSON models from before 1.6). Files from before 1.0 are
converted the way 1.0 loaded them: their ``base_score`` was stored after the link function.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from psystock.errors import ModelLoadError
from psystock.scoring.legacy_xgboost import LegacyBooster, LegacyTree

SUPPORTED_OBJECTIVES = {
    "binary:logistic": "binary:logistic",
    "reg:squarederror": "reg:squarederror",
    "reg:linear": "reg:squarederror",  # the name before 0.90; the same loss, removed later
    "multi:softprob": "multi:softprob",
    "multi:softmax": "multi:softmax",
}
"""Objectives psystock converts (name in the file -> name in the JSON model)."""

_INTERNAL_ATTRIBUTES = ("objective", "metrics", "count_poisson_max_delta_step")
"""Attributes XGBoost's binary loader consumed itself instead of keeping them."""
_INDEX_MASK = 0x7FFFFFFF
_FIRST_JSON_VERSION = (1, 0)
JSON_SCHEMA_VERSION = (1, 7, 0)


def to_json_model(booster: LegacyBooster, source: str) -> dict[str, Any]:
    """The JSON model document of ``booster``.

    Args:
        booster: a parsed legacy binary model.
        source: what to call it in messages.

    Raises:
        ModelLoadError: the model uses something this conversion does not support (another
            objective, multi-target trees, vector leaves), or is inconsistent.
    """
    objective = _objective_config(booster, source)
    _check_shape(booster, source)
    attributes = {
        key: value for key, value in booster.attributes.items() if key not in _INTERNAL_ATTRIBUTES
    }
    trees = [_tree_json(index, tree) for index, tree in enumerate(booster.trees)]
    return {
        "version": list(JSON_SCHEMA_VERSION),
        "learner": {
            "attributes": attributes,
            "feature_names": [],
            "feature_types": [],
            "gradient_booster": {
                "name": "gbtree",
                "model": {
                    "gbtree_model_param": {
                        "num_trees": str(len(trees)),
                        "num_parallel_tree": str(booster.num_parallel_tree),
                        "size_leaf_vector": "0",
                    },
                    "tree_info": list(booster.tree_info),
                    "trees": trees,
                },
            },
            "learner_model_param": {
                "base_score": repr(_base_score(booster, objective["name"])),
                "boost_from_average": str(booster.boost_from_average),
                "num_class": str(booster.num_class),
                "num_feature": str(booster.num_feature),
                "num_target": "1",
            },
            "objective": objective,
        },
    }


def _objective_config(booster: LegacyBooster, source: str) -> dict[str, Any]:
    name = SUPPORTED_OBJECTIVES.get(booster.objective)
    if name is None:
        raise ModelLoadError(
            f"{source} has the objective {booster.objective!r} (written by "
            f"{booster.written_by}): psystock converts {', '.join(sorted(SUPPORTED_OBJECTIVES))}; "
            "load it with that XGBoost and save it with save_model('model.ubj')"
        )
    saved = booster.attributes.get("objective")
    if saved is None:  # XGBoost < 1.0 did not save the objective's parameters
        return _default_objective(name, booster.num_class)
    try:
        config = json.loads(saved)
    except json.JSONDecodeError as exc:
        raise ModelLoadError(
            f"{source}: the attribute 'objective' is not JSON ({exc.msg} at {exc.pos})"
        ) from exc
    if not isinstance(config, dict) or SUPPORTED_OBJECTIVES.get(config.get("name", "")) != name:
        raise ModelLoadError(
            f"{source}: the attribute 'objective' describes {saved[:80]!r}, expected the "
            f"configuration of {booster.objective}"
        )
    return {**config, "name": name}


def _default_objective(name: str, num_class: int) -> dict[str, Any]:
    if name.startswith("multi:"):
        return {"name": name, "softmax_multiclass_param": {"num_class": str(num_class)}}
    return {"name": name, "reg_loss_param": {"scale_pos_weight": "1"}}


def _check_shape(booster: LegacyBooster, source: str) -> None:
    groups = max(booster.num_class, 1)
    if booster.num_target > 1:
        raise ModelLoadError(
            f"{source} has {booster.num_target} targets: only single-target models are supported"
        )
    for index, tree in enumerate(booster.trees):
        if tree.size_leaf_vector > 1:
            raise ModelLoadError(
                f"{source}: tree {index} has vector leaves of size {tree.size_leaf_vector}: "
                "only scalar leaves are supported"
            )
    if len(booster.tree_info) != len(booster.trees):
        raise ModelLoadError(
            f"{source}: expected one tree_info entry per tree ({len(booster.trees)}), "
            f"got {len(booster.tree_info)}"
        )
    outside = [group for group in booster.tree_info if not 0 <= group < groups]
    if outside:
        raise ModelLoadError(
            f"{source}: tree_info names output group {outside[0]}, expected 0..{groups - 1} "
            f"for {groups} output groups"
        )


def _base_score(booster: LegacyBooster, objective: str) -> float:
    """The base score as XGBoost >= 1.0 stores it: before the link function."""
    score = np.float32(booster.base_score)
    if booster.version >= _FIRST_JSON_VERSION or objective.startswith("multi:"):
        return float(score)
    if objective == "binary:logistic":  # XGBoost < 1.0 stored the margin
        return float(np.float32(1.0) / (np.float32(1.0) + np.float32(math.exp(-float(score)))))
    return float(score)


def _tree_json(index: int, tree: LegacyTree) -> dict[str, Any]:
    nodes, stats = tree.nodes, tree.stats
    return {
        "id": index,
        "tree_param": {
            "num_deleted": str(tree.num_deleted),
            "num_feature": str(tree.num_feature),
            "num_nodes": str(len(nodes)),
            "size_leaf_vector": "0",
        },
        "loss_changes": stats["loss_chg"].tolist(),
        "sum_hessian": stats["sum_hess"].tolist(),
        "base_weights": stats["base_weight"].tolist(),
        "left_children": nodes["left"].tolist(),
        "right_children": nodes["right"].tolist(),
        "parents": (nodes["parent"].astype(np.int64) & _INDEX_MASK).tolist(),
        "split_indices": (nodes["sindex"] & _INDEX_MASK).tolist(),
        "split_conditions": nodes["value"].tolist(),
        "default_left": (nodes["sindex"] >> 31).astype(np.uint8).tolist(),
        "split_type": [0] * len(nodes),
        "categories": [],
        "categories_nodes": [],
        "categories_segments": [],
        "categories_sizes": [],
    }
