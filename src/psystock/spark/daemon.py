"""PySpark's worker daemon with the scoring modules imported before it forks any worker.

Spark forks every Python worker of an executor from one daemon process (``pyspark.daemon``).
Each worker would then import psystock, pyarrow and XGBoost on its own before its first
batch: about a second of CPU per worker, paid again by every new worker. The engine's own
session names this module as ``spark.python.daemon.module``, so the modules are imported
once, in the daemon, and every worker starts with them.
"""

from __future__ import annotations

from pyspark import daemon

import psystock.spark.worker  # noqa: F401  (imported for the workers it forks)
from psystock.scoring.xgboost_model import import_xgboost

import_xgboost()

if __name__ == "__main__":
    daemon.manager()
