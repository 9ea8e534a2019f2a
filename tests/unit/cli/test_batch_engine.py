"""The --engine, --master and --conf options of ``psystock batch score``."""

import sys

import pytest

from tests.conftest import RunCli


def test_engine_spark_without_the_spark_extra_names_it(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = run_cli("batch", "score", "in.csv", "out", "--engine", "spark")
    assert (result.exit_code, result.said) == (
        1,
        "Error: psystock batch score --engine spark needs pyspark, which is not installed: "
        "pip install 'psystock[spark]' (the spark extra)\n",
    )


def test_master_and_conf_need_the_spark_engine(run_cli: RunCli) -> None:
    result = run_cli("batch", "score", "in.csv", "out.csv", "--master", "local[2]")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: --master and --conf apply to --engine spark only"
    )


def test_conf_must_be_key_equals_value(run_cli: RunCli) -> None:
    result = run_cli("batch", "score", "in.csv", "out", "--engine", "spark", "--conf", "x")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--conf': expected KEY=VALUE, got 'x'"
    )
