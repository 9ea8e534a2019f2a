"""Read which version a reference means straight from an MLflow registry's SQL database.

With a ``sqlite:///``, ``postgresql://`` or ``mysql://`` tracking URI, ``MlflowClient`` would
have to be imported to answer "which version is in Production?", and importing mlflow costs a
server seconds of start-up and about 150 MB. This reader asks the database itself with
SQLAlchemy Core, read-only, in the tables MLflow's SQL store keeps (``model_versions``,
``registered_model_aliases``, ``registered_models``, ``logged_models``), with MLflow's
semantics: a deleted version (stage ``Deleted_Internal``) does not exist; a stage means its
highest version; ``latest`` the highest version whatever its stage; a version's artifacts
are at its ``storage_location``, else its ``source``. It reads; it never writes or migrates.

The REST API follows the registry through it (``psystock.serving.runtime``); everything
else keeps using MLflow itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from psystock.errors import ModelNotFoundError, RegistryError
from psystock.registry._errors import START_HINT
from psystock.registry._uris import redact_uri
from psystock.registry.references import ModelReference, ReferenceKind
from psystock.registry.resolve import ResolvedModel

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

SQL_SCHEMES = ("sqlite", "postgresql", "postgres", "mysql", "mariadb", "mssql")
"""Tracking URI schemes of MLflow's SQL store (``+driver`` suffixes allowed)."""
DELETED_STAGE = "Deleted_Internal"
"""The stage MLflow gives a deleted model version."""
DEFAULT_WORKSPACE = "default"


def is_sql_uri(uri: str) -> bool:
    """Whether ``uri`` names a database MLflow's SQL store uses."""
    scheme = uri.partition("://")[0].split("+", 1)[0].lower()
    return scheme in SQL_SCHEMES and "://" in uri


def read_only_url(uri: str) -> str:
    """The SQLAlchemy URL of ``uri``; a SQLite file is opened read-only (never created)."""
    if uri.lower().startswith("sqlite:///") and "?" not in uri:
        path = uri[len("sqlite:///") :]
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    # The driver MLflow's store works with (psycopg2 for a bare postgresql://), imported here:
    # the local server's package needs psutil, which only the registry-server extra brings.
    from psystock.registry.local_server.backend import with_default_driver

    return with_default_driver(uri)


class SqlRegistryReader:
    """Answers registry lookups from the database of ``uri`` (one engine, reused)."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._engine: Engine | None = None
        self._has_workspaces: bool | None = None

    def resolve(self, ref: ModelReference) -> ResolvedModel:
        """What the registered or logged model reference ``ref`` points at now.

        Raises:
            ModelNotFoundError: the model, version, stage or alias does not exist.
            RegistryError: the database cannot be read, or holds no MLflow registry.
        """
        if ref.kind is ReferenceKind.LOGGED:
            row = self._one(
                "SELECT artifact_location, source_run_id FROM logged_models"
                " WHERE model_id = :model_id",
                model_id=str(ref.model_id),
            )
            if row is None:
                raise ModelNotFoundError(ref.text, f"no logged model {ref.model_id}")
            return ResolvedModel(ref.text, None, None, ref.text, row[1], str(row[0]))
        name = str(ref.name)
        row = self._version_row(ref, name)
        version, source, run_id, storage_location = row
        return ResolvedModel(
            reference=ref.text,
            name=name,
            version=str(version),
            source=str(source or storage_location or ""),
            run_id=run_id or None,
            artifact_uri=str(storage_location or source or ""),
        )

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _version_row(self, ref: ModelReference, name: str) -> Any:
        columns = "SELECT version, source, run_id, storage_location FROM model_versions"
        alive = f"name = :name AND current_stage != '{DELETED_STAGE}'{self._workspace()}"
        if ref.kind is ReferenceKind.ALIAS:
            alias = self._one(
                f"SELECT version FROM registered_model_aliases WHERE name = :name"
                f" AND alias = :alias{self._workspace()}",
                name=name,
                alias=str(ref.alias),
            )
            if alias is None:
                self._require_model(ref, name)
                raise ModelNotFoundError(ref.text, f"{name} has no alias {ref.alias}")
            row = self._one(f"{columns} WHERE {alive} AND version = :v", name=name, v=alias[0])
        elif ref.kind is ReferenceKind.VERSION:
            row = self._one(
                f"{columns} WHERE {alive} AND version = :v", name=name, v=int(str(ref.version))
            )
        elif ref.kind is ReferenceKind.STAGE:
            row = self._one(
                f"{columns} WHERE {alive} AND lower(current_stage) = :stage"
                " ORDER BY version DESC LIMIT 1",
                name=name,
                stage=str(ref.stage).lower(),
            )
        else:  # LATEST
            row = self._one(f"{columns} WHERE {alive} ORDER BY version DESC LIMIT 1", name=name)
        if row is None:
            self._require_model(ref, name)
            what = {
                ReferenceKind.VERSION: f"{name} has no version {ref.version}",
                ReferenceKind.STAGE: f"no version of {name} is in stage {ref.stage}",
            }.get(ref.kind, f"no version of {name} is registered")
            raise ModelNotFoundError(ref.text, what)
        return row

    def _require_model(self, ref: ModelReference, name: str) -> None:
        found = self._one(
            f"SELECT name FROM registered_models WHERE name = :name{self._workspace()}",
            name=name,
        )
        if found is None:
            raise ModelNotFoundError(ref.text, f"registered model {name} not found")

    def _workspace(self) -> str:
        """MLflow >= 3.x keeps a workspace per row; psystock reads the default one."""
        if self._has_workspaces is None:
            from sqlalchemy import inspect

            columns = self._run(
                lambda connection: inspect(connection).get_columns("model_versions")
            )
            self._has_workspaces = any(column["name"] == "workspace" for column in columns)
        return f" AND workspace = '{DEFAULT_WORKSPACE}'" if self._has_workspaces else ""

    def _one(self, sql: str, **parameters: Any) -> Any:
        from sqlalchemy import text

        return self._run(lambda connection: connection.execute(text(sql), parameters).first())

    def _run(self, work: Any) -> Any:
        from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

        try:
            with self._connect().connect() as connection:
                return work(connection)
        except (SQLAlchemyError, NoSuchTableError) as exc:
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
            if isinstance(exc, NoSuchTableError):
                reason = f"no table {reason}"
            if isinstance(exc, NoSuchTableError) or "no such table" in reason:
                raise RegistryError(
                    f"registry {redact_uri(self.uri)} holds no MLflow model registry ({reason})"
                ) from exc
            raise RegistryError(
                f"registry {redact_uri(self.uri)} unreachable ({reason}): {START_HINT}"
            ) from exc

    def _connect(self) -> Engine:
        if self._engine is None:
            from sqlalchemy import create_engine

            self._engine = create_engine(read_only_url(self.uri))
            logger.debug("reading the registry from %s", redact_uri(self.uri))
        return self._engine
