"""The SQL reader answers like MLflow: every reference form resolved both ways, against one
real SQLite registry written by MLflow itself (artifacts under MLflow's default root)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from psystock.errors import ModelNotFoundError, RegistryError
from psystock.registry.references import parse_reference
from psystock.registry.resolve import resolve_reference
from psystock.registry.sql_reader import SqlRegistryReader, is_sql_uri, read_only_url
from psystock.settings import load_settings
from tests.conftest import log_xgboost_booster

NAME = "sql-reader-model"


@dataclass(frozen=True)
class SqliteRegistry:
    uri: str
    root: Path


@pytest.fixture(scope="module")
def sqlite_registry(tmp_path_factory: pytest.TempPathFactory) -> SqliteRegistry:
    """Three versions: 1 Archived, 2 in Production with alias champion, 3 deleted, 4 None."""
    import mlflow
    from mlflow import MlflowClient

    root = tmp_path_factory.mktemp("sqlite-registry")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    saved = mlflow.get_tracking_uri()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # MLflow's default artifact root, ./mlruns
        mlflow.set_tracking_uri(uri)
        try:
            for seed in (1, 2, 3, 4):
                log_xgboost_booster(NAME, seed=seed)
            client = MlflowClient(uri)
            client.transition_model_version_stage(NAME, "1", "Archived")
            client.transition_model_version_stage(NAME, "2", "Production")
            client.set_registered_model_alias(NAME, "champion", "2")
            client.delete_model_version(NAME, "3")
        finally:
            mlflow.set_tracking_uri(saved)
    return SqliteRegistry(uri, root)


@pytest.mark.parametrize(
    "reference",
    [
        f"models:/{NAME}@champion",
        f"models:/{NAME}/Production",
        f"models:/{NAME}/production",
        f"models:/{NAME}/Archived",
        f"models:/{NAME}/2",
        f"models:/{NAME}/latest",
    ],
)
def test_the_sql_reader_resolves_as_mlflow_does(
    sqlite_registry: SqliteRegistry, tmp_path: Path, reference: str
) -> None:
    settings = load_settings(home=tmp_path, tracking_uri=sqlite_registry.uri)
    through_mlflow = resolve_reference(reference, settings)
    reader = SqlRegistryReader(sqlite_registry.uri)
    try:
        assert reader.resolve(parse_reference(reference)) == through_mlflow
    finally:
        reader.close()
    assert Path(through_mlflow.artifact_uri.removeprefix("file://")).is_dir()


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (f"models:/{NAME}/3", f"model models:/{NAME}/3: {NAME} has no version 3"),
        (f"models:/{NAME}@nope", f"model models:/{NAME}@nope: {NAME} has no alias nope"),
        (
            f"models:/{NAME}/Staging",
            f"model models:/{NAME}/Staging: no version of {NAME} is in stage Staging",
        ),
        (
            "models:/other@champion",
            "model models:/other@champion: registered model other not found",
        ),
    ],
)
def test_the_sql_reader_names_what_is_missing(
    sqlite_registry: SqliteRegistry, reference: str, message: str
) -> None:
    reader = SqlRegistryReader(sqlite_registry.uri)
    with pytest.raises(ModelNotFoundError, match=f"^{message}$"):
        reader.resolve(parse_reference(reference))
    reader.close()


def test_the_sql_reader_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    reader = SqlRegistryReader(f"sqlite:///{missing}")
    with pytest.raises(RegistryError, match=f"^registry sqlite:///{missing} unreachable"):
        reader.resolve(parse_reference("models:/m@a"))
    assert not missing.exists()


def test_the_sql_reader_says_when_a_database_holds_no_registry(tmp_path: Path) -> None:
    import sqlite3

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    reader = SqlRegistryReader(f"sqlite:///{empty}")
    message = f"registry sqlite:///{empty} holds no MLflow model registry (no table model_versions)"
    with pytest.raises(RegistryError, match=f"^{re.escape(message)}$"):
        reader.resolve(parse_reference("models:/m/1"))


def test_sql_uris_are_recognised_and_sqlite_opens_read_only() -> None:
    assert is_sql_uri("sqlite:///x.db")
    assert is_sql_uri("postgresql+psycopg2://u@h/db")
    assert not is_sql_uri("http://127.0.0.1:5000")
    assert not is_sql_uri("databricks")
    assert read_only_url("sqlite:////a/b.db") == "sqlite:///file:/a/b.db?mode=ro&uri=true"
    assert read_only_url("postgresql://u@h/db") == "postgresql+psycopg2://u@h/db"
