"""The batch job's MLflow run: recorded in the background, with a heartbeat while it runs."""

import time

import pytest

from psystock.batch.recording import JobRecord
from psystock.batch.report import BatchReport
from psystock.plots.histogram import ProbabilityHistogram
from tests.integration.batch.conftest import SettingsFactory, get_run


def report(run_id: str | None) -> BatchReport:
    return BatchReport(
        "in.csv", "out.csv", None, "models:/m/1", "m", "1", 0.5, 3, 3, 0, 1, 0.1, run_id
    )


def test_a_running_job_refreshes_its_heartbeat_and_says_where_it_runs(
    make_settings: SettingsFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("psystock.batch.recording.HEARTBEAT_S", 0.05)
    settings = make_settings()
    record = JobRecord(settings, {"input": "in.csv"})
    run_id = record.run_id
    assert run_id is not None
    first = int(get_run(settings, run_id).data.tags["psystock.heartbeat_ms"])
    time.sleep(0.5)
    record.succeed(report(run_id), ProbabilityHistogram())
    run = get_run(settings, run_id)
    assert run.info.status == "FINISHED"
    assert int(run.data.tags["psystock.heartbeat_ms"]) > first
    assert run.data.tags["psystock.pid"].isdigit()
    assert run.data.tags["psystock.host"]
    assert run.data.params["input"] == "in.csv"


def test_a_failed_job_ends_its_run_failed_with_the_error(make_settings: SettingsFactory) -> None:
    settings = make_settings()
    record = JobRecord(settings, {})
    run_id = record.run_id
    assert run_id is not None
    record.fail(ValueError("boom"))
    run = get_run(settings, run_id)
    assert run.info.status == "FAILED"
    assert (run.data.tags["error"], run.data.tags["error_type"]) == ("boom", "ValueError")
