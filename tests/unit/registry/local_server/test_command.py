import sys
from pathlib import Path

from psystock.registry.local_server.command import (
    SERVER_ENVIRONMENT,
    build_server_command,
    build_server_environment,
)
from psystock.registry.local_server.status import ServerStatus
from psystock.settings import Settings, load_settings


def settings_for(home: Path, **registry: object) -> Settings:
    return load_settings(home=home, registry=registry)


def test_build_server_command_runs_this_pythons_mlflow_with_proxied_artifacts(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, host="0.0.0.0", port=5123, workers=2)

    command = build_server_command(settings)

    assert command[:4] == [sys.executable, "-m", "mlflow", "server"]
    options = command[4:]
    assert options[options.index("--host") + 1] == "0.0.0.0"
    assert options[options.index("--port") + 1] == "5123"
    assert options[options.index("--workers") + 1] == "2"
    assert "--serve-artifacts" in options
    assert options[options.index("--artifacts-destination") + 1] == str(
        tmp_path.resolve() / "artifacts"
    )


def test_build_server_command_keeps_the_backend_password_off_the_command_line(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, backend_store_uri="postgresql://u:secret@db/mlflow")

    assert not any("secret" in part for part in build_server_command(settings))


def test_build_server_environment_passes_the_backend_with_its_driver(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, backend_store_uri="postgresql://u:secret@db/mlflow")

    environment = build_server_environment(settings, {"PATH": "/usr/bin"})

    assert environment["MLFLOW_BACKEND_STORE_URI"] == "postgresql+psycopg2://u:secret@db/mlflow"
    assert environment["PATH"] == "/usr/bin"
    assert environment["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] == "false"
    assert environment["MLFLOW_DISABLE_TELEMETRY"] == "true"
    assert environment["DO_NOT_TRACK"] == "true"
    assert environment["MLFLOW_WEBHOOK_ALLOWED_SCHEMES"] == "http,https"
    assert environment["MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS"] == "true"
    assert set(SERVER_ENVIRONMENT) <= set(environment)


def test_build_server_environment_defaults_to_sqlite_under_home(tmp_path: Path) -> None:
    environment = build_server_environment(settings_for(tmp_path), {})

    assert (
        environment["MLFLOW_BACKEND_STORE_URI"] == f"sqlite:///{tmp_path.resolve() / 'mlflow.db'}"
    )


def test_server_status_json_names_everything_a_user_looks_for(tmp_path: Path) -> None:
    status = ServerStatus(
        url="http://127.0.0.1:5000",
        backend_store_uri="postgresql://u:***@db/mlflow",
        artifacts_destination="/data/artifacts",
        pid_file=tmp_path / "registry.pid",
        log_file=tmp_path / "registry.log",
        is_running=True,
        is_healthy=True,
        pid=42,
        started_at="2024-01-01T00:00:00+00:00",
    )

    assert status.ui_url == "http://127.0.0.1:5000/#/models"
    assert status.to_json() == {
        "url": "http://127.0.0.1:5000",
        "ui_url": "http://127.0.0.1:5000/#/models",
        "running": True,
        "healthy": True,
        "pid": 42,
        "started_at": "2024-01-01T00:00:00+00:00",
        "backend_store_uri": "postgresql://u:***@db/mlflow",
        "artifacts_destination": "/data/artifacts",
        "pid_file": str(tmp_path / "registry.pid"),
        "log_file": str(tmp_path / "registry.log"),
        "stale_pid": None,
        "stale_reason": None,
    }


def test_build_server_environment_lets_a_local_api_subscribe_to_webhooks_at_once(
    tmp_path: Path,
) -> None:
    environment = build_server_environment(settings_for(tmp_path), {})
    assert environment["MLFLOW_WEBHOOK_ALLOWED_SCHEMES"] == "http,https"
    assert environment["MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS"] == "true"
    assert environment["MLFLOW_WEBHOOK_CACHE_TTL"] == "1"
