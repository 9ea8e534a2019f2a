from pathlib import Path

import numpy as np
import pytest

from psystock.plots.histogram import BINS, ProbabilityHistogram
from tests.figure_checks import draw, overlapping_texts, texts_outside, texts_over_other_axes


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


LONG_REFERENCE = (
    "models:/a-registered-model-with-a-really-quite-long-name-for-testing-purposes@production "
    "(version 1234)"
)


@pytest.mark.parametrize(
    ("title", "threshold"),
    [("models:/training-model-psystock/Production (version 3)", 0.5), (LONG_REFERENCE, 0.9)],
)
def test_histogram_keeps_every_text_inside_the_figure(title: str, threshold: float) -> None:
    histogram = ProbabilityHistogram()
    histogram.add(np.random.default_rng(1).beta(8, 2, 5000))

    figure = histogram.figure(threshold, title)

    assert texts_outside(figure) == []
    assert overlapping_texts(figure) == []
    assert texts_over_other_axes(figure) == []
    assert figure.get_suptitle() == "Probability of an up day, 5,000 rows scored"
    assert "".join(figure.axes[0].get_title().split()) == "".join(title.split())


def test_histogram_png_is_640_by_400(tmp_path: Path) -> None:
    from PIL import Image

    histogram = ProbabilityHistogram()
    path = histogram.render(tmp_path / "plot.png", 0.5, "models:/m/1 (version 1)")

    with Image.open(path) as image:
        assert image.size == (640, 400)


def test_histogram_counts_rows_in_whole_numbers() -> None:
    histogram = ProbabilityHistogram()
    histogram.add(np.array([0.42, 0.55, 0.55, 0.61]))

    figure = histogram.figure(0.5, "models:/m/1 (version 1)")
    draw(figure)

    ticks = figure.axes[0].get_yticks()
    assert len(ticks) > 1
    assert all(float(tick).is_integer() for tick in ticks)


def test_histogram_labels_millions_of_rows_on_each_tick() -> None:
    histogram = ProbabilityHistogram()
    histogram.add(np.random.default_rng(2).beta(5, 2, 3_000_000))

    figure = histogram.figure(0.5, "models:/m/1 (version 1)")
    draw(figure)

    axis = figure.axes[0].yaxis
    labels = [label.get_text() for label in axis.get_ticklabels() if label.get_text()]
    assert axis.get_offset_text().get_text() == ""  # no "1e6" in the corner
    assert any(label.endswith("k") for label in labels), labels
