"""Draw the batch job's plot in a process of its own: ``python -m psystock.plots.worker``.

``PlotProcess`` starts it as the job starts. It imports matplotlib at once (0.3 s of CPU, on a
core the job's start leaves idle, and without the job's GIL), then waits for one request on
stdin: JSON with the histogram's ``counts``, the ``threshold``, the ``title`` and the PNG's
``path``. It draws the PNG, writes ``ok`` on stdout and exits. The end of stdin without a
request (the job failed, or died) ends it quietly. It exits without the interpreter's
teardown, which the job would wait for. It runs in a session of its own and ignores
Ctrl-C: an interrupt is the job's to handle, and the worker ends with the job's end of the pipe.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from psystock.plots.histogram import ProbabilityHistogram

DONE = "ok"
"""What the worker writes on stdout once the PNG is written."""


def main() -> int:
    """Import the plotting modules, then draw the one plot asked for on stdin, if any."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import matplotlib.backends.backend_agg
    import matplotlib.figure
    import matplotlib.ticker  # noqa: F401  (what ProbabilityHistogram.figure uses)

    request = sys.stdin.read()
    if not request.strip():
        return 0
    fields = json.loads(request)
    histogram = ProbabilityHistogram.from_counts(fields["counts"])
    histogram.render(Path(fields["path"]), float(fields["threshold"]), str(fields["title"]))
    sys.stdout.write(DONE)
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The PNG is written and closed: skip the interpreter's teardown of numpy and matplotlib
    # (80 ms that the job would wait for).
    os._exit(code)
