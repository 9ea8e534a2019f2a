"""The book's MLproject: the Job that MLflow's kubernetes backend would create, by its code."""

# MLflow's project functions, called here as `mlflow run --backend kubernetes` calls them, are
# untyped.
# mypy: disable-error-code="no-untyped-call"
from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT
from tests.unit.deploy.kubernetes.pod_specs import containers, pod_specs
from tests.unit.deploy.kubernetes.schemas import KUBERNETES_VERSIONS, schema_errors

PROJECT = REPO_ROOT / "deploy" / "kubernetes" / "mlproject"
DIGEST = "sha256:" + "0" * 64


def test_mlflow_builds_a_valid_restricted_job_from_the_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from mlflow.projects import _parse_kubernetes_config
    from mlflow.projects import kubernetes as kb
    from mlflow.projects._project_spec import load_project

    monkeypatch.chdir(PROJECT)  # the book runs `mlflow run .` from the project's directory
    project = load_project(str(PROJECT))
    assert project.docker_env["image"].startswith("psystock-batch:")
    command = project.get_entry_point("main").compute_command({"input": "/data/input/in.csv"}, None)
    config = _parse_kubernetes_config(json.loads((PROJECT / "kubernetes_config.json").read_text()))
    assert set(config) >= {"kube-context", "repository-uri", "kube-job-template"}
    job = kb._get_kubernetes_job_definition(
        project.name,
        config["repository-uri"],
        DIGEST,
        kb._get_run_command([command]),
        {"MLFLOW_RUN_ID": "0" * 32, "MLFLOW_TRACKING_URI": "http://psystock-registry:5000"},
        config["kube-job-template"],
    )
    for version in KUBERNETES_VERSIONS:
        assert schema_errors([job], version) == []
    [(_, spec)] = list(pod_specs([job]))
    [container] = containers(spec)
    assert container["command"] == [
        "psystock", "batch", "score", "/data/input/in.csv", "/data/output/output.csv",
        "--model", "models:/training-model-psystock/Production", "--overwrite",
    ]  # fmt: skip
    assert "args" not in container
    assert container["image"] == f"{config['repository-uri']}@{DIGEST}"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["envFrom"] == [{"configMapRef": {"name": "psystock-batch-settings"}}]
    assert {"name": "MLFLOW_RUN_ID", "value": "0" * 32} in container["env"]
