"""The plot worker, seen from the batch job: start it early, ask for the plot at the end.

The batch job is CPU-bound on every core while it scores, and importing matplotlib in one of
its threads held the GIL for 0.3 s of it. ``PlotProcess`` starts ``psystock.plots.worker``
when the job starts, while its cores are mostly idle (waiting for the registry), so the
import is done before the scoring begins and the end only draws. If the worker cannot start,
fails or does not answer, the plot is drawn in the job's process, as it was before: the
same PNG, later.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from psystock.plots.histogram import ProbabilityHistogram
from psystock.plots.worker import DONE

logger = logging.getLogger(__name__)

WORKER = (sys.executable, "-P", "-m", "psystock.plots.worker")
"""The worker's command (``-P``: the working directory is not put on its ``sys.path``)."""
ANSWER_TIMEOUT_S = 60.0
"""How long the job waits for the worker's plot before it draws the plot itself."""


class PlotProcess:
    """A worker process that imports matplotlib now and draws one histogram later."""

    def __init__(self) -> None:
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                WORKER,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # Ctrl-C at a terminal is the job's to handle
            )
        except OSError as exc:
            logger.debug("the plot is drawn in this process: no worker (%s)", exc)
            self._process = None

    @property
    def pid(self) -> int | None:
        """The worker's process id while it waits for its request, else None."""
        return self._process.pid if self._process is not None else None

    def render(
        self, histogram: ProbabilityHistogram, path: Path, threshold: float, title: str
    ) -> Path:
        """Draw ``histogram`` as a PNG at ``path``: by the worker, or here if it fails."""
        process, self._process = self._process, None
        if process is not None and self._asked(process, histogram, path, threshold, title):
            return path
        return histogram.render(path, threshold, title)

    def close(self) -> None:
        """Stop the worker if it was not asked for a plot (the job failed): nothing to wait for."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.communicate()

    @staticmethod
    def _asked(
        process: subprocess.Popen[bytes],
        histogram: ProbabilityHistogram,
        path: Path,
        threshold: float,
        title: str,
    ) -> bool:
        """Whether the worker drew the plot (a warning says why not)."""
        request = {
            "counts": histogram.counts.tolist(),
            "threshold": threshold,
            "title": title,
            "path": str(path),
        }
        try:
            out, err = process.communicate(json.dumps(request).encode(), ANSWER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            logger.warning("the plot worker did not answer in %g s: drawing here", ANSWER_TIMEOUT_S)
            return False
        if process.returncode == 0 and out.decode(errors="replace") == DONE and path.is_file():
            if err:
                logger.debug("the plot worker said: %s", err.decode(errors="replace").strip())
            return True
        lines = err.decode(errors="replace").strip().splitlines()
        logger.warning(
            "the plot worker failed (exit code %s%s): drawing here",
            process.returncode,
            f": {lines[-1]}" if lines else "",
        )
        return False
