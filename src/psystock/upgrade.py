"""``psystock models upgrade``: rewrite a legacy binary XGBoost model as UBJ, wherever it lives.

- A local model directory is upgraded in place (its legacy booster file is kept, unused), or
  copied upgraded into ``output``.
- A registered version (``models:/NAME/VERSION|STAGE|@ALIAS|latest``) is downloaded, upgraded,
  and registered as a **new version of the same model**, tagged with what it was upgraded
  from; stages and aliases do not move, so what is served changes only when the new version
  is promoted. With ``output`` it is written there instead, and the registry is not changed.
- Any other reference (``runs:/``, a URI) needs ``output``: it names no registered model.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from psystock.errors import InputError, ModelLoadError
from psystock.registry.artifacts import download_model
from psystock.registry.references import ReferenceKind, parse_reference
from psystock.registry.resolve import ResolvedModel, resolve_reference
from psystock.registry.versions import NewVersion, VersionSource, read_version, register_model_dir
from psystock.scoring.legacy_upgrade import Upgrade, legacy_booster_file, upgrade_model_dir
from psystock.settings import Settings

logger = logging.getLogger(__name__)

UPGRADED_FROM_TAG = "upgraded_from"
UPGRADED_FROM_FORMAT_TAG = "upgraded_from_format"


@dataclass(frozen=True)
class UpgradeOutcome:
    """What ``upgrade_model`` did.

    Attributes:
        reference: the reference as given.
        upgrade: what was converted; None when the model was already in a current format.
        current_file: the booster file of a model that needed no upgrade.
        registered: the new registered version, when one was created.
    """

    reference: str
    upgrade: Upgrade | None = None
    current_file: str | None = None
    registered: NewVersion | None = None
    source_version: str | None = None


def upgrade_model(settings: Settings, reference: str, output: Path | None = None) -> UpgradeOutcome:
    """Upgrade the model ``reference`` names (see the module docstring for where it goes).

    Raises:
        ModelReferenceError: the reference is malformed.
        InputError: ``output`` is not empty, or is required and missing.
        ModelLoadError: the model is not an XGBoost model, or cannot be converted.
        RegistryError: the registry failed or is unreachable.
    """
    parsed = parse_reference(reference)
    if parsed.kind is ReferenceKind.PATH:
        assert parsed.path is not None  # set for every PATH reference
        return _upgrade_local(parsed.path.expanduser(), reference, output)
    resolved = resolve_reference(reference, settings)
    if output is None and (resolved.name is None or resolved.version is None):
        raise InputError(
            f"model {reference} is not a registered model version, so there is no model to "
            "add the upgraded version to: pass --output DIR to write the upgraded model there"
        )
    with tempfile.TemporaryDirectory(prefix="psystock-upgrade-") as scratch:
        model_dir = download_model(resolved, Path(scratch) / "downloaded", settings)
        legacy = legacy_booster_file(model_dir, reference)
        if legacy is None:
            return _already_current(reference, model_dir)
        if output is not None:
            upgrade = upgrade_model_dir(model_dir, reference, output)
            return UpgradeOutcome(reference, upgrade, source_version=resolved.version)
        upgraded = upgrade_model_dir(model_dir, reference, Path(scratch) / "upgraded")
        return _register(settings, resolved, upgraded)


def _upgrade_local(model_dir: Path, reference: str, output: Path | None) -> UpgradeOutcome:
    if not model_dir.is_dir():
        raise ModelLoadError(f"model {reference}: expected a model directory, found none")
    if legacy_booster_file(model_dir, reference) is None:
        return _already_current(reference, model_dir)
    return UpgradeOutcome(reference, upgrade_model_dir(model_dir, reference, output))


def _already_current(reference: str, model_dir: Path) -> UpgradeOutcome:
    from psystock.scoring.mlmodel import XGBOOST_FLAVOR, read_mlmodel

    flavor = read_mlmodel(model_dir, reference).flavors[XGBOOST_FLAVOR]
    current = str(flavor.get("data", "model.xgb"))
    logger.info("model %s: %s is not in the legacy format, nothing to do", reference, current)
    return UpgradeOutcome(reference, current_file=current)


def _register(settings: Settings, resolved: ResolvedModel, upgrade: Upgrade) -> UpgradeOutcome:
    # Both are set for registered versions, which the caller checked.
    assert resolved.name is not None
    assert resolved.version is not None
    source: VersionSource = read_version(settings, resolved.name, resolved.version)
    origin = f"models:/{resolved.name}/{resolved.version}"
    tags = {
        UPGRADED_FROM_TAG: origin,
        UPGRADED_FROM_FORMAT_TAG: f"{upgrade.written_by} legacy binary ({upgrade.legacy_file})",
    }
    note = (
        f"Version {resolved.version} upgraded by `psystock models upgrade`: {upgrade.summary}. "
        "Same trees, same predictions."
    )
    description = f"{note}\n\n{source.description}" if source.description else note
    registered = register_model_dir(settings, upgrade.model_dir, source, tags, description)
    return UpgradeOutcome(
        resolved.reference, upgrade, registered=registered, source_version=resolved.version
    )
