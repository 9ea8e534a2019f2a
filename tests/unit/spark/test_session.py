"""The settings a session started by the engine gets."""

from __future__ import annotations

import sys

import pytest

from psystock.spark.session import SparkOptions, session_settings

DAEMON = "spark.python.daemon.module"


@pytest.mark.parametrize("master", ["local[*]", "local[2]", "local"])
def test_a_local_session_forks_its_workers_from_psystock_s_daemon(master: str) -> None:
    settings = session_settings(SparkOptions(master=master))

    assert settings[DAEMON] == "psystock.spark.daemon"
    assert settings["spark.pyspark.python"] == sys.executable
    assert settings["spark.sql.execution.arrow.maxRecordsPerBatch"] == "65536"


@pytest.mark.parametrize("master", ["spark://head:7077", "k8s://https://api:443", "yarn"])
def test_a_cluster_keeps_pyspark_s_daemon_unless_told(master: str) -> None:
    assert DAEMON not in session_settings(SparkOptions(master=master))
    told = SparkOptions(master=master, conf={DAEMON: "psystock.spark.daemon"})
    assert session_settings(told)[DAEMON] == "psystock.spark.daemon"


def test_the_user_s_conf_wins() -> None:
    options = SparkOptions(conf={DAEMON: "pyspark.daemon", "spark.pyspark.python": "/opt/py"})

    settings = session_settings(options)

    assert (settings[DAEMON], settings["spark.pyspark.python"]) == ("pyspark.daemon", "/opt/py")
