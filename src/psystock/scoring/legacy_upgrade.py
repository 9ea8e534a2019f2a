"""Upgrade an MLflow model directory whose XGBoost booster is in the legacy binary format.

The booster file is parsed (``legacy_xgboost``), turned into XGBoost's JSON model schema
(``legacy_conversion``), loaded by the installed XGBoost and saved as UBJ: ``model.ubj``, which
XGBoost >= 1.6 reads. No old XGBoost is needed. The ``MLmodel`` file keeps its flavors and
signature; only the flavors' ``data`` (and ``model_format``, ``xgb_version``) change, and its
``metadata`` records the upgrade. Exact ``xgboost`` pins in ``conda.yaml`` and
``requirements.txt`` follow the installed XGBoost, so MLflow's environments can read the file.

Every file is written beside its target and renamed into place; the ``MLmodel`` file last, so
an interrupted upgrade leaves the model as it was (at most with an unused ``model.ubj``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from psystock.errors import InputError, ModelLoadError
from psystock.scoring.legacy_conversion import to_json_model
from psystock.scoring.legacy_xgboost import LegacyBooster, is_legacy_binary, read_legacy_booster
from psystock.scoring.mlmodel import MLMODEL_FILE, XGBOOST_FLAVOR, read_mlmodel
from psystock.scoring.xgboost_model import import_xgboost

logger = logging.getLogger(__name__)

UPGRADED_FILE = "model.ubj"
DEFAULT_DATA = "model.xgb"
UPGRADE_METADATA = "psystock_upgraded_from"
"""The key of the MLmodel's ``metadata`` that records what the booster was upgraded from."""
_DATA_KEYS = ("data", "model_path")
ENVIRONMENT_FILES = ("conda.yaml", "requirements.txt")
_XGBOOST_PIN = re.compile(
    r"(?m)^(?P<lead>[ \t]*(?:-[ \t]*)?xgboost(?:-cpu)?[ \t]*==?[ \t]*)(?P<version>\d[\w.+!-]*)"
)


@dataclass(frozen=True)
class Upgrade:
    """What one upgrade did.

    Attributes:
        model_dir: the upgraded model directory.
        legacy_file: the booster file it had (``model.xgb``).
        upgraded_file: the booster file it has now (``model.ubj``).
        written_by: which XGBoost wrote the legacy file (``XGBoost 1.3``).
        objective: the booster's objective.
        num_trees: how many trees were converted.
        xgboost_version: the XGBoost that wrote the UBJ file.
    """

    model_dir: Path
    legacy_file: str
    upgraded_file: str
    written_by: str
    objective: str
    num_trees: int
    xgboost_version: str

    @property
    def summary(self) -> str:
        """``model.xgb (XGBoost 1.3 legacy binary, binary:logistic, 20 trees) -> model.ubj``."""
        return (
            f"{self.legacy_file} ({self.written_by} legacy binary, {self.objective}, "
            f"{self.num_trees} trees) -> {self.upgraded_file} (UBJ, XGBoost "
            f"{self.xgboost_version})"
        )


def legacy_booster_file(model_dir: Path, reference: str) -> Path | None:
    """The xgboost flavor's booster file when it is in the legacy binary format, else None.

    Raises:
        ModelLoadError: no MLmodel file, no xgboost flavor, or the booster file is missing.
    """
    mlmodel = read_mlmodel(model_dir, reference)
    flavor = mlmodel.flavors.get(XGBOOST_FLAVOR)
    if not isinstance(flavor, dict):
        found = ", ".join(sorted(mlmodel.flavors)) or "none"
        raise ModelLoadError(
            f"model {reference}: expected an xgboost flavor in its MLmodel, found {found}: "
            "only XGBoost models have a legacy format to upgrade"
        )
    path = model_dir / str(flavor.get("data", DEFAULT_DATA))
    if not path.is_file():
        raise ModelLoadError(f"model {reference}: expected the booster file {path}, found none")
    return path if is_legacy_binary(path) else None


def upgrade_model_dir(model_dir: Path, reference: str, output: Path | None = None) -> Upgrade:
    """Rewrite the legacy booster of ``model_dir`` as UBJ, in place or into ``output``.

    In place, the legacy file stays beside the new one (the MLmodel no longer names it). With
    ``output``, the model directory is copied there without the legacy file; ``output`` must
    not exist, or be an empty directory.

    Raises:
        ModelLoadError: the model has no legacy booster, or one that cannot be converted.
        InputError: ``output`` is not empty, or ``model.ubj`` is already taken in place.
    """
    legacy = legacy_booster_file(model_dir, reference)
    if legacy is None:
        raise ModelLoadError(f"model {reference}: its booster is not in the legacy binary format")
    if output is None:
        return _upgrade_in_place(model_dir, legacy, reference)
    return _upgrade_into(model_dir, legacy, reference, output)


def _upgrade_in_place(model_dir: Path, legacy: Path, reference: str) -> Upgrade:
    target = model_dir / UPGRADED_FILE
    if target.exists():
        raise InputError(
            f"model {reference}: {target} already exists and the MLmodel does not use it: "
            "move it away, or upgrade into a new directory with --output DIR"
        )
    booster = convert_booster(legacy, target, f"model {reference}: {legacy.name}")
    upgrade = _describe(model_dir, legacy.name, booster)
    _rewrite_environment_files(model_dir, upgrade.xgboost_version)
    _rewrite_mlmodel(model_dir, upgrade)
    logger.info("upgraded %s in place: %s", model_dir, upgrade.summary)
    return upgrade


def _upgrade_into(model_dir: Path, legacy: Path, reference: str, output: Path) -> Upgrade:
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InputError(f"output {output} already exists and is not an empty directory")
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        shutil.copytree(model_dir, staging, dirs_exist_ok=True, ignore=lambda _d, _n: [legacy.name])
        source = f"model {reference}: {legacy.name}"
        booster = convert_booster(legacy, staging / UPGRADED_FILE, source)
        upgrade = _describe(output, legacy.name, booster)
        _rewrite_environment_files(staging, upgrade.xgboost_version)
        _rewrite_mlmodel(staging, upgrade)
        if output.exists():
            output.rmdir()
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    logger.info("upgraded %s into %s: %s", model_dir, output, upgrade.summary)
    return upgrade


def convert_booster(legacy: Path, target: Path, source: str) -> LegacyBooster:
    """Write the legacy binary booster at ``legacy`` as UBJ at ``target`` (a ``.ubj`` path).

    Raises:
        ModelLoadError: the file cannot be parsed or converted, or XGBoost refuses the result.
    """
    booster = read_legacy_booster(legacy.read_bytes(), source)
    document = json.dumps(to_json_model(booster, source)).encode("utf-8")
    xgb = import_xgboost()
    converted = xgb.Booster()
    try:
        converted.load_model(bytearray(document))
    except xgb.core.XGBoostError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "no reason given"
        raise ModelLoadError(
            f"{source}: XGBoost {xgb.__version__} refused the converted model ({reason})"
        ) from exc
    if converted.num_features() != booster.num_feature:
        raise ModelLoadError(
            f"{source}: expected {booster.num_feature} features after conversion, "
            f"got {converted.num_features()}"
        )
    # XGBoost picks the format from the extension: the temporary name ends in .ubj too.
    temporary = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        converted.save_model(str(temporary))
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
    return booster


def _describe(model_dir: Path, legacy_name: str, booster: LegacyBooster) -> Upgrade:
    return Upgrade(
        model_dir=model_dir,
        legacy_file=legacy_name,
        upgraded_file=UPGRADED_FILE,
        written_by=booster.written_by,
        objective=booster.objective,
        num_trees=len(booster.trees),
        xgboost_version=str(import_xgboost().__version__),
    )


def _rewrite_mlmodel(model_dir: Path, upgrade: Upgrade) -> None:
    path = model_dir / MLMODEL_FILE
    content: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    flavors = content["flavors"]
    for flavor in flavors.values():
        for key in _DATA_KEYS:
            if isinstance(flavor, dict) and flavor.get(key) == upgrade.legacy_file:
                flavor[key] = upgrade.upgraded_file
    xgboost_flavor = flavors[XGBOOST_FLAVOR]
    xgboost_flavor["data"] = upgrade.upgraded_file
    xgboost_flavor["xgb_version"] = upgrade.xgboost_version
    if "model_format" in xgboost_flavor:
        xgboost_flavor["model_format"] = "ubj"
    if "model_size_bytes" in content:
        content["model_size_bytes"] = _model_size(model_dir, upgrade.legacy_file)
    metadata = content.get("metadata")
    content["metadata"] = {
        **(metadata if isinstance(metadata, dict) else {}),
        UPGRADE_METADATA: f"{upgrade.legacy_file}: {upgrade.written_by} legacy binary format",
    }
    _write_atomically(path, yaml.safe_dump(content, sort_keys=False, default_flow_style=False))


def _model_size(model_dir: Path, legacy_name: str) -> int:
    """What MLflow records as ``model_size_bytes``: the files of the model, MLmodel aside."""
    files = (p for p in model_dir.rglob("*") if p.is_file())
    return sum(p.stat().st_size for p in files if p.name not in (MLMODEL_FILE, legacy_name))


def _rewrite_environment_files(model_dir: Path, version: str) -> None:
    for name in ENVIRONMENT_FILES:
        path = model_dir / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        pinned = _XGBOOST_PIN.sub(lambda match: match.group("lead") + version, text)
        if pinned != text:
            _write_atomically(path, pinned)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
