"""Output directories that appear only when complete, on any Hadoop filesystem.

Spark writes the parts with its commit protocol into a hidden directory beside the target,
``.NAME.psystock-tmp-XXXXXXXX`` (Spark's readers skip names starting with ``.``), which is
renamed to the target once the job has committed. A failed or interrupted job leaves no
target: an error, Ctrl-C or SIGTERM removes the hidden directory; a killed driver leaves
only it, recognisable and safe to delete. Without ``overwrite`` an existing target is never
replaced, even one that appears while the job runs. Paths go through Hadoop's FileSystem
API, so ``hdfs://`` and object stores (``s3a://``) work as local paths do; on an object
store the final rename is a copy, so use Spark's S3A committers there for large outputs.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from psystock.batch.atomic import TEMP_MARKER
from psystock.errors import InputError, OutputExistsError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

BOM = "\ufeff"


class HadoopPaths:
    """Existence checks, sizes, lines, renames and deletes through Spark's Hadoop configuration."""

    def __init__(self, spark: SparkSession) -> None:
        self._jvm: Any = spark.sparkContext._jvm
        self._conf: Any = spark.sparkContext._jsc.hadoopConfiguration()

    def path(self, text: str) -> Any:
        """A ``org.apache.hadoop.fs.Path``."""
        return self._jvm.org.apache.hadoop.fs.Path(text)

    def filesystem(self, path: Any) -> Any:
        """The filesystem of ``path``."""
        return path.getFileSystem(self._conf)

    def qualified(self, text: str) -> str:
        """``text`` as a full URI (``file:/...``, ``s3a://...``)."""
        path = self.path(text)
        return str(self.filesystem(path).makeQualified(path).toString())

    def exists(self, text: str) -> bool:
        """Whether a file or directory is at ``text``."""
        path = self.path(text)
        return bool(self.filesystem(path).exists(path))

    def size(self, text: str) -> int:
        """The bytes of the file at ``text``, or of all the files below the directory."""
        path = self.path(text)
        return int(self.filesystem(path).getContentSummary(path).getLength())

    def lines(self, text: str) -> Generator[str, None, None]:
        """The lines of the file at ``text``, read as Spark's text source reads them.

        Decompressed by the file's extension, decoded as UTF-8 without a byte order mark,
        cut at LF, CR LF or CR. Close the generator when done with it before its end.
        """
        path = self.path(text)
        stream = self.filesystem(path).open(path)
        factory = self._jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(self._conf)
        codec = factory.getCodec(path)
        if codec is not None:
            stream = codec.createInputStream(stream)
        io = self._jvm.java.io
        reader = io.BufferedReader(io.InputStreamReader(stream, "UTF-8"))
        try:
            line = reader.readLine()
            if line is not None:
                line = str(line).removeprefix(BOM)
            while line is not None:
                yield str(line)
                line = reader.readLine()
        finally:
            reader.close()

    def delete(self, text: str) -> None:
        """Remove ``text`` and everything below it (nothing when it is not there)."""
        path = self.path(text)
        self.filesystem(path).delete(path, True)

    def rename(self, source: str, target: str) -> bool:
        """Move ``source`` to ``target``; False when the filesystem refused."""
        path = self.path(source)
        return bool(self.filesystem(path).rename(path, self.path(target)))

    def rename_suffix(self, directory: str, old: str, new: str) -> None:
        """Rename the files in ``directory`` ending in ``old`` to end in ``new`` instead.

        Raises:
            OutputExistsError: the filesystem refused a rename.
        """
        path = self.path(directory)
        for status in self.filesystem(path).listStatus(path):
            name = status.getPath().getName()
            if status.isFile() and name.endswith(old):
                base = directory.rstrip("/")
                self.move(f"{base}/{name}", f"{base}/{name.removesuffix(old)}{new}")

    def move(self, source: str, target: str) -> None:
        """Move ``source`` to ``target``.

        Raises:
            OutputExistsError: the filesystem refused (``target`` exists).
        """
        if not self.rename(source, target):
            raise OutputExistsError(target)


class StagedOutput:
    """A target directory written through a hidden directory beside it."""

    def __init__(self, paths: HadoopPaths, target: str, *, overwrite: bool) -> None:
        self.paths = paths
        self.target = target.rstrip("/")
        self.overwrite = overwrite
        if paths.exists(self.target) and not overwrite:
            raise OutputExistsError(self.target)
        parent, _, name = self.target.rpartition("/")
        if not name:
            raise InputError(f"output {target}: expected a directory name")
        self.staging = f"{parent}/" if parent else ""
        self.staging += f".{name}{TEMP_MARKER}{secrets.token_hex(4)}"

    def commit(self) -> None:
        """Move the written directory into place (setting an existing one aside first).

        Raises:
            OutputExistsError: the target appeared meanwhile and ``overwrite`` is off.
        """
        stale = None
        if self.paths.exists(self.target):
            if not self.overwrite:
                raise OutputExistsError(self.target)
            stale = f"{self.staging}-replaced"
            self.paths.move(self.target, stale)
        self.paths.move(self.staging, self.target)
        if stale is not None:
            self.paths.delete(stale)

    def discard(self) -> None:
        """Remove the hidden directory (nothing reaches the target)."""
        try:
            self.paths.delete(self.staging)
        except Exception:  # the job's own error is the one to report
            logger.warning("could not remove %s", self.staging, exc_info=True)
