"""The rendered api Deployment and batch Job pod, played for real by podman."""

from __future__ import annotations

import csv
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from psystock.deploy.kubernetes import ManifestOptions, render, to_yaml
from tests.conftest import RegisteredModel, free_port
from tests.e2e.docker.conftest import ROWS, in_process_probabilities
from tests.e2e.kubernetes.podman import Podman, for_podman

READY_TIMEOUT_S = 180
TOKEN = "k8s-e2e-token"


def by_kind(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {obj["kind"]: obj for obj in objects}


def secret_dirs(tmp_path: Path) -> dict[str, Path]:
    """The Secrets as the kubelet mounts them: a file per key, readable by the pod's user."""
    token = tmp_path / "api-token"
    credentials = tmp_path / "registry-credentials"  # the optional Secret, absent: empty
    for directory in (token, credentials):
        directory.mkdir()
        directory.chmod(0o755)
    (token / "token").write_text(TOKEN)
    (token / "token").chmod(0o644)
    return {"api-token": token, "registry-credentials": credentials}


def wait_ready(url: str, podman: Podman, container: str) -> float:
    """Seconds until ``/health`` answers 200 (the readiness probe's path); fails on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < READY_TIMEOUT_S:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        state = podman("inspect", "--format", "{{.State.Status}}", container, check=False).strip()
        assert state in ("created", "configured", "running", ""), podman.logs(container)
        time.sleep(1)
    raise AssertionError(f"not ready in {READY_TIMEOUT_S} s: {podman.logs(container)}")


def test_api_deployment_passes_its_probes_and_predicts_as_the_runtime(
    podman: Podman, podman_api_image: str, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    port = free_port()
    name = f"k8s-e2e-{uuid.uuid4().hex[:6]}"
    options = ManifestOptions(
        name=name, image=podman_api_image, tracking_uri=registered_model.tracking_uri, replicas=1
    )
    objects = by_kind(render("api", options))
    config_map, deployment = objects["ConfigMap"], objects["Deployment"]
    config_map["data"]["PSYSTOCK_SERVING__PORT"] = str(port)  # the host network: a free port
    template = deployment["spec"]["template"]
    template["spec"] = for_podman(template["spec"], port, secret_dirs(tmp_path))
    manifest = tmp_path / "api.yaml"
    manifest.write_text(to_yaml([config_map, deployment]))
    url = f"http://127.0.0.1:{port}"
    with podman.played(manifest):
        container = podman.container_of(name)
        seconds = wait_ready(url, podman, container)
        print(f"api pod ready in {seconds:.1f} s")  # noqa: T201 - a figure for the report
        assert podman("inspect", "--format", "{{.Config.User}}", container).strip() in (
            "10001",
            "10001:10001",
        )
        body = {"dataframe_split": {"data": ROWS}}
        refused = httpx.post(f"{url}/invocations", json=body, timeout=10)
        assert refused.status_code == 401, refused.text
        answer = httpx.post(
            f"{url}/invocations",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        expected = in_process_probabilities(
            registered_model.tracking_uri, registered_model.uri, tmp_path / "reference"
        )
        predictions = np.asarray(answer.json()["predictions"], dtype=np.float32)
        assert np.allclose(predictions, expected, atol=1e-6)
        health = httpx.get(f"{url}/health", timeout=5).json()
        assert (health["model"], health["version"]) == (
            registered_model.name,
            registered_model.version,
        )
        # The liveness probe, as podman's healthcheck, passes (podman runs no readiness probe).
        assert podman("healthcheck", "run", container).strip() in ("", "healthy")
        health_state = podman("inspect", "--format", "{{.State.Health.Status}}", container)
        assert health_state.strip() == "healthy"
        # The root filesystem is read-only, as rendered.
        said = podman("exec", container, "sh", "-c", "touch /opt/x 2>&1 || echo refused")
        assert said.endswith("Read-only file system\nrefused\n"), said
    assert name not in podman("pod", "ps", "--format", "{{.Name}}")


def test_batch_job_pod_scores_a_mounted_file_and_exits_0(
    podman: Podman, podman_batch_image: str, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    name = f"k8s-e2e-{uuid.uuid4().hex[:6]}"
    options = ManifestOptions(
        name=name, image=podman_batch_image, tracking_uri=registered_model.tracking_uri
    )
    objects = by_kind(render("batch-job", options))
    config_map, job = objects["ConfigMap"], objects["Job"]
    data_in, data_out = tmp_path / "input", tmp_path / "output"
    data_in.mkdir()
    data_out.mkdir()
    data_out.chmod(0o777)
    (data_in / "input.csv").write_text("".join(",".join(map(str, row)) + "\n" for row in ROWS))
    directories = {"input": data_in, "output": data_out, **secret_dirs(tmp_path)}
    directories.pop("api-token")
    # kind: Job is refused by podman 4.3: its pod template is played as a Pod.
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{name}-batch",
            "labels": job["spec"]["template"]["metadata"]["labels"],
        },
        "spec": for_podman(job["spec"]["template"]["spec"], None, directories),
    }
    manifest = tmp_path / "batch.yaml"
    manifest.write_text(to_yaml([config_map, pod]))
    with podman.played(manifest):
        container = podman.container_of(name)
        exit_code = podman("wait", container, timeout_s=300).strip()
        logs = podman.logs(container)
        assert exit_code == "0", logs
    with (data_out / "output.csv").open() as output:
        rows = list(csv.reader(output))
    assert rows[0] == [*(str(i) for i in range(14)), "prediction", "probability"]
    expected = in_process_probabilities(
        registered_model.tracking_uri, registered_model.uri, tmp_path / "reference"
    )
    probabilities = np.array([float(row[-1]) for row in rows[1:]], dtype=np.float32)
    assert np.allclose(probabilities, expected, atol=1e-6)
    assert "MLflow run: " in logs, logs
