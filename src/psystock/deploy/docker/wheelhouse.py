"""A wheelhouse for an image's interpreter, built on the host: no build step needs the network.

``pip download`` fetches binary wheels for the image's Python and platform (not the host's);
psystock itself comes as a wheel built from its source tree when it is installed from one, or
from the package index otherwise. pip's own configuration applies, so an air-gapped machine
builds from a directory of wheels carried over (``PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR``) or from
a local mirror (``PIP_INDEX_URL``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from urllib.parse import unquote, urlsplit

from psystock import __version__
from psystock.errors import DockerError
from psystock.settings import DockerSettings

logger = logging.getLogger(__name__)

_OLDEST_GLIBC_MINOR = 5
_LEGACY_TAGS = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
_PIP_TIMEOUT_S = 900.0
_REPRODUCIBLE_EPOCH = "1700000000"


@dataclass(frozen=True)
class Wheelhouse:
    """The wheels of one image.

    Attributes:
        directory: where the wheels are.
        requirement: what the image installs, e.g. ``psystock[batch]==0.1.0``.
        wheels: the wheel files.
    """

    directory: Path
    requirement: str
    wheels: tuple[Path, ...]

    @property
    def size_bytes(self) -> int:
        """The wheels' total size."""
        return sum(wheel.stat().st_size for wheel in self.wheels)


def requirement(extras: Sequence[str]) -> str:
    """The pip requirement of this psystock version with ``extras``."""
    inside = f"[{','.join(sorted(set(extras)))}]" if extras else ""
    return f"psystock{inside}=={__version__}"


def platform_tags(platform: str) -> list[str]:
    """Every wheel platform an image of ``platform`` runs: its glibc and all older ones.

    ``manylinux_2_28_x86_64`` gives ``manylinux_2_28_x86_64`` down to ``manylinux_2_5_x86_64``
    and the legacy aliases (``manylinux2014_x86_64``...): pip matches ``--platform`` exactly.
    """
    match = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", platform)
    if match is None:
        raise DockerError(f"platform {platform!r}: expected manylinux_2_GLIBC_ARCH")
    newest, arch = int(match.group(1)), match.group(2)
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(newest, _OLDEST_GLIBC_MINOR - 1, -1)]
    tags += [f"{alias}_{arch}" for minor, alias in _LEGACY_TAGS.items() if minor <= newest]
    return tags


def source_tree() -> Path | None:
    """The directory psystock is installed from in development (``pip install -e``), if any."""
    try:
        text = distribution("psystock").read_text("direct_url.json")
    except PackageNotFoundError:
        return None
    if not text:
        return None
    url = json.loads(text).get("url", "")
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    path = Path(unquote(parts.path))
    return path if (path / "pyproject.toml").is_file() else None


def build_wheelhouse(
    directory: Path, extras: Sequence[str], settings: DockerSettings, cache: Path | None = None
) -> Wheelhouse:
    """Fill ``directory`` with the wheels of psystock and ``extras`` for the image's interpreter.

    Args:
        directory: an empty directory (the build context's ``wheels/``).
        extras: psystock extras the image installs.
        settings: the image's Python version and platform.
        cache: a directory of wheels to take from first and to keep new ones in.

    Raises:
        DockerError: pip failed (no network, no wheel for the platform...): says what to do.
    """
    directory.mkdir(parents=True, exist_ok=True)
    wanted = requirement(extras)
    sources = [directory] + ([cache] if cache is not None else [])
    tree = source_tree()
    if tree is not None:
        _pip(
            ["wheel", "--no-deps", "--wheel-dir", str(directory), str(tree)],
            "psystock's wheel",
            # A fixed timestamp makes the same source give the same wheel: the image's layers
            # stay cached when nothing changed.
            {"SOURCE_DATE_EPOCH": _REPRODUCIBLE_EPOCH},
        )
    arguments = ["download", "--only-binary=:all:", "--dest", str(directory)]
    arguments += ["--python-version", settings.python_version, "--implementation", "cp"]
    arguments += ["--abi", f"cp{settings.python_version.replace('.', '')}"]
    for tag in platform_tags(settings.platform):
        arguments += ["--platform", tag]
    for source in sources:
        arguments += ["--find-links", str(source)]
    _pip([*arguments, wanted], f"the wheels of {wanted} for Python {settings.python_version}")
    wheels = tuple(sorted(directory.glob("*.whl")))
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for wheel in wheels:
            if not (cache / wheel.name).exists():
                shutil.copy2(wheel, cache / wheel.name)
    house = Wheelhouse(directory, wanted, wheels)
    logger.info("wheelhouse: %d wheels, %.0f MB", len(wheels), house.size_bytes / 1e6)
    return house


def _pip(arguments: list[str], what: str, environment: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *arguments]
    child_environment = {**os.environ, **environment} if environment else None
    logger.info("fetching %s (pip %s)", what, arguments[0])
    try:
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=_PIP_TIMEOUT_S,
            check=False,
            env=child_environment,
        )
    except subprocess.TimeoutExpired as exc:
        raise DockerError(f"pip took longer than {_PIP_TIMEOUT_S:g} s fetching {what}") from exc
    if result.returncode != 0:
        raise DockerError(
            f"pip could not fetch {what}: {_pip_problem(result.stderr)}. The wheelhouse comes "
            "from the package index; offline, point pip at a directory of wheels "
            "(PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR) or a mirror (PIP_INDEX_URL)"
        )


def _pip_problem(stderr: str) -> str:
    lines = [
        line.strip()
        for line in stderr.splitlines()
        if line.strip().startswith("ERROR:") or "No matching distribution" in line
    ]
    if lines:
        return " ".join(line.removeprefix("ERROR: ") for line in lines[:2])
    rest = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return rest[-1] if rest else "no output"
