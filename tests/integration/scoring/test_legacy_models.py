"""The upgrade against models that real old XGBoost versions wrote (0.90, 1.3.3, 1.7.6, 2.1.4).

Each version is installed from PyPI into an environment of its own (``tests/legacy_xgboost``),
writes its models with ``make_models.py``, and the upgraded models must predict exactly what
that XGBoost predicted. XGBoost 0.90's own predictor adds the trees' outputs in another order
than every later version: on the regression and multi-class cases its predictions differ from
1.x's (and from the upgraded model's) in the last bit or two, so 0.90 is held to 1e-6 there;
1.3.3 loading the same 0.90 files gives exactly the upgraded model's predictions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from psystock.errors import ModelLoadError
from psystock.scoring.inputs import ModelInput
from psystock.scoring.legacy_conversion import to_json_model
from psystock.scoring.legacy_upgrade import upgrade_model_dir
from psystock.scoring.legacy_xgboost import read_legacy_booster
from psystock.scoring.loader import load_model_dir
from psystock.scoring.xgboost_model import import_xgboost
from tests.legacy_xgboost.cases import REFUSED_CASES, SUPPORTED_CASES, LegacyCase, comparable
from tests.legacy_xgboost.environments import FIXTURES, XGBOOST_REQUIREMENTS
from tests.unit.scoring.conftest import resolved_for

VERSIONS = tuple(XGBOOST_REQUIREMENTS)
Models = Callable[[str], Path]

REFUSALS = {
    "gblinear": r"holds a 'gblinear' booster \(objective binary:logistic, written by {by}\): "
    r"only 'gbtree' boosters can be converted",
    "dart": r"holds a 'dart' booster \(objective binary:logistic, written by {by}\): "
    r"only 'gbtree' boosters can be converted",
    "poisson": r"has the objective 'count:poisson' \(written by {by}\): psystock converts ",
}


def case(models: Models, version: str, name: str) -> LegacyCase:
    return LegacyCase(models(version) / name, version)


def written_by(version: str) -> str:
    return "XGBoost < 1\\.0" if version.startswith("0.") else f"XGBoost {version[:3]}"


@pytest.mark.parametrize("version", VERSIONS)
def test_committed_fixtures_are_byte_for_byte_what_make_models_writes(
    old_xgboost_models: Models, version: str
) -> None:
    committed = FIXTURES / f"xgboost-{version}"
    files = sorted(path for path in committed.rglob("*") if path.is_file())
    assert files, f"no committed fixtures for XGBoost {version}"
    generated = old_xgboost_models(version)
    for path in files:
        relative = path.relative_to(committed)
        assert (generated / relative).read_bytes() == path.read_bytes(), relative


@pytest.mark.parametrize("name", SUPPORTED_CASES)
@pytest.mark.parametrize("version", VERSIONS)
def test_upgraded_model_predicts_what_the_old_xgboost_predicted(
    old_xgboost_models: Models, version: str, name: str, tmp_path: Path
) -> None:
    legacy = case(old_xgboost_models, version, name)

    upgrade_model_dir(legacy.model_dir, f"./{name}", tmp_path / "upgraded")

    booster = import_xgboost().Booster(model_file=str(tmp_path / "upgraded" / "model.ubj"))
    predicted = booster.inplace_predict(legacy.inputs())
    if version == "0.90" and name in ("regression", "multiclass"):
        np.testing.assert_allclose(predicted, legacy.predictions(), rtol=0, atol=1e-6)
    else:
        np.testing.assert_array_equal(predicted, legacy.predictions())


@pytest.mark.parametrize("version", VERSIONS)
def test_upgraded_book_model_scores_through_the_runtime_exactly(
    old_xgboost_models: Models, version: str, tmp_path: Path
) -> None:
    legacy = case(old_xgboost_models, version, "book")
    upgraded = tmp_path / "upgraded"
    upgrade_model_dir(legacy.model_dir, "./book", upgraded)

    model = load_model_dir(upgraded, resolved_for(upgraded))
    rows = np.loadtxt(legacy.root / "input.csv", delimiter=",", dtype=np.int64)
    predicted = model.predict(model.prepare(ModelInput(rows.tolist())))

    assert model.info.flavor == "xgboost"
    np.testing.assert_array_equal(predicted, legacy.predictions())


@pytest.mark.parametrize("name", SUPPORTED_CASES)
@pytest.mark.parametrize("version", [v for v in VERSIONS if not v.startswith("0.")])
def test_converted_document_equals_the_old_xgboosts_json_export(
    old_xgboost_models: Models, version: str, name: str
) -> None:
    legacy = case(old_xgboost_models, version, name)
    booster = read_legacy_booster(legacy.legacy_file.read_bytes(), name)

    assert comparable(to_json_model(booster, name)) == comparable(legacy.reference())


@pytest.mark.parametrize("name", REFUSED_CASES)
@pytest.mark.parametrize("version", VERSIONS)
def test_unsupported_models_are_refused_naming_what_was_found(
    old_xgboost_models: Models, version: str, name: str, tmp_path: Path
) -> None:
    legacy = case(old_xgboost_models, version, name)
    message = REFUSALS[name].format(by=written_by(version))
    with pytest.raises(ModelLoadError, match=rf"^model ./{name}: model.xgb {message}"):
        upgrade_model_dir(legacy.model_dir, f"./{name}", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_manifest_lists_every_case_the_tests_check(old_xgboost_models: Models) -> None:
    manifest = json.loads((old_xgboost_models("1.3.3") / "manifest.json").read_text())
    assert set(manifest["cases"]) == {*SUPPORTED_CASES, *REFUSED_CASES}
    assert manifest["xgboost"] == "1.3.3"
