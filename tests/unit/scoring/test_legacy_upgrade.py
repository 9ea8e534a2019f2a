import shutil
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from psystock.errors import InputError, ModelLoadError
from psystock.scoring.inputs import ModelInput
from psystock.scoring.legacy_upgrade import legacy_booster_file, upgrade_model_dir
from psystock.scoring.loader import load_model_dir
from psystock.scoring.xgboost_model import import_xgboost
from tests.legacy_xgboost.cases import COMMITTED_BOOK_VERSIONS, LegacyCase, committed_case
from tests.unit.scoring.conftest import resolved_for, write_booster_model

INSTALLED = import_xgboost().__version__


def copied(case: LegacyCase, tmp_path: Path) -> Path:
    return Path(shutil.copytree(case.model_dir, tmp_path / f"model-{case.version}"))


def mlmodel(model_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((model_dir / "MLmodel").read_text())  # type: ignore[no-any-return]


def scores(model_dir: Path, rows: np.ndarray) -> np.ndarray:
    model = load_model_dir(model_dir, resolved_for(model_dir))
    predicted: np.ndarray = model.predict(model.prepare(ModelInput(rows)))
    return predicted


@pytest.mark.parametrize("version", COMMITTED_BOOK_VERSIONS)
def test_in_place_upgrade_loads_on_the_fast_path_with_the_same_predictions(
    version: str, tmp_path: Path
) -> None:
    case = committed_case(version)
    model_dir = copied(case, tmp_path)

    upgrade = upgrade_model_dir(model_dir, "./model")

    assert upgrade.model_dir == model_dir
    assert (upgrade.legacy_file, upgrade.upgraded_file) == ("model.xgb", "model.ubj")
    assert (upgrade.objective, upgrade.num_trees) == ("binary:logistic", 20)
    assert (model_dir / "model.xgb").read_bytes() == case.legacy_file.read_bytes()
    np.testing.assert_array_equal(scores(model_dir, case.inputs()), case.predictions())


def test_summary_says_what_was_converted_into_what(tmp_path: Path) -> None:
    upgrade = upgrade_model_dir(copied(committed_case("1.3.3"), tmp_path), "m")
    assert upgrade.summary == (
        "model.xgb (XGBoost 1.3 legacy binary, binary:logistic, 20 trees) -> model.ubj "
        f"(UBJ, XGBoost {INSTALLED})"
    )


def test_mlmodel_keeps_flavors_and_integer_named_signature(tmp_path: Path) -> None:
    case = committed_case("1.3.3")
    model_dir = copied(case, tmp_path)
    before = mlmodel(model_dir)

    upgrade_model_dir(model_dir, "m")

    after = mlmodel(model_dir)
    assert after["signature"] == before["signature"]
    assert '{"name": 0, "type": "long"}' in after["signature"]["inputs"]
    assert after["flavors"]["python_function"] == {
        **before["flavors"]["python_function"],
        "data": "model.ubj",
    }
    assert after["flavors"]["xgboost"] == {"data": "model.ubj", "xgb_version": INSTALLED}
    assert after["metadata"] == {
        "psystock_upgraded_from": "model.xgb: XGBoost 1.3 legacy binary format"
    }
    assert {k: v for k, v in after.items() if k not in ("flavors", "metadata")} == {
        k: v for k, v in before.items() if k != "flavors"
    }
    assert load_model_dir(model_dir, resolved_for(model_dir)).schema is not None


def test_mlflow_2_keys_follow_the_new_file(tmp_path: Path) -> None:
    model_dir = copied(committed_case("2.1.4"), tmp_path)
    with (model_dir / "MLmodel").open("a") as handle:
        handle.write("model_size_bytes: 15000\n")  # MLflow >= 2.12 records it

    upgrade_model_dir(model_dir, "m")

    content = mlmodel(model_dir)
    assert content["flavors"]["xgboost"]["model_format"] == "ubj"
    assert content["flavors"]["xgboost"]["model_class"] == "xgboost.core.Booster"
    files = ("conda.yaml", "model.ubj", "python_env.yaml", "requirements.txt")
    assert content["model_size_bytes"] == sum((model_dir / name).stat().st_size for name in files)


def test_exact_xgboost_pins_follow_the_installed_xgboost(tmp_path: Path) -> None:
    model_dir = copied(committed_case("2.1.4"), tmp_path)

    upgrade_model_dir(model_dir, "m")

    assert (model_dir / "requirements.txt").read_text() == f"mlflow<3\nxgboost=={INSTALLED}\n"
    assert f"  - xgboost=={INSTALLED}\n" in (model_dir / "conda.yaml").read_text()
    assert "2.1.4" not in (model_dir / "conda.yaml").read_text()


def test_upgrade_into_a_new_directory_leaves_the_original_alone(tmp_path: Path) -> None:
    case = committed_case("1.3.3")
    model_dir = copied(case, tmp_path)
    output = tmp_path / "out" / "upgraded"

    upgrade = upgrade_model_dir(model_dir, "m", output)

    assert upgrade.model_dir == output
    assert sorted(p.name for p in output.iterdir()) == ["MLmodel", "conda.yaml", "model.ubj"]
    assert sorted(p.name for p in model_dir.iterdir()) == ["MLmodel", "conda.yaml", "model.xgb"]
    assert mlmodel(model_dir)["flavors"]["xgboost"]["data"] == "model.xgb"
    assert sorted(p.name for p in output.parent.iterdir()) == ["upgraded"]
    np.testing.assert_array_equal(scores(output, case.inputs()), case.predictions())


def test_upgrade_into_an_empty_directory_is_allowed(tmp_path: Path) -> None:
    output = tmp_path / "empty"
    output.mkdir()
    upgrade_model_dir(copied(committed_case("1.7.6"), tmp_path), "m", output)
    assert (output / "model.ubj").is_file()


def test_upgrade_refuses_an_output_that_holds_files(tmp_path: Path) -> None:
    output = tmp_path / "taken"
    output.mkdir()
    (output / "keep.txt").write_text("mine")
    with pytest.raises(
        InputError, match=rf"^output {output} already exists and is not an empty directory$"
    ):
        upgrade_model_dir(copied(committed_case("1.3.3"), tmp_path), "m", output)
    assert sorted(p.name for p in output.iterdir()) == ["keep.txt"]


def test_in_place_upgrade_does_not_overwrite_a_model_ubj_it_does_not_own(tmp_path: Path) -> None:
    model_dir = copied(committed_case("1.3.3"), tmp_path)
    (model_dir / "model.ubj").write_text("someone's file")
    with pytest.raises(
        InputError,
        match=rf"^model m: {model_dir / 'model.ubj'} already exists and the MLmodel does not use "
        r"it: move it away, or upgrade into a new directory with --output DIR$",
    ):
        upgrade_model_dir(model_dir, "m")
    assert (model_dir / "model.ubj").read_text() == "someone's file"


@pytest.mark.parametrize("output", [False, True])
def test_a_refused_model_leaves_nothing_behind(output: bool, tmp_path: Path) -> None:
    model_dir = copied(LegacyCase(committed_case("1.3.3", "poisson").root, "1.3.3"), tmp_path)
    before = {p.name: p.read_bytes() for p in model_dir.iterdir()}
    target = tmp_path / "out" if output else None
    with pytest.raises(
        ModelLoadError, match=r"^model m: model.xgb has the objective 'count:poisson'"
    ):
        upgrade_model_dir(model_dir, "m", target)
    assert {p.name: p.read_bytes() for p in model_dir.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [model_dir.name]


def test_a_converted_model_that_xgboost_refuses_is_reported(tmp_path: Path) -> None:
    model_dir = copied(committed_case("1.3.3"), tmp_path)
    data = bytearray((model_dir / "model.xgb").read_bytes())
    first_tree = 4 + 136 + 23 + 14 + 160
    struct.pack_into("<i", data, first_tree + 8, 1)  # tree 0 claims a deleted node it lacks
    (model_dir / "model.xgb").write_bytes(bytes(data))
    with pytest.raises(
        ModelLoadError,
        match=rf"^model m: model.xgb: XGBoost {INSTALLED} refused the converted model \(.+\)$",
    ):
        upgrade_model_dir(model_dir, "m")
    assert not (model_dir / "model.ubj").exists()
    assert sorted(p.name for p in model_dir.iterdir()) == ["MLmodel", "conda.yaml", "model.xgb"]


def test_a_current_model_has_no_legacy_file_and_is_not_upgraded(tmp_path: Path) -> None:
    model_dir = write_booster_model(tmp_path / "m", data="model.xgb")  # UBJ named model.xgb
    assert legacy_booster_file(model_dir, "m") is None
    with pytest.raises(
        ModelLoadError, match=r"^model m: its booster is not in the legacy binary format$"
    ):
        upgrade_model_dir(model_dir, "m")


def test_a_model_without_xgboost_flavor_cannot_be_upgraded(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text("flavors:\n  python_function:\n    loader_module: x\n")
    with pytest.raises(
        ModelLoadError,
        match=r"^model m: expected an xgboost flavor in its MLmodel, found python_function: "
        r"only XGBoost models have a legacy format to upgrade$",
    ):
        legacy_booster_file(tmp_path, "m")


def test_a_missing_booster_file_is_named(tmp_path: Path) -> None:
    model_dir = copied(committed_case("1.3.3"), tmp_path)
    (model_dir / "model.xgb").unlink()
    with pytest.raises(
        ModelLoadError,
        match=rf"^model m: expected the booster file {model_dir}/model.xgb, found none$",
    ):
        legacy_booster_file(model_dir, "m")
