"""Input splits of even size: whole waves of tasks, no small task left at the end.

Spark cuts file inputs into splits of ``min(spark.sql.files.maxPartitionBytes, bytes per
core)``. When the input is larger than one split per core, that leaves a short last wave:
280 MB on two cores makes splits of 128, 128 and 24 MB, and the 24 MB task runs alone on one
core after the others. ``even_splits`` sets the split size for the job so that the input
falls into a whole number of waves of equal splits (four of 71 MB there); a split size the
user set (``--conf spark.sql.files.maxPartitionBytes=...``) is kept as it is.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

MAX_SPLIT_BYTES = "spark.sql.files.maxPartitionBytes"


def even_split_bytes(
    total_bytes: int, files: int, parallelism: int, max_bytes: int, open_cost: int
) -> int | None:
    """The split size that makes whole waves of equal splits, or None to keep Spark's.

    Args:
        total_bytes: the size of the input's files.
        files: how many files (Spark counts ``open_cost`` bytes more for each).
        parallelism: the tasks that run at once (Spark's default parallelism, or
            ``spark.sql.files.minPartitionNum``).
        max_bytes: Spark's largest split (``spark.sql.files.maxPartitionBytes``).
        open_cost: Spark's cost of opening a file, in bytes
            (``spark.sql.files.openCostInBytes``).
    """
    weighted = total_bytes + files * open_cost
    per_core = weighted / max(parallelism, 1)
    if per_core <= max_bytes:
        return None  # Spark already cuts one split per core
    waves = math.ceil(per_core / max_bytes)
    return math.ceil(weighted / (parallelism * waves))


@contextlib.contextmanager
def even_splits(spark: SparkSession, total_bytes: int, files: int) -> Iterator[None]:
    """Read inputs in even splits while the block runs (unless the user set a size)."""
    if spark.conf.get(MAX_SPLIT_BYTES, None) is not None:
        yield
        return
    session = spark._jsparkSession
    conf = session.sessionState().conf()
    minimum = conf.filesMinPartitionNum()  # a Scala Option
    size = even_split_bytes(
        total_bytes,
        files,
        int(minimum.get() if minimum.isDefined() else session.leafNodeDefaultParallelism()),
        int(conf.filesMaxPartitionBytes()),
        int(conf.filesOpenCostInBytes()),
    )
    if size is None:
        yield
        return
    logger.info("reading the input in splits of %d bytes", size)
    spark.conf.set(MAX_SPLIT_BYTES, str(size))
    try:
        yield
    finally:
        spark.conf.unset(MAX_SPLIT_BYTES)
