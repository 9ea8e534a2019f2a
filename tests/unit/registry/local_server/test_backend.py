from pathlib import Path

import pytest

from psystock.errors import RegistryServerError
from psystock.registry.local_server.backend import check_backend_store, with_default_driver


@pytest.mark.parametrize(
    ("uri", "qualified"),
    [
        (
            "postgresql://postgres@127.0.0.1:5432/test",
            "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
        ),
        ("postgres://u:p@h/db", "postgresql+psycopg2://u:p@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/mlflow.db", "sqlite:////tmp/mlflow.db"),
        ("mysql+pymysql://u@h/db", "mysql+pymysql://u@h/db"),
        ("/a/plain/path", "/a/plain/path"),
    ],
)
def test_with_default_driver_names_psycopg2_for_bare_postgresql(uri: str, qualified: str) -> None:
    assert with_default_driver(uri) == qualified


def test_check_backend_store_accepts_a_new_sqlite_file(tmp_path: Path) -> None:
    check_backend_store(f"sqlite:///{tmp_path / 'mlflow.db'}", timeout_s=5)

    assert (tmp_path / "mlflow.db").exists()


def test_check_backend_store_skips_file_stores(tmp_path: Path) -> None:
    check_backend_store(f"file://{tmp_path / 'mlruns'}", timeout_s=5)
    check_backend_store(str(tmp_path / "mlruns"), timeout_s=5)

    assert list(tmp_path.iterdir()) == []


def test_check_backend_store_rejects_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    garbage = tmp_path / "mlflow.db"
    garbage.write_text("this is not a database " * 10)
    uri = f"sqlite:///{garbage}"

    with pytest.raises(
        RegistryServerError,
        match=rf"^cannot reach the backend store {uri}: file is not a database$",
    ):
        check_backend_store(uri, timeout_s=5)


def test_check_backend_store_names_a_missing_directory(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'missing' / 'mlflow.db'}"

    with pytest.raises(
        RegistryServerError,
        match=rf"^cannot reach the backend store {uri}: unable to open database file$",
    ):
        check_backend_store(uri, timeout_s=5)


def test_check_backend_store_names_a_missing_driver() -> None:
    with pytest.raises(
        RegistryServerError,
        match=r"^cannot reach the backend store mysql://u:\*\*\*@127\.0\.0\.1/m: "
        r"database driver missing \(No module named 'MySQLdb'\)$",
    ):
        check_backend_store("mysql://u:secret@127.0.0.1/m", timeout_s=5)


def test_check_backend_store_names_an_unknown_scheme() -> None:
    with pytest.raises(
        RegistryServerError,
        match=r"^cannot reach the backend store nosuchdb://h/x: "
        r"Can't load plugin: sqlalchemy\.dialects:nosuchdb$",
    ):
        check_backend_store("nosuchdb://h/x", timeout_s=5)
