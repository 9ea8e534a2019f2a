"""Podman 4.3 playing the rendered manifests, and the adaptations its limits force.

``podman kube play`` runs Pods and Deployments (not Jobs: their pod template is played as a
Pod) on the host network, without ``ports:`` entries, without Services or Secrets; it runs HTTP
probes with curl inside the container, which the images do not have. The adaptations are made
here, on a copy of what ``psystock k8s render`` prints, never in the product; everything else
(security contexts, read-only root, emptyDir volumes, ConfigMap settings, args) is played as
rendered. ``../shared/ci/podman-env.sh`` sets podman up (``.ci/run`` calls it, and so do these
tests, for its variables).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT, require

PODMAN_ENV_SCRIPT = REPO_ROOT.parent / "shared" / "ci" / "podman-env.sh"


def podman_environment() -> dict[str, str]:
    """The environment podman runs in, from ``podman-env.sh`` (idempotent; ``.ci/run`` runs it
    first, which installs podman when missing)."""
    require(PODMAN_ENV_SCRIPT.is_file(), f"{PODMAN_ENV_SCRIPT} (podman's set-up)")
    done = subprocess.run(
        ["bash", str(PODMAN_ENV_SCRIPT)], capture_output=True, text=True, check=False
    )
    require(done.returncode == 0, f"podman ({PODMAN_ENV_SCRIPT}: {done.stderr.strip()})")
    environment = dict(os.environ)
    for assignment in done.stdout.split()[1:]:  # export A=1 B=2 ...
        key, _, value = assignment.partition("=")
        environment[key] = value
    require(shutil.which("podman") is not None, "podman")
    return environment


class Podman:
    """``podman`` with the CI's configuration."""

    def __init__(self, environment: dict[str, str]) -> None:
        self.environment = environment

    def __call__(self, *arguments: str, timeout_s: float = 300, check: bool = True) -> str:
        done = subprocess.run(
            ["podman", *arguments],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=self.environment,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"podman {' '.join(arguments)} failed: {done.stderr.strip()}")
        return done.stdout

    def load(self, docker_tag: str) -> str:
        """``docker save TAG | podman load``; the name podman knows the image by."""
        with subprocess.Popen(["docker", "save", docker_tag], stdout=subprocess.PIPE) as save:
            load = subprocess.run(
                ["podman", "load"],
                stdin=save.stdout,
                capture_output=True,
                text=True,
                env=self.environment,
                timeout=600,
                check=False,
            )
        assert (save.returncode, load.returncode) == (0, 0), load.stderr
        return f"localhost/{docker_tag}"

    @contextmanager
    def played(self, manifest: Path) -> Iterator[str]:
        """``podman kube play MANIFEST``, then ``--down`` whatever happens; yields its output."""
        try:
            yield self("kube", "play", str(manifest))
        finally:
            self("kube", "play", "--down", str(manifest), check=False)

    def container_of(self, prefix: str) -> str:
        """The one workload container whose name starts with ``prefix`` (not the infra one)."""
        names = self("ps", "-a", "--format", "{{.Names}}").split()
        found = [n for n in names if n.startswith(prefix) and not n.endswith("-infra")]
        assert len(found) == 1, f"containers named {prefix}*: {names}"
        return found[0]

    def logs(self, container: str) -> str:
        done = subprocess.run(
            ["podman", "logs", container],
            capture_output=True,
            text=True,
            env=self.environment,
            timeout=60,
            check=False,
        )
        return done.stdout + done.stderr


def exec_probe(probe: dict[str, Any], port: int) -> dict[str, Any]:
    """An httpGet probe as an exec probe asking the same path with the image's Python.

    Podman 4.3 turns a liveness probe into a healthcheck by joining the command's words with
    spaces under ``sh -c``, so the command is one word holding a whole shell line.
    """
    adapted = {key: value for key, value in probe.items() if key != "httpGet"}
    url = f"http://127.0.0.1:{port}{probe['httpGet']['path']}"
    script = f"import urllib.request as r; r.urlopen('{url}', timeout=2)"
    adapted["exec"] = {"command": [f'python -c "{script}"']}
    return adapted


def host_directories(spec: dict[str, Any], directories: dict[str, Path]) -> None:
    """Secret and PersistentVolumeClaim volumes as host directories (podman plays neither)."""
    for volume in spec["volumes"]:
        if volume["name"] in directories:
            for source in ("secret", "persistentVolumeClaim"):
                volume.pop(source, None)
            path = str(directories[volume["name"]])
            volume["hostPath"] = {"path": path, "type": "Directory"}


def for_podman(
    pod_spec: dict[str, Any], port: int | None, directories: dict[str, Path]
) -> dict[str, Any]:
    """A copy of a rendered pod spec that podman 4.3 can play on the host network."""
    spec = copy.deepcopy(pod_spec)
    spec["hostNetwork"] = True
    host_directories(spec, directories)
    for container in spec["containers"]:
        container.pop("ports", None)
        # status.podIP: no pod IP on the host network; the API's default public URL serves.
        container.pop("env", None)
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if probe in container:
                assert port is not None
                container[probe] = exec_probe(container[probe], port)
    return spec
