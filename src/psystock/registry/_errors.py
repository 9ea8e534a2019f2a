"""Translate MLflow's and the network's exceptions into psystock's tree, at this boundary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from psystock.errors import ModelNotFoundError, RegistryError

if TYPE_CHECKING:
    from mlflow.exceptions import MlflowException

_NOT_FOUND_CODES = frozenset({"RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"})
_ERRNO_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


@contextmanager
def translate_mlflow_errors(what: str, reference: str | None = None) -> Iterator[None]:
    """Turn an ``MlflowException`` or a connection failure raised inside into a ``RegistryError``.

    Args:
        what: what was being done, for the message (``"resolving models:/m/Production"``).
        reference: the model reference concerned; a not-found error becomes
            ``ModelNotFoundError`` naming it.
    """
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        if reference is not None and exc.error_code in _NOT_FOUND_CODES:
            raise ModelNotFoundError(reference, _message_of(exc)) from exc
        network_failure = _network_failure(exc)
        if network_failure is not None:
            raise RegistryError(f"{what}: registry unreachable ({network_failure})") from exc
        raise RegistryError(f"{what}: {_message_of(exc)}") from exc
    except (ConnectionError, OSError) as exc:
        raise RegistryError(f"{what}: registry unreachable ({_first_line(str(exc))})") from exc


def _message_of(exc: MlflowException) -> str:
    """The first line of MLflow's message, without the ``ERROR_CODE: `` prefix REST errors carry."""
    text = _first_line(exc.message)
    prefix = f"{exc.error_code}: "
    return text.removeprefix(prefix) or text


def _network_failure(exc: BaseException) -> str | None:
    """Why the connection failed, when MLflow's REST client wrapped a ``requests`` error."""
    import requests

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, requests.ConnectionError | requests.Timeout):
            return _network_reason(str(current))
        current = current.__cause__ or current.__context__
    return None


def _network_reason(text: str) -> str:
    """``connection refused`` from urllib3's long ``Max retries exceeded ... [Errno 111] ...``."""
    match = _ERRNO_REASON.search(text)
    if match:
        return match.group(1).strip().lower()
    if "timed out" in text.lower():
        return "timed out"
    return _first_line(text)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
