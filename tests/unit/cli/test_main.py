"""The CLI's boundary: the first log line, the home, and one Error: line for anything."""

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from psystock.cli import cli
from tests.conftest import RunCli


def test_the_first_log_line_names_the_registry_and_the_home(
    run_cli: RunCli, tmp_path: Path
) -> None:
    default = run_cli("--home", tmp_path / "h", "registry", "down")
    given = run_cli(
        "--home", tmp_path / "h", "--tracking-uri", "sqlite:///x.db", "registry", "down"
    )

    assert default.stderr.splitlines()[0].endswith(
        "INFO    psystock.cli: registry http://127.0.0.1:5000 (the local registry, "
        f"MLFLOW_TRACKING_URI is not set), PSYSTOCK_HOME {tmp_path / 'h'}"
    )
    assert given.stderr.splitlines()[0].endswith(
        f"registry sqlite:///x.db (MLFLOW_TRACKING_URI), PSYSTOCK_HOME {tmp_path / 'h'}"
    )
    assert (tmp_path / "h").is_dir()


@pytest.mark.parametrize(
    "arguments", [("batch", "score", "--help"), ("registry", "-h"), ("--help",)]
)
def test_help_creates_no_home_and_logs_nothing(
    run_cli: RunCli, tmp_path: Path, arguments: tuple[str, ...]
) -> None:
    result = run_cli("--home", tmp_path / "h", *arguments)

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: psystock")
    assert not (tmp_path / "h").exists()


def test_a_home_under_a_file_is_one_error_line(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")

    result = run_cli("--home", tmp_path / "f" / "home", "config", "show")

    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: the psystock home {tmp_path / 'f' / 'home'} (--home or PSYSTOCK_HOME) cannot "
        f"be created: {tmp_path / 'f'} is not a directory\n",
    )


@pytest.fixture
def failing_command() -> Iterator[str]:
    """A command that fails the way a bug or an untranslated library error would."""

    @click.command("test-fail")
    @click.argument("kind")
    def command(kind: str) -> None:
        if kind == "os":
            raise PermissionError(13, "Permission denied", "/srv/data/x.csv")
        raise ValueError("something nobody foresaw")

    cli.add_command(command)
    yield "test-fail"
    cli.commands.pop("test-fail")


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        ("os", "Error: /srv/data/x.csv: permission denied (run with --debug to see where)"),
        ("bug", "Error: unexpected ValueError: something nobody foresaw (run with --debug to see "
                "where)"),
    ],
)  # fmt: skip
def test_an_untranslated_failure_is_still_one_error_line_and_exit_1(
    run_cli: RunCli, tmp_path: Path, failing_command: str, kind: str, line: str
) -> None:
    result = run_cli("--home", tmp_path, failing_command, kind)

    assert result.exit_code == 1
    assert result.said == line + "\n"
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_of_an_untranslated_failure(
    run_cli: RunCli, tmp_path: Path, failing_command: str
) -> None:
    with pytest.raises(ValueError, match=r"^something nobody foresaw$"):
        run_cli("--debug", "--home", tmp_path, failing_command, "bug")
