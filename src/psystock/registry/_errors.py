"""Translate MLflow's and the network's exceptions into psystock's tree, at this boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from psystock.errors import ModelNotFoundError, RegistryError

_NOT_FOUND_CODES = frozenset({"RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"})


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
            raise ModelNotFoundError(reference, _first_line(exc.message)) from exc
        raise RegistryError(f"{what}: {_first_line(exc.message)}") from exc
    except (ConnectionError, OSError) as exc:
        raise RegistryError(f"{what}: registry unreachable ({_first_line(str(exc))})") from exc


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"
