"""Old XGBoost installations that write real legacy binary models for the tests.

One virtual environment holds numpy and scipy (what old XGBoost needs); each old XGBoost is
installed beside it with ``pip install --no-deps --target``, and ``make_models.py`` runs with
that folder on ``PYTHONPATH``. Everything lives in the pytest cache
(``.pytest_cache/d/legacy-xgboost``): the models, keyed by the XGBoost version and a hash of
``make_models.py`` and of this file, and the environment (about 200 MB; each XGBoost, up to
450 MB, is deleted once it has written its models). A developer builds it once; a clean clone
(CI) builds it in the session that needs it: about 50 s for the four versions once pip has
the wheels (about 500 MB to download the first time).

Run by hand: ``python -m tests.legacy_xgboost.environments OUTPUT_ROOT [VERSION...]``.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
MAKE_MODELS = HERE / "make_models.py"
FIXTURES = HERE / "fixtures"
"""Committed output of ``make_models.py`` (see ``fixtures/README.md``)."""

XGBOOST_REQUIREMENTS = {
    "0.90": "xgboost==0.90",
    "1.3.3": "xgboost==1.3.3",  # the book's XGBoost
    "1.7.6": "xgboost==1.7.6",  # the last 1.x
    "2.1.4": "xgboost-cpu==2.1.4",  # the last line that writes the format (".deprecated")
}
"""The XGBoost versions whose legacy binary files the tests verify, and how to install each."""
BASE_REQUIREMENTS = ("numpy==1.26.4", "scipy==1.15.3")
"""What every old XGBoost imports; numpy pinned, so the seeded data are the same bytes."""


class EnvironmentUnavailableError(RuntimeError):
    """pip could not install an old XGBoost (no network to PyPI, most likely)."""


def legacy_models(cache: Path, version: str) -> Path:
    """The output of ``make_models.py`` under XGBoost ``version``, built once into ``cache``.

    Raises:
        EnvironmentUnavailableError: pip failed to install numpy, scipy or that XGBoost.
    """
    output = cache / f"models-{version}-{_fingerprint()}"
    if (output / "manifest.json").is_file():
        return output
    with _locked(cache):
        if (output / "manifest.json").is_file():
            return output
        python = _base_environment(cache)
        packages = _xgboost_folder(cache, python, version)
        staging = cache / f".{output.name}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        started = time.monotonic()
        env = {**os.environ, "PYTHONPATH": str(packages), "OMP_NUM_THREADS": "1"}
        subprocess.run(
            [str(python), str(MAKE_MODELS), str(staging)],
            check=True,
            env=env,
            capture_output=True,
        )
        staging.rename(output)
        logger.info("XGBoost %s wrote its models in %.1f s", version, time.monotonic() - started)
        shutil.rmtree(packages)  # up to 450 MB each; reinstalled only if make_models.py changes
    return output


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (MAKE_MODELS, Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(cache: Path) -> Iterator[None]:
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _base_environment(cache: Path) -> Path:
    venv = cache / "venv"
    python = venv / "bin" / "python"
    stamp = venv / ".requirements"
    wanted = " ".join(BASE_REQUIREMENTS)
    if python.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    _pip(python, *BASE_REQUIREMENTS)
    stamp.write_text(wanted)
    logger.info("built the old-XGBoost environment in %.1f s", time.monotonic() - started)
    return python


def _xgboost_folder(cache: Path, python: Path, version: str) -> Path:
    folder = cache / f"xgboost-{version}"
    if (folder / "xgboost" / "__init__.py").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    started = time.monotonic()
    _pip(python, "--no-deps", "--target", str(folder), XGBOOST_REQUIREMENTS[version])
    logger.info("installed XGBoost %s in %.1f s", version, time.monotonic() - started)
    return folder


def _pip(python: Path, *arguments: str) -> None:
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    result = subprocess.run([*command, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if "ignored" not in line]
        raise EnvironmentUnavailableError(
            f"pip install {' '.join(arguments)} failed: {' | '.join(lines[-3:])}"
        )


def main(arguments: list[str]) -> None:
    """Write ``make_models.py``'s output for each version (all by default) under a root."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    root = Path(arguments[0])
    for version in arguments[1:] or list(XGBOOST_REQUIREMENTS):
        built = legacy_models(root / "cache", version)
        target = root / f"xgboost-{version}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(built, target)
        logger.info("%s", target)


if __name__ == "__main__":
    main(sys.argv[1:])
