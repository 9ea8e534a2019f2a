"""The distribution of probabilities over a whole job, in constant memory, and its plot."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BINS = 20
TITLE_CHARS = 80
"""Longest line of the subtitle (the model reference) at its font size in the figure's width."""


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

    @classmethod
    def from_counts(cls, counts: list[int]) -> ProbabilityHistogram:
        """A histogram holding ``counts`` (``BINS`` of them), as another process counted them."""
        if len(counts) != BINS:
            raise ValueError(f"expected {BINS} counts, got {len(counts)}")
        histogram = cls()
        histogram.counts = np.asarray(counts, dtype=np.int64)
        return histogram

    def render(self, path: Path, threshold: float, title: str) -> Path:
        """Draw the histogram with the threshold as a PNG at ``path`` (640 x 400 pixels)."""
        self.figure(threshold, title).savefig(path)
        return path

    def figure(self, threshold: float, title: str) -> Figure:
        """The histogram with the threshold line.

        ``title`` names what was scored (the model reference and version); the figure's own
        title says what the plot shows and how many rows it counts.
        """
        # The Figure API with the Agg canvas: no pyplot (0.2 s to import, global state).
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import EngFormatter, MaxNLocator

        figure = Figure(figsize=(6.4, 4), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        figure.suptitle(f"Probability of an up day, {int(self.counts.sum()):,} rows scored")
        axes = figure.subplots()
        width = self.edges[1] - self.edges[0]
        axes.bar(
            self.edges[:-1],
            self.counts,
            width=width,
            align="edge",
            color="#4c72b0",
            edgecolor="white",
            linewidth=0.8,
        )
        axes.axvline(threshold, color="#c44e52", linestyle="--", label=f"threshold {threshold:g}")
        axes.set_xlim(0, 1)
        axes.set_xticks(np.linspace(0, 1, 11))
        axes.set_xlabel("probability of an up day")
        axes.set_ylabel("rows")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # no "2.5 rows" on small jobs
        # "300k", "1.2M" on each tick, not "0.30" under a "1e6" in the corner.
        axes.yaxis.set_major_formatter(EngFormatter(sep=""))
        axes.set_title(_wrapped(title), fontsize=9)
        axes.legend(loc="best")
        return figure


def _wrapped(title: str) -> str:
    """Lines that fit the figure; a reference longer than a line is cut at the line's end."""
    return "\n".join(textwrap.wrap(title, TITLE_CHARS, break_on_hyphens=False)) or title
