"""A model baked into an image: resolved and downloaded on the host, checked, described."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from psystock.registry.artifacts import download_model
from psystock.registry.resolve import resolve_reference
from psystock.scoring.mlmodel import read_mlmodel
from psystock.scoring.model import PYFUNC, XGBOOST
from psystock.scoring.xgboost_model import is_native_booster
from psystock.settings import Settings


@dataclass(frozen=True)
class BakedModel:
    """Where a baked model came from, for the image's labels.

    Attributes:
        reference: what the user asked for (``models:/NAME/STAGE``, a path...).
        name: the registered name, when it came from the registry.
        version: the registry version.
        run_id: the run that logged it, when known.
        flavor: ``xgboost`` (native booster, the core install serves it) or ``pyfunc``.
    """

    reference: str
    name: str | None
    version: str | None
    run_id: str | None
    flavor: str

    @property
    def needs_pyfunc(self) -> bool:
        """Whether serving it needs the mlflow library."""
        return self.flavor == PYFUNC


def bake_model(settings: Settings, reference: str, destination: Path) -> BakedModel:
    """Resolve ``reference``; put its model directory (with ``MLmodel``) at ``destination``.

    Raises:
        ModelReferenceError: the reference is malformed.
        RegistryError: the registry failed or cannot be reached.
        ModelLoadError: the artifacts are not an MLflow model.
    """
    resolved = resolve_reference(reference, settings)
    staging = destination.with_name(destination.name + ".download")
    staging.mkdir(parents=True)
    model_dir = download_model(resolved, staging, settings)
    mlmodel = read_mlmodel(model_dir, resolved.reference)
    shutil.move(model_dir, destination)
    shutil.rmtree(staging, ignore_errors=True)
    return BakedModel(
        reference=resolved.reference,
        name=resolved.name,
        version=resolved.version,
        run_id=resolved.run_id or mlmodel.run_id,
        flavor=XGBOOST if is_native_booster(mlmodel) else PYFUNC,
    )
