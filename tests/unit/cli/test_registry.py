import json
import os
from pathlib import Path

from psystock.registry.local_server.pidfile import PidRecord, write_pid_file
from tests.conftest import RunCli

PID_MAX = int(Path("/proc/sys/kernel/pid_max").read_text()) if Path("/proc").exists() else 99999


def test_registry_help_lists_up_down_status(run_cli: RunCli) -> None:
    code, out, _ = run_cli("registry", "--help")

    assert code == 0
    for command in ("up", "down", "status"):
        assert f"  {command} " in out


def test_registry_up_help_shows_each_setting_with_its_variable_and_default(
    run_cli: RunCli,
) -> None:
    code, out, _ = run_cli("registry", "up", "--help")

    flat = " ".join(out.split())
    assert code == 0
    assert (
        "Port of the local registry server. Env: PSYSTOCK_REGISTRY__PORT. [default: 5000]" in flat
    )
    assert "Env: PSYSTOCK_REGISTRY__HOST. [default: 127.0.0.1]" in flat
    assert "[default: sqlite:///HOME/mlflow.db]" in flat
    assert "[default: HOME/artifacts]" in flat


def test_registry_up_rejects_a_port_out_of_range(run_cli: RunCli, tmp_path: Path) -> None:
    code, _, err = run_cli("--home", str(tmp_path), "registry", "up", "--port", "0")

    assert code == 2
    assert "Error: Invalid value for '--port': 0 is not in the range 1<=x<=65535." in err
    assert list(tmp_path.iterdir()) == []


def test_registry_down_without_pid_file_says_nothing_was_running(
    run_cli: RunCli, tmp_path: Path
) -> None:
    code, out, err = run_cli("--home", str(tmp_path), "registry", "down")

    assert code == 0
    assert out == f"Nothing was running (no pid file at {tmp_path / 'registry.pid'}).\n"
    assert "Error" not in err


def test_registry_down_removes_a_stale_pid_file(run_cli: RunCli, tmp_path: Path) -> None:
    gone = PID_MAX + 1
    pid_file = tmp_path / "registry.pid"
    write_pid_file(
        pid_file,
        PidRecord(gone, "127.0.0.1", 5000, "sqlite:///x.db", "/a", "/l", "2024-01-01", 1),
    )

    code, out, _ = run_cli("--home", str(tmp_path), "registry", "down")

    assert code == 0
    assert out == (
        f"Nothing was running: removed the stale pid file {pid_file} (process {gone} is gone).\n"
    )
    assert not pid_file.exists()


def test_registry_down_removes_an_unreadable_pid_file(run_cli: RunCli, tmp_path: Path) -> None:
    pid_file = tmp_path / "registry.pid"
    pid_file.write_text(json.dumps({"pid": os.getpid()}))

    code, out, _ = run_cli("--home", str(tmp_path), "registry", "down")

    assert code == 0
    assert out.startswith(
        f"Nothing was running: removed the stale pid file {pid_file} (unreadable: "
    )
    assert not pid_file.exists()
