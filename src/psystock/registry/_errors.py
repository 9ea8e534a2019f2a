"""Registry failures in psystock's tree: one wording for both transports, one place for context.

The transports raise bare errors (``registry_failure``, ``unreachable``); the operations wrap
their calls in ``doing(what, reference)``, which prefixes what was being done and turns
"does not exist" into ``ModelNotFoundError`` naming the user's reference. MLflow's own
exceptions become the same errors through ``translate_mlflow_errors``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from psystock.errors import ModelNotFoundError, RegistryError, ResourceNotFoundError

if TYPE_CHECKING:
    from mlflow.exceptions import MlflowException

NOT_FOUND_CODES = frozenset({"RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"})
START_HINT = "start the local one with `psystock registry up`, or set MLFLOW_TRACKING_URI"
"""What to do when the registry does not answer."""

_ERRNO_REASON = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)")


def registry_failure(code: str, message: str) -> RegistryError:
    """The error for an MLflow error ``code`` and ``message`` (REST body or ``MlflowException``).

    A missing resource is ``ResourceNotFoundError``; MLflow reports a missing alias as
    ``INVALID_PARAMETER_VALUE`` with "not found" in the message, which counts too.
    """
    text = first_line(message)
    text = text.removeprefix(f"{code}: ") or text
    is_missing = code in NOT_FOUND_CODES or (
        code == "INVALID_PARAMETER_VALUE" and "not found" in text.lower()
    )
    return ResourceNotFoundError(text) if is_missing else RegistryError(text)


def unreachable(reason: str, uri: str | None = None) -> RegistryError:
    """``registry URI unreachable (REASON): start the local one ...``."""
    where = f"registry {uri}" if uri else "registry"
    return RegistryError(f"{where} unreachable ({network_reason(reason)}): {START_HINT}")


@contextmanager
def doing(what: str, reference: str | None = None) -> Iterator[None]:
    """Prefix a ``RegistryError`` raised inside with ``what``; name ``reference`` when missing.

    Args:
        what: what was being done (``"promoting models:/m/3 to Production at URI"``).
        reference: the model reference concerned: a ``ResourceNotFoundError`` becomes
            ``ModelNotFoundError(reference, ...)``.
    """
    try:
        yield
    except ModelNotFoundError:
        raise
    except ResourceNotFoundError as exc:
        if reference is not None:
            raise ModelNotFoundError(reference, exc.message) from exc
        raise ResourceNotFoundError(f"{what}: {exc.message}") from exc
    except RegistryError as exc:
        if type(exc) is not RegistryError:
            raise  # a subclass with its own message (the local server's errors)
        raise RegistryError(f"{what}: {exc.message}") from exc


@contextmanager
def translate_mlflow_errors(
    what: str, reference: str | None = None, uri: str | None = None
) -> Iterator[None]:
    """Turn an ``MlflowException`` or a connection failure raised inside into a ``RegistryError``.

    Args:
        what: what was being done, for the message (``"resolving models:/m/Production"``).
        reference: the model reference concerned; a not-found error becomes
            ``ModelNotFoundError`` naming it.
        uri: the registry's URI, named when it cannot be reached.
    """
    with doing(what, reference), mlflow_errors(uri):
        yield


@contextmanager
def mlflow_errors(uri: str | None = None) -> Iterator[None]:
    """Turn an ``MlflowException`` or a connection failure raised inside into a bare error."""
    from mlflow.exceptions import MlflowException

    try:
        yield
    except MlflowException as exc:
        network_failure = _network_failure(exc)
        if network_failure is not None:
            raise unreachable(network_failure, uri) from exc
        raise registry_failure(str(exc.error_code), exc.message) from exc
    except (ConnectionError, OSError) as exc:
        raise unreachable(str(exc), uri) from exc


def _network_failure(exc: MlflowException) -> str | None:
    """Why the connection failed, when MLflow's REST client wrapped a ``requests`` error."""
    import requests

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, requests.ConnectionError | requests.Timeout):
            return str(current)
        current = current.__cause__ or current.__context__
    return None


def network_reason(text: str) -> str:
    """``connection refused`` from urllib3's long ``Max retries exceeded ... [Errno 111] ...``."""
    match = _ERRNO_REASON.search(text)
    if match:
        return match.group(1).strip().lower()
    if "timed out" in text.lower():
        return "timed out"
    return first_line(text)


def first_line(text: str) -> str:
    """The first line of ``text``, or ``unknown error`` when it is blank."""
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
