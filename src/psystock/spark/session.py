"""Start (or join) the SparkSession the engine runs in, with executors on the driver's Python.

``spark_session(options)`` yields the active session when there is one (a notebook, a
``spark-submit`` script, a test session) and leaves it running; otherwise it starts one with
``--master`` and ``--conf`` and stops it at the end. Python workers run the driver's own
interpreter (``sys.executable``) unless ``spark.pyspark.python`` is given: PySpark would
otherwise start ``python3`` from the PATH, which may not have psystock installed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from psystock.errors import SparkError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

APP_NAME = "psystock batch score"
PYTHON_CONF = "spark.pyspark.python"
DEFAULT_MASTER = "local[*]"
DEFAULT_FS_CONF = "spark.hadoop.fs.defaultFS"
PANDAS_WARNING = "PySpark does not yet fully support pandas"
"""PySpark's warning when pandas is 3 or later (mlflow brings it): not the user's concern."""
DEFAULT_CONF = {
    # Larger Arrow batches than Spark's 10,000 rows: fewer Python calls per row.
    "spark.sql.execution.arrow.maxRecordsPerBatch": "65536",
    "spark.executorEnv.PYTHONWARNINGS": f"ignore:{PANDAS_WARNING}:FutureWarning",
}
"""Settings the engine's own session starts with (``--conf`` overrides them)."""
LOCAL_CONF = {
    # Workers forked with the scoring modules already imported (psystock.spark.daemon).
    # Local executors run the driver's Python, where psystock is installed; on a cluster
    # Spark could not start its workers where it is not, so there the setting is the user's
    # (--conf spark.python.daemon.module=psystock.spark.daemon).
    "spark.python.daemon.module": "psystock.spark.daemon",
}
"""Settings added for a ``local`` master."""


@dataclass(frozen=True)
class SparkOptions:
    """Where the engine runs.

    Attributes:
        master: the cluster manager, as ``spark-submit --master`` takes it (``local[*]``,
            ``spark://HOST:7077``, ``k8s://https://HOST:443``, ``yarn``).
        conf: Spark settings, as ``spark-submit --conf KEY=VALUE`` takes them.
    """

    master: str = DEFAULT_MASTER
    conf: dict[str, str] = field(default_factory=dict)
    log_level: str = "FATAL"
    """Spark's own log level: its errors reach the user as psystock's one ``Error:`` line
    (``--log-level DEBUG`` shows Spark's warnings too)."""

    @property
    def is_local(self) -> bool:
        """Whether Spark runs in this process's machine (a ``local`` master)."""
        return self.master.startswith("local")

    @property
    def paths_are_local(self) -> bool:
        """Whether a path without a scheme names this machine's disk.

        True for a ``local`` master with no other default filesystem (``fs.defaultFS`` from
        ``--conf spark.hadoop.fs.defaultFS`` or a ``HADOOP_CONF_DIR``); a cluster reads such a
        path on its own default filesystem (HDFS...).
        """
        return (
            self.is_local
            and DEFAULT_FS_CONF not in self.conf
            and "HADOOP_CONF_DIR" not in os.environ
        )

    @property
    def python(self) -> str:
        """The Python executable of the executors."""
        return self.conf.get(PYTHON_CONF, sys.executable)


@contextlib.contextmanager
def spark_session(options: SparkOptions) -> Iterator[SparkSession]:
    """The active SparkSession, or a new one for ``options`` stopped on the way out.

    Raises:
        SparkError: Spark cannot start (Java missing, a bad setting).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)
        with _session(options) as session:
            yield session


@contextlib.contextmanager
def _session(options: SparkOptions) -> Iterator[SparkSession]:
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        logger.info("using the active Spark session (master %s)", active.sparkContext.master)
        yield active
        return
    logger.info("starting Spark (master %s)", options.master)
    builder = SparkSession.builder.master(options.master).appName(APP_NAME)
    for key, value in session_settings(options).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own errors, py4j's, or RuntimeError
        raise SparkError(
            f"cannot start Spark with master {options.master} ({first_line(exc)}): Spark "
            "needs Java 17 or later (java on the PATH, or JAVA_HOME)"
        ) from exc
    # PySpark starts Python workers with PYSPARK_PYTHON (default python3), not with the
    # spark.pyspark.python setting of a session started from Python.
    session.sparkContext.pythonExec = options.python
    session.sparkContext.setLogLevel(options.log_level)
    try:
        yield session
    finally:
        session.stop()


def session_settings(options: SparkOptions) -> dict[str, str]:
    """The settings a session the engine starts gets: its defaults, then ``--conf``."""
    local = LOCAL_CONF if options.is_local else {}
    return {**DEFAULT_CONF, **local, PYTHON_CONF: options.python, **options.conf}


def first_line(exc: BaseException) -> str:
    """The first non-empty line of an exception's text (Spark's are long)."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return type(exc).__name__
