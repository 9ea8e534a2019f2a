"""``kubectl kustomize`` of the repository's tree, parsed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO_ROOT, require

TREE = REPO_ROOT / "deploy" / "kubernetes"
OVERLAYS = ("dev", "prod")

Key = tuple[str, str, str]


def kustomize(directory: Path) -> list[dict[str, Any]]:
    """The objects ``kubectl kustomize DIRECTORY`` prints (kubectl needed: skip, or fail in CI)."""
    require(shutil.which("kubectl") is not None, "kubectl (with kustomize)")
    done = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return [obj for obj in yaml.safe_load_all(done.stdout) if obj]


def by_key(objects: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    """Objects by kind, namespace and name; a key seen twice must hold the same object."""
    keyed: dict[Key, dict[str, Any]] = {}
    for obj in objects:
        meta = obj["metadata"]
        key = (obj["kind"], meta.get("namespace", ""), meta["name"])
        assert keyed.setdefault(key, obj) == obj, f"{key} rendered twice, differently"
    return keyed
