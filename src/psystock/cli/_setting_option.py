"""Options that override a setting, built from the setting itself.

The variable (``Env: PSYSTOCK_SCORING__THRESHOLD``), the shown default and the choices of a
``Literal`` setting come from the ``Settings`` model, so an option never restates them. The
option's value defaults to ``None``: a command passes on only what the user gave.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import sys
from collections.abc import Callable
from typing import Any, Final, Literal, TypeVar, get_args, get_origin

import click
from pydantic import AliasChoices, BaseModel
from pydantic.fields import FieldInfo

from psystock.settings import ENV_PREFIX, Settings

F = TypeVar("F", bound=Callable[..., Any])


class _FromSetting:
    """The shown default is the setting's own (the marker of ``shown_default``)."""


FROM_SETTING: Final = _FromSetting()


class SettingOption(click.Option):
    """A click option that overrides ``setting`` (e.g. ``scoring.threshold``).

    Attributes:
        setting: the dotted path of the setting in ``Settings``.
        shows_setting_default: whether the help's ``[default: ...]`` is the setting's own
            default (not a text given for a default computed at run time).
    """

    def __init__(
        self, *args: Any, setting: str, shows_setting_default: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setting = setting
        self.shows_setting_default = shows_setting_default


def setting_option(
    setting: str,
    *param_decls: str,
    help: str | None = None,
    type: click.ParamType[Any] | None = None,
    shown_default: str | _FromSetting | None = FROM_SETTING,
    fallback_variable: str | None = None,
    shows_variable: bool = True,
) -> Callable[[F], F]:
    """An option overriding ``setting``, a dotted path into ``Settings`` (``serving.port``).

    Args:
        setting: the setting, ``SECTION.FIELD`` or a top-level field.
        param_decls: the option's flags (and name), as ``click.option`` takes them.
        help: the option's sentence; default: the setting's attribute docstring.
        type: the click type; default: the choices of a ``Literal`` setting, else click's.
        shown_default: the ``[default: ...]`` text where the setting's default does not say
            it (a default computed at run time), or ``None`` to show none.
        fallback_variable: a variable read when the setting's is not set (``AWS_PROFILE``).
        shows_variable: whether the help names the setting's variable.
    """
    parts = [help if help is not None else setting_docstring(setting)]
    if shows_variable:
        also = f" or {fallback_variable}" if fallback_variable else ""
        parts.append(f" Env: {setting_variable(setting)}{also}.")
    is_derived = isinstance(shown_default, _FromSetting)
    shown = setting_default(setting) if isinstance(shown_default, _FromSetting) else shown_default
    if shown is not None:
        parts.append(f"  [default: {shown}]")
    return click.option(
        *param_decls,
        cls=SettingOption,
        setting=setting,
        shows_setting_default=is_derived and shown is not None,
        type=type if type is not None else _choices_type(setting),
        default=None,
        help="".join(parts),
    )


def given_settings(context: click.Context) -> dict[str, Any]:
    """The settings the user gave as options of ``context``'s command, nested by section.

    ``--port 6001 --host 0.0.0.0`` on ``serve`` gives ``{"serving": {"port": 6001, "host":
    "0.0.0.0"}}``; an option not given (``None``) is left out, so its setting keeps its value.
    """
    given: dict[str, Any] = {}
    for param in context.command.params:
        value = context.params.get(param.name or "")
        if isinstance(param, SettingOption) and value is not None:
            *sections, name = param.setting.split(".")
            section = given
            for part in sections:
                section = section.setdefault(part, {})
            section[name] = value
    return given


def setting_field(setting: str) -> FieldInfo:
    """The pydantic field of ``setting`` (``SECTION.FIELD`` or a top-level field).

    Raises:
        KeyError: no such setting.
    """
    model, name = _model_of(setting)
    return model.model_fields[name]


def _model_of(setting: str) -> tuple[type[BaseModel], str]:
    """The settings model (``Settings`` or a section) that declares ``setting``, and its name.

    Raises:
        KeyError: no such setting.
    """
    model: type[BaseModel] = Settings
    *sections, name = setting.split(".")
    for section in sections:
        annotation = model.model_fields[section].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            raise KeyError(f"{section} of {setting} is not a section of the settings")
        model = annotation
    if name not in model.model_fields:
        raise KeyError(f"{setting} is not a setting")
    return model, name


def setting_variable(setting: str) -> str:
    """The environment variable of ``setting``: ``PSYSTOCK_SECTION__FIELD``, or its alias."""
    alias = setting_field(setting).validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]  # MLflow's own name, e.g. MLFLOW_TRACKING_URI
    return ENV_PREFIX + setting.replace(".", "__").upper()


def setting_default(setting: str) -> str | None:
    """The default of ``setting`` as ``--help`` shows it (``None`` when it has none)."""
    return format_default(setting_field(setting).default)


def format_default(value: object) -> str | None:
    """A default as ``--help`` shows it: ``on``/``off``, ``5`` for 5.0, nothing for ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def setting_reference(setting: str) -> str:
    """``setting``'s variable and default, for prose: ``PSYSTOCK_DATA__START (2014-09-17)``."""
    return f"{setting_variable(setting)} ({setting_default(setting)})"


def setting_choices(setting: str) -> list[str]:
    """The values a ``Literal`` setting takes, in declaration order (empty for other types)."""
    annotation = setting_field(setting).annotation
    return (
        [str(value) for value in get_args(annotation)] if get_origin(annotation) is Literal else []
    )


def setting_docstring(setting: str) -> str:
    """The setting's attribute docstring on one line, without reST literals."""
    model, name = _model_of(setting)
    text = _attribute_docstrings(model.__module__).get((model.__qualname__, name), "")
    return " ".join(text.replace("``", "").split())


@functools.cache
def _attribute_docstrings(module: str) -> dict[tuple[str, str], str]:
    """``{(class, attribute): docstring}`` of the classes of ``module``, one parse of its source.

    An attribute's docstring is the string right under its annotated assignment (PEP 257).
    """
    tree = ast.parse(inspect.getsource(sys.modules[module]))
    found: dict[tuple[str, str], str] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement, following in itertools.pairwise(node.body):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                found[node.name, statement.target.id] = following.value.value
    return found


def _choices_type(setting: str) -> click.Choice[str] | None:
    """``click.Choice`` of a ``Literal`` setting's values; ``None`` (click's guess) otherwise."""
    choices = setting_choices(setting)
    return click.Choice(choices) if choices else None
