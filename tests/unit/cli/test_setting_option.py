"""Every option that overrides a setting names that setting's real variable and default."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from psystock.cli import cli
from psystock.cli._setting_option import (
    SettingOption,
    format_default,
    given_settings,
    setting_docstring,
    setting_option,
    setting_variable,
)
from psystock.settings import Settings, load_settings
from tests.conftest import RunCli


def _commands(
    command: click.Command, path: str = "psystock"
) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None
            yield from _commands(sub, f"{path} {name}")


OPTIONS = [
    (f"{path} {param.opts[0]}", param)
    for path, command in _commands(cli)
    for param in command.params
    if isinstance(param, click.Option)
]
SETTING_OPTIONS = [(name, option) for name, option in OPTIONS if isinstance(option, SettingOption)]
NAMING_VARIABLE = [
    (name, option)
    for name, option in SETTING_OPTIONS
    if f"Env: {setting_variable(option.setting)}" in (option.help or "")
]
SHOWING_DEFAULT = [
    (name, option) for name, option in SETTING_OPTIONS if option.shows_setting_default
]


def _nested(setting: str, value: Any) -> dict[str, Any]:
    *sections, name = setting.split(".")
    override: dict[str, Any] = {name: value}
    for section in reversed(sections):
        override = {section: override}
    return override


VALID_VALUES = {"tracking_uri": "http://registry.example:5000"}
"""Values of the settings that take a checked form (any other string setting takes any string)."""


def _other_value(option: SettingOption, default: Any, tmp_path: Path) -> str:
    """A valid value of the option's setting that is not its default, as the environment has it."""
    if option.setting in VALID_VALUES:
        return VALID_VALUES[option.setting]
    if isinstance(option.type, click.Choice):
        return next(str(choice) for choice in option.type.choices if choice != default)
    if isinstance(option.type, click.Path):
        if not option.type.file_okay:
            return str(tmp_path)
        (tmp_path / "value").write_text("token-from-a-file\n")
        return str(tmp_path / "value")
    if isinstance(default, bool):
        return str(not default).lower()
    if isinstance(default, int):
        return str(default + 1)
    if isinstance(default, float):
        return str(default / 2)
    return "another-value"


def test_the_cli_has_setting_options_and_they_name_their_variables_and_defaults() -> None:
    assert len(SETTING_OPTIONS) >= 30
    assert len(NAMING_VARIABLE) >= 25
    assert len(SHOWING_DEFAULT) >= 15


def test_no_option_writes_a_psystock_variable_by_hand() -> None:
    by_hand = [
        name
        for name, option in OPTIONS
        if "Env: PSYSTOCK_" in (option.help or "") and not isinstance(option, SettingOption)
    ]

    assert by_hand == []


@pytest.mark.parametrize(
    ("name", "option"), NAMING_VARIABLE, ids=[name for name, _ in NAMING_VARIABLE]
)
def test_the_variable_in_the_help_sets_the_option_s_setting(
    name: str, option: SettingOption, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    variable = setting_variable(option.setting)
    default: Any = load_settings()
    for part in option.setting.split("."):
        default = getattr(default, part)
    value = _other_value(option, default, tmp_path)

    monkeypatch.setenv(variable, value)
    from_environment = load_settings()
    monkeypatch.delenv(variable)

    assert from_environment == load_settings(**_nested(option.setting, value))
    assert from_environment != load_settings()


@pytest.mark.parametrize(
    ("name", "option"), SHOWING_DEFAULT, ids=[name for name, _ in SHOWING_DEFAULT]
)
def test_the_default_in_the_help_is_the_setting_s_value_without_configuration(
    name: str, option: SettingOption
) -> None:
    value: Any = load_settings()
    for part in option.setting.split("."):
        value = getattr(value, part)

    assert (option.help or "").endswith(f"  [default: {format_default(value)}]"), name
    assert option.default is None  # only what the user gives overrides the setting


def test_a_setting_option_builds_its_help_from_the_setting() -> None:
    @click.command()
    @setting_option("scoring.threshold", "--threshold", help="Decision threshold.")
    def command(threshold: float | None) -> None:
        del threshold

    (option,) = command.params

    assert option.help == "Decision threshold. Env: PSYSTOCK_SCORING__THRESHOLD.  [default: 0.5]"


def test_a_setting_option_without_help_uses_the_setting_s_docstring() -> None:
    @click.command()
    @setting_option("batch.on_error", "--on-error")
    def command(on_error: str | None) -> None:
        del on_error

    (option,) = command.params

    assert option.help == (
        "What a bad row does: stop the job (exit 2) or go to a quarantine side file. "
        "Env: PSYSTOCK_BATCH__ON_ERROR.  [default: fail]"
    )
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == ["fail", "quarantine"]


def test_an_aliased_setting_s_variable_is_mlflow_s() -> None:
    assert setting_variable("tracking_uri") == "MLFLOW_TRACKING_URI"


def test_a_default_is_shown_as_a_person_writes_it() -> None:
    assert [format_default(v) for v in (True, False, 5.0, 0.5, 1200.0, 8080, None)] == [
        "on", "off", "5", "0.5", "1200", "8080", None,
    ]  # fmt: skip


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(KeyError, match="nothing"):
        setting_option("serving.nothing", "--nothing")
    with pytest.raises(KeyError, match=r"port of serving\.port\.x is not a section"):
        setting_option("serving.port.x", "--x")


def test_a_command_passes_on_only_the_setting_options_the_user_gave() -> None:
    seen: list[dict[str, Any]] = []

    @click.command()
    @setting_option("serving.port", "--port", type=click.INT)
    @setting_option("serving.poll_interval_s", "--poll-interval", type=click.FLOAT)
    @setting_option("scoring.threshold", "--threshold", type=click.FLOAT)
    @setting_option("log_level", "--log-level")
    @click.option("--other", default="x")
    def command(**_options: Any) -> None:
        seen.append(given_settings(click.get_current_context()))

    result = CliRunner().invoke(command, ["--port", "6001", "--threshold", "0.7"])

    assert result.exit_code == 0, result.output
    assert seen == [{"serving": {"port": 6001}, "scoring": {"threshold": 0.7}}]


def test_the_group_s_setting_options_reach_every_command(run_cli: RunCli, tmp_path: Path) -> None:
    code, out, _ = run_cli(
        "--home", tmp_path, "--log-level", "warning", "--tracking-uri", "http://registry:5000",
        "config", "show", "--json",
    )  # fmt: skip

    shown = json.loads(out)
    assert code == 0
    assert (shown["home"], shown["log_level"], shown["tracking_uri"]) == (
        str(tmp_path),
        "WARNING",
        "http://registry:5000",
    )


def test_every_setting_has_a_docstring_for_its_help() -> None:
    sections = [
        field.annotation
        for field in Settings.model_fields.values()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    ]
    settings = [
        name for name, field in Settings.model_fields.items() if field.annotation not in sections
    ]
    settings += [
        f"{section}.{name}"
        for section, field in Settings.model_fields.items()
        if field.annotation in sections
        for name in field.annotation.model_fields
    ]

    assert len(settings) > 50
    assert [setting for setting in settings if not setting_docstring(setting)] == []
