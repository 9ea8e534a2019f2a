"""Read an MLflow model directory's ``MLmodel`` file: flavors, signature, ids.

Reading the YAML directly (rather than ``mlflow.models.Model.load``) keeps the XGBoost fast
path free of ``import mlflow``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from psystock.errors import ModelLoadError
from psystock.scoring.schema import InputSchema

MLMODEL_FILE = "MLmodel"
XGBOOST_FLAVOR = "xgboost"
PYFUNC_FLAVOR = "python_function"


@dataclass(frozen=True)
class MLmodelFile:
    """What psystock needs from an ``MLmodel`` file."""

    path: Path
    """The model directory."""
    flavors: dict[str, dict[str, Any]] = field(default_factory=dict)
    schema: InputSchema | None = None
    run_id: str | None = None


def read_mlmodel(model_dir: Path, where: str) -> MLmodelFile:
    """Read ``model_dir/MLmodel``.

    Args:
        model_dir: an MLflow model directory.
        where: the model reference, for error messages.

    Raises:
        ModelLoadError: the file is missing or unreadable, or its signature is unusable.
    """
    path = model_dir / MLMODEL_FILE
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelLoadError(
            f"model {where}: expected an MLflow model directory with an MLmodel file, "
            f"found none in {model_dir}"
        ) from exc
    except (OSError, yaml.YAMLError) as exc:
        raise ModelLoadError(f"model {where}: cannot read {path} ({exc})") from exc
    if not isinstance(content, dict) or not isinstance(content.get("flavors"), dict):
        raise ModelLoadError(f"model {where}: expected flavors in {path}, found none")
    signature = content.get("signature") or {}
    inputs = signature.get("inputs") if isinstance(signature, dict) else None
    return MLmodelFile(
        path=model_dir,
        flavors=content["flavors"],
        schema=InputSchema.from_signature(inputs, where) if inputs else None,
        run_id=content.get("run_id"),
    )
