from pathlib import Path

import numpy as np
import pytest

from psystock.errors import ModelNotFoundError, RegistryError, SchemaError
from psystock.registry.resolve import ResolvedModel
from psystock.scoring import (
    ModelInput,
    PyfuncModel,
    ScoringRuntime,
    XGBoostModel,
    decide,
    probabilities,
)
from psystock.settings import Settings, load_settings
from tests.conftest import RegisteredModel, free_port
from tests.integration.scoring.conftest import ExtraModel

NAME = "training-model-psystock"


@pytest.mark.parametrize(
    "reference",
    [
        f"models:/{NAME}/Production",
        f"models:/{NAME}/production",
        f"models:/{NAME}@production",
        f"models:/{NAME}/latest",
    ],
)
def test_resolve_finds_the_production_version_for_each_reference_kind(
    settings: Settings, registered_model: RegisteredModel, reference: str
) -> None:
    resolved = ScoringRuntime(settings).resolve(reference)
    assert resolved.reference == reference
    assert resolved.name == NAME
    # latest may be a newer version registered by another test; Production/alias are fixed.
    if "latest" not in reference:
        assert resolved.version == registered_model.version
    assert resolved.source.startswith("models:/m-")
    assert resolved.artifact_uri.startswith("mlflow-artifacts:/")
    assert resolved.run_id


def test_resolve_by_version_matches_the_stage_lookup(
    settings: Settings, registered_model: RegisteredModel
) -> None:
    runtime = ScoringRuntime(settings)
    by_stage = runtime.resolve()
    by_version = runtime.resolve(f"models:/{NAME}/{registered_model.version}")
    assert (by_version.version, by_version.source) == (by_stage.version, by_stage.source)
    assert by_stage.reference == f"models:/{NAME}/Production"


def test_resolve_a_logged_model_id(settings: Settings, registered_model: RegisteredModel) -> None:
    runtime = ScoringRuntime(settings)
    source = runtime.resolve().source
    resolved = runtime.resolve(source)
    assert (resolved.name, resolved.version) == (None, None)
    assert resolved.artifact_uri.endswith(f"/models/{source.removeprefix('models:/')}/artifacts")


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "models:/no-such-model/Production",
            r"^model models:/no-such-model/Production: .*no-such-model.* not found",
        ),
        (
            f"models:/{NAME}/Archived",
            rf"^model models:/{NAME}/Archived: no version of {NAME} is in stage Archived$",
        ),
        (f"models:/{NAME}@nope", rf"^model models:/{NAME}@nope: .*alias nope not found"),
        (f"models:/{NAME}/999", rf"^model models:/{NAME}/999: .*version=999\) not found"),
        ("models:/m-0000000000", r"^model models:/m-0000000000: .*not found"),
    ],
)
def test_resolve_reports_what_does_not_exist(
    settings: Settings, registered_model: RegisteredModel, reference: str, message: str
) -> None:
    with pytest.raises(ModelNotFoundError, match=message) as caught:
        ScoringRuntime(settings).resolve(reference)
    assert caught.value.details["model"] == reference


def test_resolve_reports_an_unreachable_registry(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    settings = load_settings(tracking_uri=url, home=tmp_path)
    with pytest.raises(
        RegistryError,
        match=rf"^resolving models:/{NAME}/Production: registry {url} unreachable \(",
    ):
        ScoringRuntime(settings).resolve()


def test_fast_path_output_equals_mlflow_pyfunc_output(
    settings: Settings, registered_model: RegisteredModel, rows: list[list[int]]
) -> None:
    import mlflow.pyfunc
    import pandas as pd

    model = ScoringRuntime(settings).load()
    assert isinstance(model, XGBoostModel)
    assert (model.info.name, model.info.version) == (NAME, registered_model.version)
    assert model.info.flavor == "xgboost"
    fast = model.predict(model.prepare(ModelInput(rows)))
    reference = mlflow.pyfunc.load_model(registered_model.uri).predict(pd.DataFrame(rows))
    assert fast.dtype == np.float32
    np.testing.assert_allclose(fast, np.asarray(reference), rtol=1e-6, atol=1e-7)
    assert decide(fast, 0.5).tolist() == [1 if p > 0.5 else 0 for p in reference]


def test_load_with_a_warm_cache_downloads_nothing(
    settings: Settings, registered_model: RegisteredModel
) -> None:
    first = ScoringRuntime(settings)
    model_dir = first.fetch(first.resolve())
    restarted = ScoringRuntime(settings)

    def must_not_download(resolved: ResolvedModel, destination: Path) -> Path:
        raise AssertionError(f"downloaded {resolved.reference} again")

    assert restarted.cache.fetch(restarted.resolve(), must_not_download) == model_dir
    assert restarted.load().info.version == registered_model.version


def test_load_a_runs_reference(settings: Settings, registered_model: RegisteredModel) -> None:
    runtime = ScoringRuntime(settings)
    run_id = runtime.resolve().run_id
    model = runtime.load(f"runs:/{run_id}/model")
    assert isinstance(model, XGBoostModel)
    assert model.info.run_id == run_id
    assert model.info.name is None
    assert model.predict(model.prepare(ModelInput([[1] * 14]))).shape == (1,)


def test_load_a_local_path_reference(
    settings: Settings, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    runtime = ScoringRuntime(settings)
    downloaded = runtime.fetch(runtime.resolve())
    model = runtime.load(str(downloaded))
    assert model.info.source == str(downloaded.resolve())
    assert model.info.version is None


def test_load_a_missing_local_path_is_a_load_error(settings: Settings, tmp_path: Path) -> None:
    from psystock.errors import ModelLoadError

    missing = tmp_path / "nowhere"
    with pytest.raises(
        ModelLoadError, match=r"^model .*nowhere: expected an MLflow model directory"
    ):
        ScoringRuntime(settings).load(str(missing))


def test_sklearn_model_with_string_names_takes_the_pyfunc_path(
    settings: Settings, logreg_model: ExtraModel, rows: list[list[int]]
) -> None:
    import mlflow.pyfunc
    import pandas as pd

    model = ScoringRuntime(settings).load(f"models:/{logreg_model.name}/{logreg_model.version}")
    assert isinstance(model, PyfuncModel)
    assert model.info.flavor == "pyfunc"
    assert model.schema is not None
    assert model.schema.names == tuple(f"f{i}" for i in range(14))
    header = tuple(f"f{i}" for i in range(14))
    by_name = model.predict(model.prepare(ModelInput(rows, header)))
    by_position = model.predict(model.prepare(ModelInput(rows)))
    frame = pd.DataFrame(rows, columns=list(header))
    expected = mlflow.pyfunc.load_model(
        f"models:/{logreg_model.name}/{logreg_model.version}"
    ).predict(frame)
    np.testing.assert_array_equal(np.asarray(by_name), np.asarray(expected))
    np.testing.assert_array_equal(np.asarray(by_position), np.asarray(expected))
    assert probabilities(by_name, len(rows)).shape == (len(rows),)
    with pytest.raises(SchemaError, match=r"^expected column f3, got column x$"):
        model.prepare(ModelInput([[1] * 14], tuple(h if h != "f3" else "x" for h in header)))


def test_xgb_classifier_takes_the_pyfunc_path_with_pyfunc_output(
    settings: Settings, classifier_model: ExtraModel, rows: list[list[int]]
) -> None:
    import mlflow.pyfunc
    import pandas as pd

    reference = f"models:/{classifier_model.name}/{classifier_model.version}"
    model = ScoringRuntime(settings).load(reference)
    assert model.info.flavor == "pyfunc"
    got = model.predict(model.prepare(ModelInput(rows)))
    expected = mlflow.pyfunc.load_model(reference).predict(pd.DataFrame(rows))
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
