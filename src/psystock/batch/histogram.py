"""The distribution of probabilities over a whole job, in constant memory, and its plot."""

from __future__ import annotations

from pathlib import Path

import numpy as np

BINS = 20


class ProbabilityHistogram:
    """Counts of probabilities in ``BINS`` equal bins over [0, 1] (values outside are clipped)."""

    def __init__(self) -> None:
        self.edges = np.linspace(0.0, 1.0, BINS + 1)
        self.counts = np.zeros(BINS, dtype=np.int64)

    def add(self, probabilities: np.ndarray) -> None:
        """Count one batch (NaN left out)."""
        values = np.clip(probabilities, 0.0, 1.0)
        if np.isnan(values).any():
            values = values[~np.isnan(values)]
        bins = np.minimum((values * BINS).astype(np.intp), BINS - 1)
        self.counts += np.bincount(bins, minlength=BINS)

    def render(self, path: Path, threshold: float, title: str) -> Path:
        """Draw the histogram with the threshold as a PNG at ``path``."""
        # The Figure API with the Agg canvas: no pyplot (0.2 s to import, global state).
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(6, 3.5), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        width = self.edges[1] - self.edges[0]
        axes.bar(self.edges[:-1], self.counts, width=width, align="edge", color="#4c72b0")
        axes.axvline(threshold, color="#c44e52", linestyle="--", label=f"threshold {threshold:g}")
        axes.set_xlabel("probability of an up day")
        axes.set_ylabel("rows")
        axes.set_title(title, fontsize=10)
        axes.legend()
        figure.tight_layout()
        figure.savefig(path)
        return path
