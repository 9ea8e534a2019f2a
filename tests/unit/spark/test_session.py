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


@pytest.mark.parametrize(
    ("options", "local"),
    [
        (SparkOptions(master="local[2]"), True),
        (SparkOptions(master="local[*]", conf={"spark.hadoop.fs.defaultFS": "hdfs://nn"}), False),
        (SparkOptions(master="yarn"), False),
        (SparkOptions(master="spark://head:7077"), False),
    ],
)
def test_paths_without_a_scheme_are_local_with_a_local_master_only(
    options: SparkOptions, local: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HADOOP_CONF_DIR", raising=False)
    assert options.paths_are_local is local
    monkeypatch.setenv("HADOOP_CONF_DIR", "/etc/hadoop/conf")
    assert SparkOptions(master="local[2]").paths_are_local is False
