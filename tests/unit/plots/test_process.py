import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from psystock.plots import process as plot_process
from psystock.plots.histogram import ProbabilityHistogram
from psystock.plots.process import PlotProcess
from tests.process_checks import is_gone

PNG = b"\x89PNG\r\n\x1a\n"


def histogram() -> ProbabilityHistogram:
    counted = ProbabilityHistogram()
    counted.add(np.random.default_rng(3).beta(5, 2, 10_000))
    return counted


def warnings_of_rendering(
    plots: PlotProcess, path: Path, caplog: pytest.LogCaptureFixture
) -> list[str]:
    """Render a histogram into the PNG ``path`` with ``plots``: the warnings logged meanwhile."""
    with caplog.at_level(logging.WARNING):
        drawn = plots.render(histogram(), path, 0.5, "models:/m/1 (version 1)")
    assert drawn == path
    assert path.read_bytes()[:8] == PNG
    return [record.getMessage() for record in caplog.records]


def test_the_worker_draws_the_plot_and_ends(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    plots = PlotProcess()
    pid = plots.pid
    assert pid is not None
    # No warning: drawn by the worker, not here after a failure.
    assert warnings_of_rendering(plots, tmp_path / "plot.png", caplog) == []
    assert plots.pid is None
    assert is_gone(pid)


def test_the_worker_imports_no_settings_and_draws_what_the_job_would(tmp_path: Path) -> None:
    code = "import sys, psystock.plots.worker; print('pydantic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    counted = histogram()
    PlotProcess().render(counted, tmp_path / "worker.png", 0.7, "models:/m/2 (version 2)")
    counted.render(tmp_path / "here.png", 0.7, "models:/m/2 (version 2)")
    assert (tmp_path / "worker.png").read_bytes() == (tmp_path / "here.png").read_bytes()


def test_a_terminal_s_ctrl_c_reaches_the_job_not_the_worker() -> None:
    plots = PlotProcess()
    assert plots.pid is not None
    # A process group (and session) of its own: a terminal sends Ctrl-C to the job's group.
    assert os.getpgid(plots.pid) == plots.pid != os.getpgid(0)
    assert os.getsid(plots.pid) != os.getsid(0)
    plots.close()


def test_close_stops_a_worker_that_was_not_asked() -> None:
    plots = PlotProcess()
    pid = plots.pid
    assert pid is not None
    plots.close()
    plots.close()  # twice is harmless
    assert is_gone(pid)


@pytest.mark.parametrize(
    ("command", "warning"),
    [
        (
            (sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"),
            "exit code 3: boom",
        ),
        (("/nonexistent/python",), None),
    ],
)
def test_a_failed_worker_leaves_the_plot_to_the_job(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    command: tuple[str, ...],
    warning: str | None,
) -> None:
    monkeypatch.setattr(plot_process, "WORKER", command)
    messages = warnings_of_rendering(PlotProcess(), tmp_path / "plot.png", caplog)
    if warning is None:
        assert messages == []  # no worker could start: drawn here from the start, quietly
    else:
        assert messages == [f"the plot worker failed ({warning}): drawing here"]


def test_a_worker_that_does_not_answer_is_killed_and_the_job_draws(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plot_process, "WORKER", ("sleep", "60"))
    monkeypatch.setattr(plot_process, "ANSWER_TIMEOUT_S", 0.5)
    plots = PlotProcess()
    pid = plots.pid
    assert pid is not None
    assert warnings_of_rendering(plots, tmp_path / "plot.png", caplog) == [
        "the plot worker did not answer in 0.5 s: drawing here"
    ]
    assert is_gone(pid)
