"""The batch scoring job: ``run_batch(settings, source, target)`` -> ``BatchReport``.

Streams a CSV or Parquet input (or stdin) through the scoring runtime chunk by chunk and
writes the book's layout (input columns, ``prediction``, ``probability``) atomically, with
bad rows stopping the job or quarantined, and records the job as an MLflow run.
"""

from psystock.batch.job import BatchOptions, run_batch
from psystock.batch.report import BatchReport

__all__ = ["BatchOptions", "BatchReport", "run_batch"]
