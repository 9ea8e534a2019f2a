"""Reachability of the registry's backend store, checked before ``mlflow server`` starts."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from psystock.errors import RegistryServerError
from psystock.registry._uris import redact_uri

logger = logging.getLogger(__name__)

# SQLAlchemy >= 2.1 maps a bare postgresql:// to psycopg 3, with which MLflow 3.17's SQL store
# fails (e.g. "operator does not exist: integer <> character varying" in stage transitions);
# psycopg2, which MLflow's store is written against, is named explicitly instead.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg2", "postgres": "postgresql+psycopg2"}

# Drivers whose connect() takes ``connect_timeout`` in seconds (psycopg 2 and 3, MySQL drivers).
_TIMEOUT_AWARE_SCHEMES = ("postgresql", "postgres", "mysql", "mariadb")


def with_default_driver(uri: str) -> str:
    """``uri`` with the database driver MLflow's store works with, when it names none.

    ``postgresql://user@host/db`` becomes ``postgresql+psycopg2://user@host/db``; URIs that
    name a driver (``postgresql+psycopg://``) or use another database come back unchanged.
    """
    scheme, separator, rest = uri.partition("://")
    driver = _DEFAULT_DRIVERS.get(scheme.lower())
    return f"{driver}://{rest}" if separator and driver else uri


def check_backend_store(uri: str, timeout_s: int) -> None:
    """Connect to the database at ``uri`` and list its tables, or say why that failed.

    Listing tables (not only connecting) also catches a SQLite file that is not a database.
    File-store URIs (a path or ``file:``) need no check. The connection uses the driver the
    server will use (``with_default_driver``); the message names ``uri`` as given.

    Raises:
        RegistryServerError: ``cannot reach the backend store URI: REASON``, password hidden.
    """
    scheme = urlsplit(uri).scheme.split("+", 1)[0].lower()
    if scheme in ("", "file"):
        return
    import sqlalchemy
    from sqlalchemy.exc import SQLAlchemyError

    connect_args = {"connect_timeout": timeout_s} if scheme in _TIMEOUT_AWARE_SCHEMES else {}
    try:
        engine = sqlalchemy.create_engine(with_default_driver(uri), connect_args=connect_args)
        try:
            with engine.connect() as connection:
                sqlalchemy.inspect(connection).get_table_names()
        finally:
            engine.dispose()
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise RegistryServerError(
            f"cannot reach the backend store {redact_uri(uri)}: {_reason(exc)}",
            backend_store_uri=redact_uri(uri),
        ) from exc
    logger.debug("backend store %s answers", redact_uri(uri))


def _reason(exc: Exception) -> str:
    """The driver's own first line, without SQLAlchemy's wrapping, whitespace collapsed."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip() or type(original).__name__
    first = text.splitlines()[0]
    if isinstance(exc, ImportError):
        first = f"database driver missing ({first})"
    return " ".join(first.split())
