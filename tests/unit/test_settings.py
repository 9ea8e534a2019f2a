"""Tests of settings.py: the home made absolute once, tracking URIs psystock cannot use refused."""

import re
from pathlib import Path

import pytest

from psystock.errors import ConfigError
from psystock.settings import load_settings

FORMS = (
    "expected http(s)://HOST:PORT (an MLflow server), sqlite:///PATH/mlflow.db, "
    "postgresql://USER@HOST/DB or databricks; or unset it to use the local registry "
    "(`psystock registry up`)"
)
FILE_STORE = (
    "MLflow's file store (a directory such as ./mlruns) is in maintenance mode since MLflow 3 "
    "and psystock does not use it: use sqlite:///PATH/mlflow.db, http://HOST:PORT, or the local "
    "registry (`psystock registry up`, then unset MLFLOW_TRACKING_URI)"
)


def test_home_is_made_absolute_against_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PSYSTOCK_HOME", "relative/home")

    settings = load_settings()

    assert settings.home == tmp_path.resolve() / "relative" / "home"
    assert settings.backend_store_uri == f"sqlite:///{tmp_path.resolve()}/relative/home/mlflow.db"


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("file:./mlruns", FILE_STORE),
        ("./mlruns", FILE_STORE),
        ("notaurl", FILE_STORE),
        ("http://[bad", f"not a valid URI (Invalid IPv6 URL): {FORMS}"),
        ("http://host:99999", f"not a valid URI (Port out of range 0-65535): {FORMS}"),
        ("http://", f"the URL has no host: {FORMS}"),
        ("ftp://files.example.com/mlflow", f"unsupported scheme 'ftp': {FORMS}"),
    ],
)
def test_a_tracking_uri_no_store_can_use_is_refused_naming_the_variable(
    uri: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)

    expected = f"invalid setting MLFLOW_TRACKING_URI={uri!r}: {problem}"
    with pytest.raises(ConfigError, match=f"^{re.escape(expected)}$"):
        load_settings()


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:5000",
        "https://mlflow.example.com/",
        "sqlite:////tmp/mlflow.db",
        "postgresql+psycopg2://me@db/mlflow",
        "databricks",
        "databricks-uc",
    ],
)
def test_tracking_uris_of_real_stores_are_accepted(uri: str) -> None:
    assert load_settings(tracking_uri=uri).resolved_tracking_uri == uri


def test_a_blank_tracking_uri_means_the_local_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", " ")

    settings = load_settings()

    assert settings.is_default_registry
    assert settings.resolved_tracking_uri == "http://127.0.0.1:5000"


def test_registry_credentials_come_from_mlflow_s_variables_or_psystock_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "t0k3n")
    monkeypatch.setenv("PSYSTOCK_TRACKING_USERNAME", "me")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "pw")

    settings = load_settings()

    assert settings.tracking_token is not None
    assert settings.tracking_token.get_secret_value() == "t0k3n"
    assert settings.tracking_username == "me"
    assert settings.tracking_password is not None
    assert "pw" not in repr(settings)


def test_registry_credentials_come_from_a_mounted_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "username").write_text("ml-user\n")
    (tmp_path / "password").write_text("s3cret\n")
    monkeypatch.setenv("PSYSTOCK_TRACKING_CREDENTIALS_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.tracking_username == "ml-user"
    assert settings.tracking_password is not None
    assert settings.tracking_password.get_secret_value() == "s3cret"
    assert settings.tracking_token is None


def test_an_empty_credentials_directory_sets_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSYSTOCK_TRACKING_CREDENTIALS_DIR", str(tmp_path))
    settings = load_settings()
    assert (settings.tracking_token, settings.tracking_username) == (None, None)


def test_a_credential_given_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "token").write_text("a")
    monkeypatch.setenv("PSYSTOCK_TRACKING_CREDENTIALS_DIR", str(tmp_path))
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "b")
    with pytest.raises(
        ConfigError,
        match=rf"^invalid setting PSYSTOCK_TRACKING_CREDENTIALS_DIR='{re.escape(str(tmp_path))}': "
        rf"the registry token is given both in {re.escape(str(tmp_path / 'token'))} and in the "
        "environment: give it once$",
    ):
        load_settings()


def test_a_missing_credentials_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSYSTOCK_TRACKING_CREDENTIALS_DIR", str(tmp_path / "none"))
    with pytest.raises(ConfigError, match=r"is not a directory \(mount the credentials Secret"):
        load_settings()
