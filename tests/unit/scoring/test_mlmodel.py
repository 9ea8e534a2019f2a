from pathlib import Path

import pytest

from psystock.errors import ModelLoadError
from psystock.scoring.mlmodel import read_mlmodel
from tests.unit.scoring.conftest import INT_SIGNATURE, write_mlmodel


def test_read_mlmodel_reads_flavors_signature_and_run(tmp_path: Path) -> None:
    write_mlmodel(tmp_path, "model.ubj", INT_SIGNATURE)
    mlmodel = read_mlmodel(tmp_path, "ref")
    assert mlmodel.flavors["xgboost"]["model_class"] == "xgboost.core.Booster"
    assert mlmodel.schema is not None
    assert mlmodel.schema.names == tuple(range(14))
    assert mlmodel.run_id == "run123"


def test_read_mlmodel_without_signature_has_no_schema(tmp_path: Path) -> None:
    write_mlmodel(tmp_path, "model.ubj", None)
    assert read_mlmodel(tmp_path, "ref").schema is None


def test_read_mlmodel_names_a_directory_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(
        ModelLoadError,
        match=r"^model ./here: expected an MLflow model directory with an MLmodel file, "
        r"found none in ",
    ):
        read_mlmodel(tmp_path, "./here")


def test_read_mlmodel_rejects_a_file_without_flavors(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text("artifact_path: x\n", encoding="utf-8")
    with pytest.raises(
        ModelLoadError, match=r"^model ref: expected flavors in .*MLmodel, found none$"
    ):
        read_mlmodel(tmp_path, "ref")


def test_read_mlmodel_rejects_broken_yaml(tmp_path: Path) -> None:
    (tmp_path / "MLmodel").write_text("flavors: [unclosed\n", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"^model ref: cannot read .*MLmodel \("):
        read_mlmodel(tmp_path, "ref")
