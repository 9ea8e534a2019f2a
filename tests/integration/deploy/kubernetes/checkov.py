"""checkov in its own virtual environment, cached under ``.pytest_cache/d/checkov``.

checkov pins dozens of libraries (boto3, networkx, ...) to exact versions that would fight
psystock's own: it is installed beside the project, not in it, once per pinned version (about
60 s cold on this machine kind, once pip has the wheels), as ``tests/legacy_xgboost`` does for
old XGBoost releases.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

CHECKOV_REQUIREMENT = "checkov==3.3.30"

SKIPPED_CHECKS = {
    "CKV_K8S_43": "Image should use digest: the images are built on the user's machine "
    "(`psystock docker build`, tag psystock-KIND:VERSION) and get a digest only when pushed to "
    "the user's registry; give `--image REPO@sha256:...` or kustomize's `images: digest:` then "
    "(a test checks that a digest passes this check)",
    "CKV_K8S_15": "Image Pull Policy should be Always: the base keeps IfNotPresent so an image "
    "loaded into a local cluster without a registry (kind load, podman load, these tests) runs; "
    "the prod overlay sets Always and is scanned with this check on",
}
"""checkov's Kubernetes checks left out of the scan of the base, each with its reason."""


class CheckovUnavailableError(RuntimeError):
    """pip could not install checkov (no access to PyPI, most likely)."""


def checkov_command(cache: Path) -> Path:
    """The ``checkov`` executable of the cached environment, built when missing.

    Raises:
        CheckovUnavailableError: pip failed to install it.
    """
    cache.mkdir(parents=True, exist_ok=True)
    venv = cache / "venv"
    executable = venv / "bin" / "checkov"
    stamp = venv / ".requirement"
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if executable.is_file() and stamp.is_file() and stamp.read_text() == CHECKOV_REQUIREMENT:
            return executable
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        done = subprocess.run(
            [*pip, "--disable-pip-version-check", CHECKOV_REQUIREMENT],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if "ignored" not in line]
            raise CheckovUnavailableError(f"pip install {CHECKOV_REQUIREMENT}: {lines[-3:]}")
        stamp.write_text(CHECKOV_REQUIREMENT)
    return executable


class Scan(NamedTuple):
    """What checkov's Kubernetes checks found in a directory."""

    passed: int
    failed: list[str]
    """``CHECK_ID Kind.namespace.name (file)`` of each failed check."""


def scan(checkov: Path, directory: Path, skip: set[str]) -> Scan:
    """Run checkov's Kubernetes checks on ``directory``, without the checks in ``skip``."""
    command = [
        str(checkov),
        "--directory", str(directory),
        "--framework", "kubernetes",
        "--output", "json",
        "--skip-download",  # no call to the vendor's platform: offline and reproducible
    ]  # fmt: skip
    if skip:
        command += ["--skip-check", ",".join(sorted(skip))]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report: Any = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{check['check_id']} {check['resource']} ({check['file_path']})"
        for one in reports
        for check in one["results"]["failed_checks"]
    ]
    passed = sum(int(one["summary"]["passed"]) for one in reports)
    return Scan(passed, sorted(failed))
