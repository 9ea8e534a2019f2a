"""Fixtures of the registry integration tests: the real CLI in a subprocess, a clean MLflow env."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# MLflow's HTTP knobs, which psystock's registry client sets for the whole process.
MLFLOW_HTTP_KNOBS = (
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
    "MLFLOW_HTTP_REQUEST_TIMEOUT",
)

RunPsystock = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(autouse=True)
def _restore_mlflow_http_knobs() -> Iterator[None]:
    """Undo the MLflow variables ``create_client`` sets, so they do not leak into other tests."""
    saved = {key: os.environ.get(key) for key in MLFLOW_HTTP_KNOBS}
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def run_psystock() -> RunPsystock:
    """Run the real ``psystock`` command (this interpreter's) and return what it did."""

    def run(*args: str | Path | int, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "psystock", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=REPO_ROOT,
            check=False,  # the exit code is what the tests check
        )

    return run


def last_line(text: str) -> str:
    """The last non-empty line of ``text`` (the ``Error:`` line follows any log lines)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
