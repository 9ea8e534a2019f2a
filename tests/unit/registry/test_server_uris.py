import pytest

from psystock.registry._uris import redact_uri, server_url


@pytest.mark.parametrize(
    ("uri", "shown"),
    [
        (
            "postgresql://user:secret@db.local:5432/mlflow",
            "postgresql://user:***@db.local:5432/mlflow",
        ),
        ("postgresql+psycopg2://u:p%40ss@h/db", "postgresql+psycopg2://u:***@h/db"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("mysql://root:@127.0.0.1/m", "mysql://root:***@127.0.0.1/m"),
        (
            "postgresql://h/db?user=u&password=secret&sslmode=require",
            "postgresql://h/db?user=u&password=***&sslmode=require",
        ),
    ],
)
def test_redact_uri_hides_the_password(uri: str, shown: str) -> None:
    assert redact_uri(uri) == shown


@pytest.mark.parametrize(
    "uri",
    [
        "postgresql://postgres@127.0.0.1:5432/test",
        "sqlite:////home/me/.psystock/mlflow.db",
        "http://127.0.0.1:5000",
        "/plain/path/artifacts",
    ],
)
def test_redact_uri_keeps_uris_without_password_unchanged(uri: str) -> None:
    assert redact_uri(uri) == uri


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:5000"),
        ("0.0.0.0", "http://127.0.0.1:5000"),
        ("::", "http://[::1]:5000"),
        ("::1", "http://[::1]:5000"),
        ("registry.internal", "http://registry.internal:5000"),
    ],
)
def test_server_url_makes_wildcard_hosts_reachable(host: str, url: str) -> None:
    assert server_url(host, 5000) == url
