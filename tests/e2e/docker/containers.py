"""Run containers of the images under test with the real engine: host network, read-only root."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def docker(*arguments: str, timeout_s: float = 120, check: bool = True) -> str:
    """``docker ARGUMENTS``; its stdout."""
    done = subprocess.run(
        ["docker", *arguments], capture_output=True, text=True, timeout=timeout_s, check=False
    )
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(arguments)} failed: {done.stderr.strip()}")
    return done.stdout


def run_arguments(
    image: str,
    arguments: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
    volumes: Sequence[str] = (),
    read_only: bool = True,
) -> list[str]:
    """The ``docker run`` options every test container gets, then image and arguments."""
    options = ["--network", "host"]
    if read_only:
        options.append("--read-only")
    for key, value in (environment or {}).items():
        options += ["-e", f"{key}={value}"]
    for volume in volumes:
        options += ["-v", volume]
    return [*options, image, *arguments]


@dataclass
class Container:
    """A container started detached."""

    id: str

    def logs(self) -> str:
        done = subprocess.run(
            ["docker", "logs", self.id], capture_output=True, text=True, timeout=60, check=False
        )
        return done.stdout + done.stderr

    def inspect(self, template: str) -> str:
        return docker("inspect", "--format", template, self.id).strip()

    def exec(self, *command: str) -> str:
        return docker("exec", self.id, *command)


@contextmanager
def running(
    image: str,
    arguments: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
    volumes: Sequence[str] = (),
) -> Iterator[Container]:
    """A detached container, removed (with its anonymous volumes) afterwards."""
    name = f"psystock-e2e-{uuid.uuid4().hex[:10]}"
    options = run_arguments(image, arguments, environment, volumes)
    container = Container(docker("run", "-d", "--name", name, *options).strip())
    try:
        yield container
    finally:
        docker("rm", "-f", "-v", container.id, check=False)


def run_once(
    image: str,
    arguments: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
    volumes: Sequence[str] = (),
    timeout_s: float = 300,
) -> subprocess.CompletedProcess[str]:
    """``docker run --rm`` to completion."""
    options = run_arguments(image, arguments, environment, volumes)
    return subprocess.run(
        ["docker", "run", "--rm", *options],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def wait_for_ok(url: str, container: Container, timeout_s: float = 120) -> float:
    """Poll ``url`` until it answers 200; the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        if container.inspect("{{.State.Running}}") != "true":
            raise AssertionError(f"container exited:\n{container.logs()[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer 200 in {timeout_s} s:\n{container.logs()[-3000:]}")
