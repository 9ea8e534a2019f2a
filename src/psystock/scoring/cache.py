"""The local cache of model artifacts, by registry, name and version.

A registered version's artifacts never change, so once downloaded they are reused: a restart
with a warm cache resolves the reference (one small request) and downloads nothing. Layout::

    CACHE/<registry>/registered/<name>/<version>/   # models:/NAME/...
    CACHE/<registry>/logged/<model_id>/             # models:/m-<id>
    CACHE/<registry>/runs/<run_id>/<path>/          # runs:/RUN_ID/PATH
    CACHE/<registry>/uri/<sha1 of the URI>/         # s3://..., mlflow-artifacts:/...

Each entry holds the model directory and ``entry.json`` (the source it came from). An entry
whose recorded source differs from the registry's (a registry rebuilt from scratch reuses
version numbers) is downloaded again. Entries appear atomically: downloads go to a
``.tmp-*`` directory beside them and are renamed into place, so concurrent processes and
interrupted downloads never see half an entry. Local path references are not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from psystock.registry.artifacts import local_path
from psystock.registry.resolve import ResolvedModel

logger = logging.getLogger(__name__)

ENTRY_FILE = "entry.json"
Downloader = Callable[[ResolvedModel, Path], Path]
"""Downloads a model's artifacts into an empty directory and returns the model directory."""


class ModelCache:
    """Model artifacts on local disk, keyed by what the registry says they are."""

    def __init__(self, root: Path, tracking_uri: str) -> None:
        self.root = root
        self.registry_dir = root / _slug(tracking_uri)

    def entry_dir(self, resolved: ResolvedModel) -> Path | None:
        """Where ``resolved`` is cached; None for local paths (used in place)."""
        if local_path(resolved.artifact_uri or resolved.source) is not None:
            return None
        if resolved.name is not None and resolved.version is not None:
            return self.registry_dir / "registered" / _safe(resolved.name) / resolved.version
        source = resolved.source
        if source.startswith("models:/m-"):
            return self.registry_dir / "logged" / _safe(source.removeprefix("models:/"))
        if source.startswith("runs:/"):
            return self.registry_dir / "runs" / _safe(source.removeprefix("runs:/"))
        return self.registry_dir / "uri" / hashlib.sha1(source.encode()).hexdigest()[:16]

    def fetch(self, resolved: ResolvedModel, download: Downloader) -> Path:
        """The local model directory of ``resolved``, downloading it on a cache miss."""
        local = local_path(resolved.artifact_uri or resolved.source)
        entry = self.entry_dir(resolved)
        if entry is None:
            assert local is not None  # entry_dir is None only for local paths
            return local
        cached = self._lookup(entry, resolved)
        if cached is not None:
            logger.info("model %s: using cached artifacts in %s", resolved.reference, entry)
            return cached
        return self._download(entry, resolved, download)

    def _lookup(self, entry: Path, resolved: ResolvedModel) -> Path | None:
        try:
            record = json.loads((entry / ENTRY_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if record.get("source") != resolved.source:
            logger.info("model %s: cached source differs, downloading again", resolved.reference)
            return None
        model_dir = entry / record.get("model_dir", "model")
        return model_dir if (model_dir / "MLmodel").is_file() else None

    def _download(self, entry: Path, resolved: ResolvedModel, download: Downloader) -> Path:
        entry.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
        try:
            model_dir = download(resolved, staging / "model")
            record = {
                "source": resolved.source,
                "artifact_uri": resolved.artifact_uri,
                "reference": resolved.reference,
                "model_dir": model_dir.relative_to(staging).as_posix(),
            }
            (staging / ENTRY_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
            _replace(staging, entry)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return entry / record["model_dir"]


def _replace(staging: Path, entry: Path) -> None:
    """Move ``staging`` to ``entry``, setting aside a stale entry first."""
    if entry.exists():
        stale = Path(tempfile.mkdtemp(prefix=".stale-", dir=entry.parent))
        with contextlib.suppress(FileNotFoundError):  # another process removed it first
            os.replace(entry, stale / "entry")
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.rename(staging, entry)
    except OSError:
        # Another process published the same entry first; its copy is as good as ours.
        if not (entry / ENTRY_FILE).is_file():
            raise


def _slug(uri: str) -> str:
    without_scheme = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", uri)
    slug = re.sub(r"[^A-Za-z0-9.-]+", "_", without_scheme).strip("_")[:60]
    return f"{slug}-{hashlib.sha1(uri.encode()).hexdigest()[:8]}"


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", part)
