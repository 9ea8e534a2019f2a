from pathlib import Path

import numpy as np

from psystock.batch.histogram import BINS, ProbabilityHistogram


def test_histogram_counts_every_probability_once_across_batches() -> None:
    histogram = ProbabilityHistogram()
    histogram.add(np.array([0.0, 0.01, 0.5, 0.99, 1.0], dtype=np.float32))
    histogram.add(np.array([-0.2, 1.7]))  # clipped into the end bins
    histogram.add(np.array([]))
    assert histogram.counts.sum() == 7
    assert histogram.counts[0] == 3
    assert histogram.counts[BINS - 1] == 3


def test_histogram_renders_a_png(tmp_path: Path) -> None:
    histogram = ProbabilityHistogram()
    histogram.add(np.linspace(0, 1, 100))
    path = histogram.render(tmp_path / "plot.png", 0.5, "models:/m/Production (version 1)")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
