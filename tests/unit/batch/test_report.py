from psystock.batch.report import BatchReport


def report(**changes: object) -> BatchReport:
    fields: dict[str, object] = {
        "input": "in.csv", "output": "out.csv", "quarantine": None, "reference": "models:/m/1",
        "model_name": "m", "model_version": "1", "threshold": 0.5, "rows_in": 10, "rows_out": 8,
        "rows_quarantined": 2, "positives": 2, "duration_s": 2.0, "run_id": None,
    }  # fmt: skip
    fields.update(changes)
    return BatchReport(**fields)  # type: ignore[arg-type]


def test_report_rates() -> None:
    assert report().positive_rate == 0.25
    assert report().rows_per_s == 5.0
    assert report(rows_out=0).positive_rate == 0.0
    assert report(duration_s=0.0).rows_per_s == 0.0


def test_report_metrics_are_the_recorded_ones() -> None:
    assert report().metrics() == {
        "rows_in": 10,
        "rows_out": 8,
        "rows_quarantined": 2,
        "positive_rate": 0.25,
        "duration_s": 2.0,
        "rows_per_s": 5.0,
    }
