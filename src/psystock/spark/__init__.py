"""The batch job on Apache Spark, on the same scoring runtime: the only package importing pyspark.

- ``run_spark_batch(settings, source, target, options, spark_options)``: what
  ``psystock batch score --engine spark`` runs (CSV or Parquet files or directories in,
  a directory of parts out, bad rows failing the job or quarantined, an MLflow run).
- ``score_dataframe(frame, model)``: a DataFrame scored by a registered model, for notebooks
  and ``spark-submit`` scripts.

Inside Spark, ``mapInArrow`` runs ``psystock.scoring.score_arrow`` (through the batch job's
readers and ``BlockScorer``) on the model broadcast once to the executors.
"""

from psystock.spark.dataframe import score_dataframe
from psystock.spark.job import run_spark_batch
from psystock.spark.session import SparkOptions

__all__ = ["SparkOptions", "run_spark_batch", "score_dataframe"]
