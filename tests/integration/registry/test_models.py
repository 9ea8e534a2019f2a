"""Promotion and listing against the session's real MLflow server."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass

import pytest

from psystock.errors import ModelNotFoundError
from psystock.registry.models import ModelVersionSummary, list_versions, promote
from psystock.settings import Settings, load_settings
from tests.conftest import MlflowServer, free_port, log_xgboost_booster, without_log_lines
from tests.integration.registry.conftest import RunPsystock, last_line


@dataclass(frozen=True)
class TwoVersions:
    """A model of its own (so the shared training-model-psystock is untouched), 2 versions."""

    name: str
    first: str
    second: str
    run_ids: tuple[str, str]
    settings: Settings


@pytest.fixture(scope="module")
def two_versions(mlflow_server: MlflowServer) -> TwoVersions:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(mlflow_server.url)
    name = f"psystock-promote-{uuid.uuid4().hex[:8]}"
    first = log_xgboost_booster(name, seed=1)
    second = log_xgboost_booster(name, seed=2)
    client = MlflowClient(mlflow_server.url)
    run_ids = []
    for version, accuracy in ((first, 0.5), (second, 0.625)):
        run_id = client.get_model_version(name, version).run_id
        assert run_id is not None
        client.log_metric(run_id, "test_accuracy", accuracy)
        client.log_metric(run_id, "test_f1", accuracy - 0.1)
        client.log_metric(run_id, "train_accuracy", 0.9)
        run_ids.append(run_id)
    settings = load_settings(tracking_uri=mlflow_server.url)
    return TwoVersions(name, first, second, (run_ids[0], run_ids[1]), settings)


def by_version(summaries: list[ModelVersionSummary]) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {summary.version: (summary.stage, summary.aliases) for summary in summaries}


def test_promote_sets_stage_and_alias_and_archives_the_previous_production_version(
    two_versions: TwoVersions,
) -> None:
    model = two_versions

    first = promote(model.settings, model.first, "Production", model.name)
    second = promote(model.settings, model.second, "production", model.name)

    assert (first.stage, first.aliases) == ("Production", ("production",))
    assert (second.stage, second.aliases) == ("Production", ("production",))
    assert by_version(list_versions(model.settings, model.name)) == {
        model.second: ("Production", ("production",)),
        model.first: ("Archived", ()),
    }


def test_promote_to_staging_keeps_production_and_then_moves_the_alias(
    two_versions: TwoVersions,
) -> None:
    model = two_versions
    promote(model.settings, model.first, "Production", model.name)

    staged = promote(model.settings, model.second, "STAGING", model.name)

    assert (staged.stage, staged.aliases) == ("Staging", ("staging",))
    assert by_version(list_versions(model.settings, model.name))[model.first] == (
        "Production",
        ("production",),
    )

    promote(model.settings, model.second, "Production", model.name)

    # The staging alias left with the stage: aliases and stages name the same versions.
    assert by_version(list_versions(model.settings, model.name)) == {
        model.second: ("Production", ("production",)),
        model.first: ("Archived", ()),
    }


def test_promote_to_archived_removes_the_production_alias(two_versions: TwoVersions) -> None:
    from mlflow import MlflowClient

    model = two_versions
    promote(model.settings, model.first, "Production", model.name)

    archived = promote(model.settings, model.first, "archived", model.name)

    assert (archived.stage, archived.aliases) == ("Archived", ())
    aliases = MlflowClient(model.settings.resolved_tracking_uri).get_registered_model(model.name)
    assert "production" not in aliases.aliases


def test_list_versions_shows_runs_metrics_and_creation_newest_first(
    two_versions: TwoVersions,
) -> None:
    model = two_versions

    listed = list_versions(model.settings, model.name)

    assert [summary.version for summary in listed] == [model.second, model.first]
    newest, oldest = listed
    assert (newest.run_id, oldest.run_id) == (model.run_ids[1], model.run_ids[0])
    assert newest.metrics == {"test_accuracy": 0.625, "test_f1": 0.525, "train_accuracy": 0.9}
    assert oldest.created_at <= newest.created_at
    assert newest.created_at.tzinfo is not None
    assert newest.source


def test_promote_names_a_version_that_does_not_exist(two_versions: TwoVersions) -> None:
    model = two_versions

    with pytest.raises(
        ModelNotFoundError,
        match=rf"^model models:/{model.name}/99: Model Version \(name={model.name}, "
        r"version=99\) not found$",
    ):
        promote(model.settings, "99", "Production", model.name)


def test_promote_names_a_model_that_does_not_exist(two_versions: TwoVersions) -> None:
    with pytest.raises(
        ModelNotFoundError,
        match=r"^model models:/no-such-model: Registered Model with name=no-such-model not found$",
    ):
        promote(two_versions.settings, "1", "Production", "no-such-model")


def test_list_versions_names_a_model_that_does_not_exist(two_versions: TwoVersions) -> None:
    with pytest.raises(
        ModelNotFoundError,
        match=r"^model models:/no-such-model: Registered Model with name=no-such-model not found$",
    ):
        list_versions(two_versions.settings, "no-such-model")


def test_cli_promote_and_models_list(two_versions: TwoVersions, run_psystock: RunPsystock) -> None:
    model = two_versions
    uri = model.settings.resolved_tracking_uri

    promoted = run_psystock(
        "--tracking-uri", uri, "promote", model.first, "--model-name", model.name
    )
    table = run_psystock("--tracking-uri", uri, "models", "list", "--model-name", model.name)
    as_json = run_psystock(
        "--tracking-uri", uri, "models", "list", "--model-name", model.name, "--json"
    )

    assert promoted.returncode == 0, promoted.stderr
    assert promoted.stdout == (
        f"{model.name} version {model.first} is now in Production (alias production).\n"
    )
    assert table.returncode == 0, table.stderr
    header = next(line for line in table.stdout.splitlines() if "version" in line)
    columns = ("version", "stage", "aliases", "run id", "created (UTC)", "test_accuracy", "test_f1")
    for column in columns:
        assert column in header
    assert "train_accuracy" not in header
    first_row = next(line for line in table.stdout.splitlines() if f" {model.first} " in line)
    assert "Production" in first_row
    assert "production" in first_row
    assert "0.5000" in first_row
    assert model.run_ids[0] in first_row
    versions = json.loads(as_json.stdout)
    assert [entry["version"] for entry in versions] == [model.second, model.first]
    assert versions[1]["stage"] == "Production"
    assert versions[1]["aliases"] == ["production"]
    assert versions[1]["metrics"]["train_accuracy"] == 0.9


def test_cli_promote_errors_name_what_is_wrong(
    two_versions: TwoVersions, run_psystock: RunPsystock
) -> None:
    model = two_versions
    uri = model.settings.resolved_tracking_uri

    missing = run_psystock("--tracking-uri", uri, "promote", "99", "--model-name", model.name)
    bad_stage = run_psystock("--tracking-uri", uri, "promote", "1", "--to", "Prod")
    bad_version = run_psystock("--tracking-uri", uri, "promote", "v1")

    assert missing.returncode == 1
    assert last_line(missing.stderr) == (
        f"Error: model models:/{model.name}/99: Model Version (name={model.name}, version=99) "
        "not found"
    )
    assert bad_stage.returncode == 2
    assert without_log_lines(bad_stage.stderr) == (
        "Error: stage 'Prod': expected one of Staging, Production, Archived, None\n"
    )
    assert bad_version.returncode == 2
    assert (
        without_log_lines(bad_version.stderr)
        == "Error: version 'v1': expected a positive integer\n"
    )


def test_cli_models_list_fails_fast_when_the_registry_is_unreachable(
    run_psystock: RunPsystock,
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()

    listed = run_psystock("--tracking-uri", dead, "models", "list", timeout_s=60)

    elapsed_s = time.monotonic() - started
    assert listed.returncode == 1
    assert last_line(listed.stderr) == (
        f"Error: listing versions of training-model-psystock at {dead}: registry {dead} "
        "unreachable (connection refused): start the local one with `psystock registry up`, "
        "or set MLFLOW_TRACKING_URI"
    )
    assert listed.stdout == ""
    assert elapsed_s < 15, f"took {elapsed_s:.1f} s"
