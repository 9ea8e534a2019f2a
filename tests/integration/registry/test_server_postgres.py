"""The registry on the real PostgreSQL: start, register a model through the server, promote."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from psystock.registry.local_server import server_status, start_server, stop_server
from psystock.registry.models import list_versions, promote
from psystock.settings import load_settings
from tests.conftest import REPO_ROOT, free_port, postgres_available, require

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"
MODEL_NAME = "psystock-postgres-test"


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A fresh database for this test (dropped afterwards), as a ``postgresql://`` URI."""
    require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    import psycopg2

    name = f"psystock_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_ADMIN_DSN)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        admin.close()


def register_through(url: str) -> str:
    """Log and register the fixture's XGBoost model via ``url``, in a fresh interpreter.

    A subprocess keeps MLflow's process-wide fluent state (tracking URI, active experiment)
    of this test session pointed at the session server.
    """
    code = (
        "from tests.conftest import log_xgboost_booster; "
        f"print(log_xgboost_booster({MODEL_NAME!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "MLFLOW_TRACKING_URI": url},
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_registry_on_postgresql_registers_and_promotes_a_model(
    tmp_path: Path, postgres_database: str
) -> None:
    import psycopg2

    settings = load_settings(
        home=tmp_path,
        tracking_uri=None,
        registry={"port": free_port(), "backend_store_uri": postgres_database},
    )

    status = start_server(settings)
    try:
        assert status.backend_store_uri == postgres_database
        assert server_status(settings).is_healthy
        version = register_through(status.url)
        promoted = promote(settings, version, "production", MODEL_NAME)
        listed = list_versions(settings, MODEL_NAME)
    finally:
        stop_server(settings)

    assert (promoted.stage, promoted.aliases) == ("Production", ("production",))
    assert [(v.version, v.stage) for v in listed] == [(version, "Production")]
    # The artifacts went through the server's proxy into its artifacts destination ...
    assert list((tmp_path / "artifacts").rglob("MLmodel"))
    # ... and the registry rows into PostgreSQL.
    database = postgres_database.rsplit("/", 1)[1]
    connection = psycopg2.connect(f"host=127.0.0.1 dbname={database} user=postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, version, current_stage FROM model_versions")
            rows = cursor.fetchall()
    finally:
        connection.close()
    assert rows == [(MODEL_NAME, int(version), "Production")]


def test_registry_up_names_a_missing_postgresql_database(tmp_path: Path) -> None:
    require(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    from psystock.errors import RegistryServerError

    missing = f"psystock_missing_{uuid.uuid4().hex[:12]}"
    uri = f"postgresql://postgres@127.0.0.1:5432/{missing}"
    settings = load_settings(
        home=tmp_path, registry={"port": free_port(), "backend_store_uri": uri}
    )

    with pytest.raises(
        RegistryServerError,
        match=rf'^cannot reach the backend store {uri}: connection to server at "127\.0\.0\.1", '
        rf'port 5432 failed: FATAL: database "{missing}" does not exist$',
    ):
        start_server(settings)
