"""The CLI says which extra to install, in one Error: line, when a library is missing."""

import sys
from collections.abc import Iterator

import click
import pytest

from psystock.cli import cli
from tests.conftest import RunCli


def test_batch_score_without_the_batch_extra_names_it(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    result = run_cli("batch", "score", "in.csv", "out.csv")
    assert (result.exit_code, result.said) == (
        1,
        "Error: psystock batch score needs matplotlib, which is not installed: "
        "pip install 'psystock[batch]' (the batch extra)\n",
    )


def test_train_without_the_train_extra_names_it(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)
    result = run_cli("train")
    assert result.said == (
        "Error: psystock train needs sklearn, which is not installed: "
        "pip install 'psystock[train]' (the train extra)\n"
    )


@pytest.fixture
def importing_command() -> Iterator[str]:
    """A command that imports yfinance without asking require_extra first."""

    @click.command("test-import-yfinance")
    def command() -> None:
        import yfinance  # noqa: F401

    cli.add_command(command)
    yield "test-import-yfinance"
    cli.commands.pop("test-import-yfinance")


def test_an_unforeseen_missing_library_still_gives_one_error_line(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, importing_command: str
) -> None:
    monkeypatch.setitem(sys.modules, "yfinance", None)
    result = run_cli(importing_command)
    assert (result.exit_code, result.said) == (
        1,
        "Error: this command needs yfinance, which is not installed: "
        "pip install 'psystock[yahoo]' (the yahoo extra)\n",
    )
