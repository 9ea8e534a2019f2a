import logging

import pytest

from psystock.batch.progress import JobProgress


def test_progress_logs_periodic_lines_when_not_on_a_terminal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="psystock.batch.progress")
    with JobProgress(total_bytes=1000, interval_s=1e-9, is_tty=False) as progress:
        progress.update(rows=500, quarantined=2, bytes_read=500)
    (record,) = caplog.records
    assert record.getMessage().startswith("scored 500 rows (50% of input), 2 quarantined, ")
    assert record.getMessage().endswith(" rows/s")


def test_progress_stays_quiet_between_intervals(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="psystock.batch.progress")
    with JobProgress(total_bytes=None, interval_s=3600, is_tty=False) as progress:
        progress.update(rows=1, quarantined=0, bytes_read=10)
    assert caplog.records == []


def test_progress_bar_on_a_terminal_runs_without_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="psystock.batch.progress")
    with JobProgress(total_bytes=100, interval_s=1e-9, is_tty=True) as progress:
        progress.update(rows=10, quarantined=0, bytes_read=50)
    assert caplog.records == []
