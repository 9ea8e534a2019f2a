"""What the CLI group passes to its commands: global flags and a settings factory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from psystock.cli._setting_option import given_settings
from psystock.registry._uris import redact_uri
from psystock.settings import Settings, load_settings


@dataclass
class CliState:
    """Global flags given to the ``psystock`` group."""

    overrides: dict[str, Any] = field(default_factory=dict)
    debug: bool = False

    def settings(self, **overrides: Any) -> Settings:
        """Settings from the environment, the group's flags, then ``overrides``.

        Pass only the options the user actually gave, as nested sections:
        ``state.settings(serving={"port": 6001})``; ``None`` values are dropped.
        """
        merged: dict[str, Any] = dict(self.overrides)
        for key, value in overrides.items():
            if isinstance(value, dict):
                given = {k: v for k, v in value.items() if v is not None}
                if given:
                    merged[key] = {**merged.get(key, {}), **given}
            elif value is not None:
                merged[key] = value
        return load_settings(**merged)


def command_settings() -> Settings:
    """The settings of the running command: the group's, then the command's setting options."""
    return get_state().settings(**given_settings(click.get_current_context()))


def get_state() -> CliState:
    """The ``CliState`` of the running command."""
    state = click.get_current_context().find_object(CliState)
    return state if state is not None else CliState()


def where_line(settings: Settings) -> str:
    """Which registry a command talks to and where its home is (each command's first log line)."""
    uri = redact_uri(settings.resolved_tracking_uri)
    source = (
        "MLFLOW_TRACKING_URI"
        if settings.tracking_uri
        else "the local registry, MLFLOW_TRACKING_URI is not set"
    )
    return f"registry {uri} ({source}), PSYSTOCK_HOME {settings.home}"
