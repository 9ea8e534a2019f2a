"""What a batch job did: counts, rates, the model used and where things went."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchReport:
    """The outcome of ``run_batch``. Always ``rows_in == rows_out + rows_quarantined``."""

    input: str
    output: str
    quarantine: str | None
    reference: str
    model_name: str | None
    model_version: str | None
    threshold: float
    rows_in: int
    rows_out: int
    rows_quarantined: int
    positives: int
    duration_s: float
    run_id: str | None

    @property
    def positive_rate(self) -> float:
        """Share of scored rows with decision 1."""
        return self.positives / self.rows_out if self.rows_out else 0.0

    @property
    def rows_per_s(self) -> float:
        """Input rows per second of wall time."""
        return self.rows_in / self.duration_s if self.duration_s > 0 else 0.0

    def metrics(self) -> dict[str, float]:
        """The metrics recorded on the job's MLflow run."""
        return {
            "rows_in": self.rows_in,
            "rows_out": self.rows_out,
            "rows_quarantined": self.rows_quarantined,
            "positive_rate": self.positive_rate,
            "duration_s": self.duration_s,
            "rows_per_s": self.rows_per_s,
        }
