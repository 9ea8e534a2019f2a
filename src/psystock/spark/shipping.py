"""Ship a model's artifacts to the executors once, as a broadcast, and load them there once.

The driver resolves and fetches the model (the scoring runtime's cache), packs its directory
into one tar archive and broadcasts it: each executor receives the bytes once, whatever the
number of tasks and batches. In each Python worker the first task unpacks the archive into
Spark's folder for the application's files and loads it with the scoring runtime's loader;
later tasks of that worker (PySpark reuses workers) find it loaded, by the archive's digest.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import shutil
import tarfile
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psystock.registry.resolve import ResolvedModel
from psystock.scoring.loader import load_model_dir
from psystock.scoring.model import LoadedModel

_LOADED: dict[str, LoadedModel] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ShippedModel:
    """A model as the executors receive it.

    Attributes:
        resolved: what the reference resolved to on the driver (for ``ModelInfo``).
        digest: SHA-256 of the archive: the key of the executors' cache.
        archive: the broadcast tar archive of the model directory (``Broadcast[bytes]``).
    """

    resolved: ResolvedModel
    digest: str
    archive: Any


def pack_model(model_dir: Path) -> bytes:
    """The model directory as an uncompressed tar archive (models compress poorly)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        archive.add(model_dir, arcname="model")
    return buffer.getvalue()


def ship_model(spark_context: Any, model_dir: Path, resolved: ResolvedModel) -> ShippedModel:
    """Broadcast the model directory's archive to the executors."""
    packed = pack_model(model_dir)
    digest = hashlib.sha256(packed).hexdigest()
    return ShippedModel(resolved, digest, spark_context.broadcast(packed))


def load_shipped(shipped: ShippedModel) -> LoadedModel:
    """The shipped model, loaded once per Python worker process.

    Raises:
        ModelLoadError: the artifacts cannot be loaded here.
    """
    with _LOCK:
        model = _LOADED.get(shipped.digest)
        if model is None:
            model = load_archive(shipped.archive.value, shipped.resolved)
            _LOADED[shipped.digest] = model
        return model


def load_archive(packed: bytes, resolved: ResolvedModel) -> LoadedModel:
    """Unpack an archive from ``pack_model`` and load it.

    On an executor the archive goes into Spark's folder for the application's files, which
    Spark removes when the application ends: PySpark's forked workers end with ``os._exit``,
    so a folder of their own would never be removed (one per worker and job). Elsewhere it
    goes into a temporary directory removed when the process exits.
    """
    folder = Path(tempfile.mkdtemp(prefix="psystock-model-", dir=_spark_files_folder()))
    atexit.register(shutil.rmtree, folder, True)
    with tarfile.open(fileobj=io.BytesIO(packed), mode="r") as archive:
        archive.extractall(folder, filter="data")
    return load_model_dir(folder / "model", resolved)


def _spark_files_folder() -> str | None:
    """Spark's folder for the application's files on this executor, None outside a worker."""
    from pyspark import SparkFiles

    try:
        return SparkFiles.getRootDirectory()
    except Exception:  # no SparkContext here (pyspark asserts): not in a Spark worker
        return None
