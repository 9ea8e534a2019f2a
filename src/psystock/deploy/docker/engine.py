"""The ``docker`` client, run as a subprocess: every failure becomes a ``DockerError``.

This is the one place that runs docker. Messages say what failed and what to do; a build's
full output goes to a log file, and its last lines into the error.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psystock.errors import DockerError
from psystock.settings import DockerSettings

logger = logging.getLogger(__name__)

_STEP = re.compile(r"^(Step \d+/\d+ : |#\d+ \[)")
"""Lines worth logging from a build: a step starting (legacy builder, BuildKit plain)."""
_TAIL_LINES = 8
_QUERY_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class BuildCommand:
    """One ``docker build``.

    Attributes:
        context: the build context directory (it holds the Dockerfile).
        dockerfile: the Dockerfile's name in ``context``.
        tag: the image's name:tag.
        target: the Dockerfile stage to build.
        build_args: ``--build-arg`` values.
        labels: ``--label`` values.
        no_cache: build every layer again.
    """

    context: Path
    dockerfile: str
    tag: str
    target: str
    build_args: Mapping[str, str]
    labels: Mapping[str, str]
    no_cache: bool = False


class DockerEngine:
    """A Docker engine reached through the ``docker`` client of ``settings``."""

    def __init__(self, settings: DockerSettings) -> None:
        self.settings = settings
        self.command = settings.command

    def server_version(self) -> str:
        """The engine's version; checks that a client is installed and an engine answers.

        Raises:
            DockerError: no client, or no engine answers it.
        """
        result = self._run(["version", "--format", "{{.Server.Version}}"], check=False)
        if result.returncode != 0:
            raise DockerError(
                "no Docker engine answers the docker client: start one (e.g. `systemctl start "
                "docker`) or point DOCKER_HOST at it (docker said: "
                f"{_last_line(result.stderr) or 'nothing'})"
            )
        return result.stdout.strip()

    def has_image(self, reference: str) -> bool:
        """Whether the engine holds the image ``reference``."""
        return self._run(["image", "inspect", reference], check=False).returncode == 0

    def inspect_image(self, reference: str) -> dict[str, Any]:
        """``docker image inspect`` of one image.

        Raises:
            DockerError: there is no such image.
        """
        result = self._run(["image", "inspect", reference], check=False)
        if result.returncode != 0:
            raise DockerError(f"image {reference} does not exist in the Docker engine")
        found: list[dict[str, Any]] = json.loads(result.stdout)
        return found[0]

    def build(self, build: BuildCommand, log_path: Path) -> str:
        """Run ``docker build``; its output goes to ``log_path``, its steps to the log.

        Returns:
            The image id.

        Raises:
            DockerError: the build failed or timed out; the message ends with its last lines.
        """
        arguments = ["build", "--network", self.settings.build_network]
        arguments += ["-f", str(build.context / build.dockerfile), "--target", build.target]
        arguments += ["-t", build.tag] + (["--no-cache"] if build.no_cache else [])
        for key, value in build.build_args.items():
            arguments += ["--build-arg", f"{key}={value}"]
        for key, value in sorted(build.labels.items()):
            arguments += ["--label", f"{key}={value}"]
        arguments.append(str(build.context))
        log_path.parent.mkdir(parents=True, exist_ok=True)
        returncode, tail = self._stream(arguments, log_path, self.settings.build_timeout_s)
        if returncode != 0:
            raise DockerError(
                f"docker build of {build.tag} failed (exit {returncode}); full log: {log_path}; "
                f"last lines:\n{tail}"
            )
        return str(self.inspect_image(build.tag)["Id"])

    def login(self, registry: str, username: str, password: str, config_dir: Path) -> None:
        """``docker login`` to ``registry``; the credentials go to ``config_dir`` only.

        Raises:
            DockerError: the registry refused them or cannot be reached.
        """
        result = self._run(
            ["--config", str(config_dir), "login", "-u", username, "--password-stdin", registry],
            check=False,
            stdin=password,
        )
        if result.returncode != 0:
            raise DockerError(
                f"docker login to {registry} failed: {_last_line(result.stderr) or 'no reason'}"
            )

    def tag(self, source: str, target: str) -> None:
        """``docker tag SOURCE TARGET``."""
        result = self._run(["tag", source, target], check=False)
        if result.returncode != 0:
            raise DockerError(f"docker tag {source} {target} failed: {_last_line(result.stderr)}")

    def push(self, reference: str, config_dir: Path | None = None) -> str:
        """``docker push REFERENCE`` (with the login of ``config_dir``); the pushed digest.

        Raises:
            DockerError: the push failed; the message ends with docker's last line.
        """
        config = ["--config", str(config_dir)] if config_dir else []
        result = self._run([*config, "push", reference], check=False, timeout_s=1800)
        if result.returncode != 0:
            raise DockerError(
                f"docker push {reference} failed: {_last_line(result.stderr) or 'no reason'}"
            )
        digest = re.search(r"digest: (sha256:[0-9a-f]{64})", result.stdout)
        return digest.group(1) if digest else ""

    def run_foreground(self, name: str, arguments: Sequence[str]) -> int:
        """``docker run --rm --name NAME ARGUMENTS`` attached to this terminal until it exits.

        Ctrl-C or SIGTERM of psystock stops the container (``docker stop``) before returning.

        Returns:
            The container's exit code.
        """
        process = self._popen_attached(["run", "--rm", "--name", name, *arguments])
        try:
            return process.wait()
        except BaseException:
            self._run(["stop", "--time", "10", name], check=False)
            process.wait()
            raise

    def _popen_attached(self, arguments: Sequence[str]) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen([self.command, *arguments], stdin=subprocess.DEVNULL)
        except OSError as exc:
            raise self._no_client(exc) from exc

    def _stream(
        self, arguments: Sequence[str], log_path: Path, timeout_s: float
    ) -> tuple[int, str]:
        deadline = time.monotonic() + timeout_s
        lines: list[str] = []
        with log_path.open("w") as log, self._popen(arguments) as process:
            for line in process.stdout or ():
                log.write(line)
                lines = [*lines[-_TAIL_LINES + 1 :], line.rstrip()]
                if _STEP.match(line):
                    logger.info("%s", line.rstrip())
                if time.monotonic() > deadline:
                    process.kill()
                    raise DockerError(
                        f"docker build took longer than {timeout_s:g} s "
                        f"(PSYSTOCK_DOCKER__BUILD_TIMEOUT_S); full log: {log_path}"
                    )
            returncode = process.wait()
        return returncode, "\n".join(lines)

    def _popen(self, arguments: Sequence[str]) -> subprocess.Popen[str]:
        try:
            return subprocess.Popen(
                [self.command, *arguments],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        except OSError as exc:
            raise self._no_client(exc) from exc

    def _run(
        self,
        arguments: Sequence[str],
        *,
        check: bool,
        stdin: str | None = None,
        timeout_s: float = _QUERY_TIMEOUT_S,
    ) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                [self.command, *arguments],
                capture_output=True,
                text=True,
                input=stdin,
                stdin=None if stdin is not None else subprocess.DEVNULL,
                timeout=timeout_s,
                check=check,
            )
        except OSError as exc:
            raise self._no_client(exc) from exc
        except subprocess.TimeoutExpired as exc:
            raise DockerError(
                f"docker {' '.join(arguments[:2])} did not answer within {timeout_s:g} s"
            ) from exc

    def _no_client(self, exc: OSError) -> DockerError:
        return DockerError(
            f"cannot run the docker client {self.command!r} ({exc.strerror or exc}): install "
            "Docker (https://docs.docker.com/engine/install/) or set PSYSTOCK_DOCKER__COMMAND"
        )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
