"""``psystock docker build`` errors a user can act on, before any engine is needed."""

import pytest

from tests.conftest import RunCli


def test_docker_build_refuses_a_model_for_the_registry_image(run_cli: RunCli) -> None:
    result = run_cli("docker", "build", "registry", "--model", "models:/m/1")
    assert (result.exit_code, result.said) == (
        1,
        "Error: the registry image holds no model: --model applies to the api and batch images\n",
    )


def test_docker_build_without_a_docker_client_says_what_to_do(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSYSTOCK_DOCKER__COMMAND", "/nonexistent/docker")
    result = run_cli("docker", "build", "api")
    assert (result.exit_code, result.said) == (
        1,
        "Error: cannot run the docker client '/nonexistent/docker' (No such file or directory): "
        "install Docker (https://docs.docker.com/engine/install/) or set "
        "PSYSTOCK_DOCKER__COMMAND\n",
    )


def test_docker_build_without_an_engine_says_what_to_do(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    result = run_cli("docker", "build", "api")
    assert result.exit_code == 1
    assert result.said.startswith(
        "Error: no Docker engine answers the docker client: start one (e.g. `systemctl start "
        "docker`) or point DOCKER_HOST at it (docker said: "
    )
    assert "no-engine.sock" in result.stderr
    assert result.said.count("\n") == 1
