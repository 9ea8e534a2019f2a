"""The kustomize base on disk is the render output (``scripts/render-kubernetes``)."""

from __future__ import annotations

from pathlib import Path

from psystock.deploy.kubernetes.tree import generated_files

ROOT = Path(__file__).parents[4] / "deploy" / "kubernetes"


def test_generated_kustomize_files_are_up_to_date() -> None:
    for relative, content in generated_files().items():
        path = ROOT / relative
        assert path.is_file(), f"{path} is missing: run scripts/render-kubernetes"
        assert path.read_text(encoding="utf-8") == content, (
            f"{path} is stale: run scripts/render-kubernetes"
        )
