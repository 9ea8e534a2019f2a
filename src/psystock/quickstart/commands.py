"""The ``psystock registry up|down`` commands the quickstart tells a user to type."""

from __future__ import annotations

from pathlib import Path

DEFAULT_HOME = Path(".psystock")
"""The psystock home when neither ``--home`` nor ``PSYSTOCK_HOME`` says otherwise."""


def stop_command(home: Path) -> str:
    """The command that stops the registry of ``home``."""
    return _with_home("psystock registry down", home)


def start_command(home: Path) -> str:
    """The command that starts the registry of ``home``."""
    return _with_home("psystock registry up", home)


def _with_home(command: str, home: Path) -> str:
    if home.resolve() == DEFAULT_HOME.resolve():
        return command
    return command.replace("psystock ", f"psystock --home {home.resolve()} ", 1)
