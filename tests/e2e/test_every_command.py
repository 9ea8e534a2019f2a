"""Every command of the real ``psystock`` executable, with bad settings and bad paths.

The commands are discovered from the click tree (a new command is covered without editing
this file), each run as a user runs it, in a subprocess. Whatever goes wrong must end in one
``Error: ...`` line and a documented exit code (README, ``psystock --help``), never a
traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from psystock.cli import cli
from tests.conftest import free_port

PSYSTOCK = Path(sys.executable).parent / "psystock"
DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 130}
TIMEOUT_S = 60
BAD_TRACKING_URIS = ("file:./mlruns", "notaurl", "http://[bad", "ftp://example.com/mlflow")


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command that runs something (groups are walked, not run)."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name)


def command_of(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def bad_arguments(path: tuple[str, ...], nowhere: Path) -> list[str]:
    """A value for each required argument: paths in a directory that does not exist."""
    values = []
    for param in command_of(path).params:
        if isinstance(param, click.Argument) and param.required:
            is_number = isinstance(param.type, click.types.IntParamType) or param.name in (
                "version",
            )
            values.append("1" if is_number else str(nowhere / str(param.name)))
    return values


COMMANDS = sorted(leaf_commands(cli))


@pytest.fixture(scope="module")
def busy_port() -> Iterator[int]:
    """A port something listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PSYSTOCK_", "MLFLOW_"))}
    return env | {
        "PSYSTOCK_HOME": str(tmp_path / "home"),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
        "NO_COLOR": "1",
    }


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PSYSTOCK), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def assert_one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """No traceback anywhere; the last line of stderr is the ``Error:`` line; return it."""
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines, f"exit {done.returncode} without a word on stderr"
    assert lines[-1].startswith("Error: "), done.stderr
    assert sum(line.startswith("Error: ") for line in lines) == 1, done.stderr
    return lines[-1]


def test_the_tree_has_the_commands_a_user_knows() -> None:
    names = {" ".join(path) for path in COMMANDS}
    assert {
        "quickstart", "registry up", "registry down", "registry status", "data fetch", "train",
        "promote", "models list", "batch score", "serve", "config show",
    } <= names  # fmt: skip


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("uri", BAD_TRACKING_URIS)
def test_a_tracking_uri_no_store_can_use_is_exit_2_naming_the_variable(
    path: tuple[str, ...], uri: str, clean_env: dict[str, str], tmp_path: Path
) -> None:
    done = run([*path, *bad_arguments(path, tmp_path / "nowhere")],
               clean_env | {"MLFLOW_TRACKING_URI": uri}, tmp_path)  # fmt: skip

    assert done.returncode == 2, done.stderr
    assert assert_one_error_line(done).startswith(
        f"Error: invalid setting MLFLOW_TRACKING_URI={uri!r}: "
    )
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("how", ["--home", "PSYSTOCK_HOME"])
def test_a_home_that_cannot_be_created_is_exit_2_naming_it(
    path: tuple[str, ...], how: str, clean_env: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    home = blocker / "home"
    given = ["--home", str(home)] if how == "--home" else []
    env = clean_env | ({"PSYSTOCK_HOME": str(home)} if how == "PSYSTOCK_HOME" else {})

    done = run([*given, *path, *bad_arguments(path, tmp_path / "nowhere")], env, tmp_path)

    assert done.returncode == 2, done.stderr
    assert assert_one_error_line(done) == (
        f"Error: the psystock home {home} (--home or PSYSTOCK_HOME) cannot be created: "
        f"{blocker} is not a directory"
    )


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_a_registry_that_is_down_and_paths_that_do_not_exist_end_in_one_error_line(
    path: tuple[str, ...], clean_env: dict[str, str], tmp_path: Path, busy_port: int
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = clean_env | {
        "MLFLOW_TRACKING_URI": dead,
        "PSYSTOCK_REGISTRY__PORT": str(free_port()),
        "PSYSTOCK_REGISTRY__BACKEND_STORE_URI": f"sqlite:///{tmp_path}/nowhere/mlflow.db",
        "PSYSTOCK_SERVING__PORT": str(busy_port),
        "PSYSTOCK_DATA__YAHOO_PROXY": f"http://127.0.0.1:{free_port()}",
    }

    done = run([*path, *bad_arguments(path, tmp_path / "nowhere")], env, tmp_path)

    assert done.returncode in DOCUMENTED_EXIT_CODES, done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    if done.returncode in (1, 2):
        assert_one_error_line(done)
    if "registry unreachable" in done.stderr or f"registry {dead} unreachable" in done.stderr:
        assert "`psystock registry up`, or set MLFLOW_TRACKING_URI" in done.stderr


def test_help_documents_the_exit_codes(clean_env: dict[str, str], tmp_path: Path) -> None:
    done = run(["--help"], clean_env, tmp_path)

    assert done.returncode == 0
    flat = " ".join(done.stdout.split())
    assert "Exit codes: 0 done; 1 the registry, a model, a data source or the machine failed;" in (
        flat
    )
