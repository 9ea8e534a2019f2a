"""One contract, two transports: every registry operation against a real ``mlflow server``
over HTTP (``HttpTransport``, no mlflow import) and a ``sqlite:///`` store
(``MlflowClientTransport``).

Each test runs once per transport with the same assertions, so the two cannot drift apart.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import NamedTuple

import pytest

from psystock.errors import ModelNotFoundError, RegistryError, ResourceNotFoundError
from psystock.registry.models import list_versions, promote
from psystock.registry.records import RunStatus
from psystock.registry.resolve import resolve_reference
from psystock.registry.runs import find_runs, start_run, terminate_run
from psystock.registry.transport import open_transport
from psystock.registry.transport.http import HttpTransport
from psystock.registry.transport.mlflow_client import MlflowClientTransport
from psystock.registry.webhooks import create_webhook, delete_webhook, list_webhooks
from psystock.settings import Settings
from tests.conftest import MlflowServer

WEBHOOK_ENVIRONMENT = {
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
}


class Registry(NamedTuple):
    """A registry reached through one transport (``kind``), and a model with two versions."""

    kind: str
    settings: Settings
    name: str
    run_ids: tuple[str, str]


@pytest.fixture(scope="module")
def sqlite_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqlite-registry")


@pytest.fixture(params=["http", "sqlite"])
def registry(
    request: pytest.FixtureRequest,
    mlflow_server: MlflowServer,
    sqlite_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Registry:
    # MlflowClient on sqlite puts artifacts under ./mlruns and checks webhooks in-process.
    monkeypatch.chdir(sqlite_root)
    for key, value in WEBHOOK_ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    uri = mlflow_server.url if request.param == "http" else f"sqlite:///{sqlite_root / 'mlflow.db'}"
    name = f"contract-{uuid.uuid4().hex[:8]}"
    run_ids = seed_model(uri, name, sqlite_root)
    return Registry(request.param, Settings(tracking_uri=uri, home=tmp_path), name, run_ids)


def seed_model(uri: str, name: str, scratch: Path) -> tuple[str, str]:
    """Register ``name`` with two versions, each from a run with a metric and a model file."""
    from mlflow import MlflowClient

    client = MlflowClient(uri, registry_uri=uri)
    experiment = client.get_experiment_by_name("contract-seed")
    experiment_id = (
        experiment.experiment_id if experiment else client.create_experiment("contract-seed")
    )
    client.create_registered_model(name)
    run_ids = []
    for accuracy in (0.5, 0.625):
        run = client.create_run(experiment_id)
        client.log_metric(run.info.run_id, "test_accuracy", accuracy)
        model_dir = scratch / f"model-{run.info.run_id}"
        model_dir.mkdir()
        (model_dir / "MLmodel").write_text(f"accuracy: {accuracy}\n")
        client.log_artifacts(run.info.run_id, str(model_dir), "model")
        client.set_terminated(run.info.run_id)
        client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
        run_ids.append(run.info.run_id)
    return run_ids[0], run_ids[1]


def test_open_transport_picks_http_or_mlflow_client_by_uri(registry: Registry) -> None:
    with open_transport(registry.settings) as transport:
        expected = HttpTransport if registry.kind == "http" else MlflowClientTransport
        assert type(transport) is expected


def test_resolve_each_reference_kind(registry: Registry) -> None:
    name = registry.name
    promote(registry.settings, "1", "Production", name)

    by_stage = resolve_reference(f"models:/{name}/production", registry.settings)
    by_alias = resolve_reference(f"models:/{name}@production", registry.settings)
    by_version = resolve_reference(f"models:/{name}/2", registry.settings)
    latest = resolve_reference(f"models:/{name}/latest", registry.settings)

    assert (by_stage.version, by_alias.version, by_version.version, latest.version) == (
        "1", "1", "2", "2"
    )  # fmt: skip
    assert by_stage.run_id == registry.run_ids[0]
    assert by_stage.source.endswith(f"{registry.run_ids[0]}/artifacts/model")
    assert by_stage.artifact_uri.endswith("/model")


def test_download_a_resolved_model(registry: Registry, tmp_path: Path) -> None:
    resolved = resolve_reference(f"models:/{registry.name}/2", registry.settings)

    with open_transport(registry.settings) as transport:
        model_dir = transport.download_artifacts(resolved.artifact_uri, tmp_path / "download")

    assert (model_dir / "MLmodel").read_text() == "accuracy: 0.625\n"


@pytest.mark.parametrize(
    ("suffix", "message"),
    [
        ("/Staging", "no version of {name} is in stage Staging"),
        ("/9", r"Model Version \(name={name}, version=9\) not found"),
        ("@champion", "Registered model alias champion not found."),
    ],
)
def test_resolve_names_what_does_not_exist(registry: Registry, suffix: str, message: str) -> None:
    reference = f"models:/{registry.name}{suffix}"

    with pytest.raises(
        ModelNotFoundError, match=rf"^model {reference}: {message.format(name=registry.name)}$"
    ):
        resolve_reference(reference, registry.settings)


def test_resolve_names_a_model_that_does_not_exist(registry: Registry) -> None:
    with pytest.raises(
        ModelNotFoundError,
        match=r"^model models:/nope-model/Production: Registered Model with name=nope-model "
        r"not found$",
    ):
        resolve_reference("models:/nope-model/Production", registry.settings)


def test_promote_moves_stage_and_alias_and_list_shows_metrics(registry: Registry) -> None:
    name = registry.name
    promote(registry.settings, "1", "Production", name)

    promoted = promote(registry.settings, "2", "production", name)
    listed = list_versions(registry.settings, name)

    assert (promoted.stage, promoted.aliases) == ("Production", ("production",))
    assert [(v.version, v.stage, v.aliases) for v in listed] == [
        ("2", "Production", ("production",)),
        ("1", "Archived", ()),
    ]
    assert [v.metrics for v in listed] == [{"test_accuracy": 0.625}, {"test_accuracy": 0.5}]
    assert [v.run_id for v in listed] == [registry.run_ids[1], registry.run_ids[0]]


def test_promote_to_archived_removes_the_stage_alias(registry: Registry) -> None:
    name = registry.name
    staged = promote(registry.settings, "1", "Staging", name)

    archived = promote(registry.settings, "1", "Archived", name)

    assert (staged.stage, staged.aliases) == ("Staging", ("staging",))
    assert (archived.stage, archived.aliases) == ("Archived", ())
    with open_transport(registry.settings) as transport:
        assert transport.get_registered_model_aliases(name) == {}


def test_promote_names_a_missing_version(registry: Registry) -> None:
    name = registry.name
    with pytest.raises(
        ModelNotFoundError,
        match=rf"^model models:/{name}/7: Model Version \(name={name}, version=7\) not found$",
    ):
        promote(registry.settings, "7", "Production", name)


def test_record_a_run_then_find_and_terminate_it(registry: Registry, tmp_path: Path) -> None:
    experiment = f"contract-runs-{uuid.uuid4().hex[:8]}"
    job = uuid.uuid4().hex
    plot = tmp_path / "plot.txt"
    plot.write_text("a plot")

    recorder = start_run(registry.settings, experiment, "batch_scoring", {"job": job})
    recorder.log(params={"input": "in.csv"}, metrics={"rows_out": 3.0}, tags={"note": "x"})
    recorder.upload(plot)
    running = find_runs(registry.settings, experiment, tags={"job": job}, status=RunStatus.RUNNING)
    recorder.close()  # as a killed job would: the run stays RUNNING
    terminate_run(registry.settings, recorder.run_id, RunStatus.KILLED)
    killed = find_runs(registry.settings, experiment, tags={"job": job}, status=RunStatus.KILLED)

    assert [run.run_id for run in running] == [recorder.run_id]
    assert running[0].name == "batch_scoring"
    assert (running[0].params, running[0].metrics) == ({"input": "in.csv"}, {"rows_out": 3.0})
    assert running[0].tags["note"] == "x"
    assert [run.run_id for run in killed] == [recorder.run_id]
    assert killed[0].end_ms is not None
    assert find_runs(registry.settings, experiment, status=RunStatus.RUNNING) == []
    with open_transport(registry.settings) as transport:
        listed = transport.download_artifacts(killed[0].artifact_uri, tmp_path / "artifacts")
    assert (listed / "plot.txt").read_text() == "a plot"


def test_recorder_finishes_its_run(registry: Registry) -> None:
    experiment = f"contract-finish-{uuid.uuid4().hex[:8]}"

    with start_run(registry.settings, experiment, "job", {}) as recorder:
        recorder.log(metrics={"m": 1.0})

    finished = find_runs(registry.settings, experiment, status=RunStatus.FINISHED)
    assert [run.run_id for run in finished] == [recorder.run_id]


def test_find_runs_of_an_experiment_that_does_not_exist_finds_none(registry: Registry) -> None:
    assert find_runs(registry.settings, f"no-such-experiment-{uuid.uuid4().hex}") == []


def test_terminate_a_run_that_does_not_exist(registry: Registry) -> None:
    run_id = uuid.uuid4().hex
    with pytest.raises(
        ResourceNotFoundError, match=rf"^ending run {run_id} as KILLED: Run .*{run_id}.* not found"
    ):
        terminate_run(registry.settings, run_id, RunStatus.KILLED)


def test_webhooks_create_list_delete(registry: Registry) -> None:
    name = f"hook-{uuid.uuid4().hex[:8]}"
    url = "http://127.0.0.1:9/psystock-webhook"

    created = create_webhook(
        registry.settings, name, url, ["model_version_alias.created"], secret="s3cret"
    )
    listed = {hook.webhook_id: hook for hook in list_webhooks(registry.settings)}
    delete_webhook(registry.settings, created.webhook_id)
    after = {hook.webhook_id for hook in list_webhooks(registry.settings)}

    assert (created.name, created.url, created.status) == (name, url, "ACTIVE")
    assert created.events == ("model_version_alias.created",)
    assert listed[created.webhook_id] == created
    assert created.webhook_id not in after


def test_webhook_with_an_unknown_event_is_refused(registry: Registry) -> None:
    with pytest.raises(RegistryError, match=r"^creating webhook h -> http://127.0.0.1:9/x: .*"):
        create_webhook(registry.settings, "h", "http://127.0.0.1:9/x", ["model_version.exploded"])


_WITHOUT_MLFLOW = """
import sys, tempfile
from pathlib import Path
sys.modules["mlflow"] = None  # any import of mlflow now fails
from psystock.registry.models import list_versions, promote
from psystock.registry.resolve import resolve_reference
from psystock.registry.artifacts import download_model
from psystock.registry.runs import find_runs, start_run
from psystock.registry.webhooks import list_webhooks
from psystock.settings import Settings
settings = Settings(tracking_uri=sys.argv[1], home=tempfile.mkdtemp())
name = sys.argv[2]
promote(settings, "2", "Production", name)
resolved = resolve_reference(f"models:/{name}/Production", settings)
model = download_model(resolved, Path(tempfile.mkdtemp()) / "m", settings)
with start_run(settings, "no-mlflow", "job", {"k": "v"}) as run:
    run.log(metrics={"m": 1.0})
runs = find_runs(settings, "no-mlflow", tags={"k": "v"})
print(resolved.version, (model / "MLmodel").read_text().strip(), len(list_versions(settings, name)))
print(len(runs), type(list_webhooks(settings)).__name__)
"""


def test_over_http_no_operation_imports_mlflow(mlflow_server: MlflowServer, tmp_path: Path) -> None:
    import subprocess
    import sys

    name = f"contract-{uuid.uuid4().hex[:8]}"
    seed_model(mlflow_server.url, name, tmp_path)

    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_MLFLOW, mlflow_server.url, name],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "accuracy:", "0.625", "2", "1", "list"]


def test_register_a_model_directory_as_a_new_version(registry: Registry, tmp_path: Path) -> None:
    from psystock.registry.versions import VersionSource, read_version, register_model_dir

    model_dir = tmp_path / "upgraded"
    (model_dir / "sub").mkdir(parents=True)
    (model_dir / "MLmodel").write_text("upgraded: true\n")
    (model_dir / "sub" / "model.ubj").write_bytes(b"\x00\x01")
    source = VersionSource(registry.name, "1", registry.run_ids[0], {"kept": "yes"}, "first")

    new = register_model_dir(registry.settings, model_dir, source, {"upgraded_from": "v1"}, "v3")
    read = read_version(registry.settings, registry.name, new.version)
    resolved = resolve_reference(f"models:/{registry.name}/{new.version}", registry.settings)
    with open_transport(registry.settings) as transport:
        copy = transport.download_artifacts(resolved.artifact_uri, tmp_path / "copy")
        run = transport.get_run(new.run_id)

    assert new.version == "3"
    assert (read.run_id, read.description) == (new.run_id, "v3")
    assert read.tags == {"kept": "yes", "upgraded_from": "v1"}
    assert (copy / "MLmodel").read_text() == "upgraded: true\n"
    assert (copy / "sub" / "model.ubj").read_bytes() == b"\x00\x01"
    assert (run.name, run.status, run.tags["upgraded_from"]) == (
        "psystock-models-upgrade", "FINISHED", "v1"
    )  # fmt: skip
    seed = read_version(registry.settings, registry.name, "1")
    assert run.experiment_id == _experiment_of_run(registry, seed.run_id)


def _experiment_of_run(registry: Registry, run_id: str | None) -> str:
    assert run_id is not None
    with open_transport(registry.settings) as transport:
        return transport.get_run(run_id).experiment_id
