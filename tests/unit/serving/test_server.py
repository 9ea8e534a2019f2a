from __future__ import annotations

from pathlib import Path

import pytest

from psystock.serving.server import worker_environment
from psystock.settings import load_settings


def test_worker_environment_rebuilds_the_same_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PSYSTOCK_SERVING__PORT", "7001")  # overridden by the flag below
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        home=tmp_path / "home",
        tracking_uri="http://registry:5000",
        scoring={"model_uri": "models:/m@champion", "threshold": 0.6},
        serving={"port": 6100, "workers": 3, "auth_token": "s3cret", "poll_interval_s": 2.5},
    )
    environment = worker_environment(settings, tmp_path / "metrics")
    assert environment["MLFLOW_TRACKING_URI"] == "http://registry:5000"
    assert environment["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "metrics")
    monkeypatch.delenv("PSYSTOCK_SERVING__PORT")
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    rebuilt = load_settings()
    assert rebuilt == settings
    assert rebuilt.serving.auth_token is not None
    assert rebuilt.serving.auth_token.get_secret_value() == "s3cret"
