import shutil
from pathlib import Path

import numpy as np
import pytest

from psystock.errors import ModelLoadError, SchemaError, ScoringError
from psystock.scoring.inputs import ModelInput, PreparedInput
from psystock.scoring.loader import load_model_dir
from psystock.scoring.model import LoadedModel
from psystock.scoring.xgboost_model import XGBoostModel, import_xgboost
from tests.unit.scoring.conftest import (
    STR_SIGNATURE,
    resolved_for,
    training_rows,
    write_booster_model,
    write_mlmodel,
)

LEGACY_BOOSTER = Path(__file__).parent / "data" / "legacy-binary-booster.deprecated"


def test_booster_takes_the_fast_path(booster_model: LoadedModel) -> None:
    assert isinstance(booster_model, XGBoostModel)
    assert booster_model.info.flavor == "xgboost"
    assert booster_model.info.run_id == "run123"
    assert booster_model.n_features == 14
    assert booster_model.info.loaded_at.tzinfo is not None


def test_fast_path_equals_booster_predict_on_a_dmatrix(
    booster_model: XGBoostModel, booster_dir: Path
) -> None:
    xgb = import_xgboost()
    features, _ = training_rows(rows=50, seed=9)
    expected = booster_model.booster.predict(xgb.DMatrix(features))
    got = booster_model.predict(booster_model.prepare(ModelInput(features.astype(int).tolist())))
    assert got.dtype == np.float32
    assert got.shape == (50,)
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_string_named_signature_maps_a_header_by_name(tmp_path: Path) -> None:
    model_dir = write_booster_model(tmp_path / "m", STR_SIGNATURE)
    model = load_model_dir(model_dir, resolved_for(model_dir))
    header = tuple(f"f{i}" for i in reversed(range(14)))
    by_name = model.predict(model.prepare(ModelInput([[1] * 7 + [0] * 7], header)))
    by_position = model.predict(model.prepare(ModelInput([[0] * 7 + [1] * 7])))
    np.testing.assert_array_equal(by_name, by_position)


def test_model_without_signature_checks_the_booster_width(tmp_path: Path) -> None:
    model_dir = write_booster_model(tmp_path / "m", None)
    model = load_model_dir(model_dir, resolved_for(model_dir))
    assert model.schema is None
    with pytest.raises(SchemaError, match=r"^row 1: expected 14 columns, got 3$"):
        model.prepare(ModelInput([[1, 2, 3]]))


def test_old_mlflow_model_xgb_file_in_ubjson_loads_without_warnings(tmp_path: Path) -> None:
    model_dir = write_booster_model(tmp_path / "m", data="model.xgb")
    model = load_model_dir(model_dir, resolved_for(model_dir))
    assert model.predict(model.prepare(ModelInput([[1] * 14]))).shape == (1,)


def test_legacy_binary_booster_fails_with_the_upgrade_command(tmp_path: Path) -> None:
    model_dir = tmp_path / "legacy"
    model_dir.mkdir()
    shutil.copy(LEGACY_BOOSTER, model_dir / "model.xgb")
    write_mlmodel(model_dir, "model.xgb", None)
    with pytest.raises(
        ModelLoadError,
        match=r"^model models:/m/1: cannot load model.xgb: it is in XGBoost's legacy binary "
        r"format, which this XGBoost \(3\.\d+\.\d+\) cannot read \(removed in 3\.1\): run "
        r"`psystock models upgrade models:/m/1` to rewrite it as UBJ$",
    ):
        load_model_dir(model_dir, resolved_for(model_dir))


def test_upgrade_command_in_the_message_is_quoted_for_the_shell(tmp_path: Path) -> None:
    model_dir = tmp_path / "my models" / "legacy"
    model_dir.mkdir(parents=True)
    shutil.copy(LEGACY_BOOSTER, model_dir / "model.xgb")
    write_mlmodel(model_dir, "model.xgb", None)
    with pytest.raises(
        ModelLoadError, match=rf"run `psystock models upgrade '{model_dir}'` to rewrite it as UBJ$"
    ):
        load_model_dir(model_dir, resolved_for(model_dir, reference=str(model_dir)))


def test_missing_booster_file_is_a_load_error(tmp_path: Path) -> None:
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    write_mlmodel(model_dir, "model.ubj", None)
    with pytest.raises(ModelLoadError, match=r"expected the booster file .*model.ubj, found none"):
        load_model_dir(model_dir, resolved_for(model_dir))


def test_corrupt_json_booster_is_a_load_error_naming_the_file(tmp_path: Path) -> None:
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    (model_dir / "model.json").write_text("{not json", encoding="utf-8")
    write_mlmodel(model_dir, "model.json", None)
    with pytest.raises(ModelLoadError, match=r"^model models:/m/1: cannot load model.json \("):
        load_model_dir(model_dir, resolved_for(model_dir))


def test_predict_failure_is_a_scoring_error(booster_model: LoadedModel) -> None:
    wrong_width = PreparedInput(np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(
        ScoringError, match=r"^model models:/m/1 failed while predicting 2 rows: \w+"
    ):
        booster_model.predict(wrong_width)


def test_limit_threads_sets_the_boosters_nthread_and_keeps_predictions(
    booster_model: LoadedModel,
) -> None:
    import json

    assert isinstance(booster_model, XGBoostModel)
    rows = ModelInput(np.array([[1, 0] * 7, [0, 1] * 7]))
    before = booster_model.predict(booster_model.prepare(rows))

    booster_model.limit_threads(1)

    config = json.loads(booster_model.booster.save_config())
    assert config["learner"]["generic_param"]["nthread"] == "1"
    np.testing.assert_array_equal(booster_model.predict(booster_model.prepare(rows)), before)
