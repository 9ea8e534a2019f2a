"""The labels of an image: OCI's standard ones, and which model it serves.

Labels never carry a secret: no tracking URI (it may hold credentials), only references.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from psystock import __version__
from psystock.deploy.docker.bake import BakedModel
from psystock.deploy.docker.images import ImageSpec

OCI = "org.opencontainers.image"
PSYSTOCK = "io.psystock"


def image_labels(
    spec: ImageSpec,
    base_image: str,
    revision: str | None,
    model: BakedModel | None,
    default_reference: str,
) -> dict[str, str]:
    """Labels of one image.

    Args:
        spec: which image.
        base_image: the image it starts from.
        revision: the source revision (git commit) of psystock, when known.
        model: the baked model, if any.
        default_reference: the model an image without a baked one resolves at start.
    """
    labels = {
        f"{OCI}.title": f"psystock-{spec.kind}",
        f"{OCI}.description": spec.description,
        f"{OCI}.version": __version__,
        f"{OCI}.created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"{OCI}.licenses": "Apache-2.0",
        f"{OCI}.base.name": base_image,
        f"{PSYSTOCK}.image": spec.kind.value,
    }
    if revision:
        labels[f"{OCI}.revision"] = revision
    if model is not None:
        labels[f"{PSYSTOCK}.model.baked"] = "true"
        labels[f"{PSYSTOCK}.model.reference"] = model.reference
        labels[f"{PSYSTOCK}.model.flavor"] = model.flavor
        for key, value in (
            ("name", model.name),
            ("version", model.version),
            ("run-id", model.run_id),
        ):
            if value:
                labels[f"{PSYSTOCK}.model.{key}"] = value
    elif spec.can_bake_model:
        labels[f"{PSYSTOCK}.model.baked"] = "false"
        labels[f"{PSYSTOCK}.model.reference"] = default_reference
    return labels


def source_revision(tree: Path | None) -> str | None:
    """The git commit of psystock's source tree (``+dirty`` with uncommitted changes), if any."""
    if tree is None:
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(tree), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head
