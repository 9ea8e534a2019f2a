"""Record a batch job as an MLflow run named ``batch_scoring`` in ``batch.experiment``.

Params: the reference asked for, the model name/version/source actually used, input, output,
threshold, error policy and formats. Metrics: rows_in, rows_out, rows_quarantined,
positive_rate, duration_s, rows_per_s. Artifact: ``probability_distribution.png``. A failed
job ends ``FAILED`` (``KILLED`` when interrupted) with its error in the ``error`` tag.

Recording runs in a thread of its own, in order, while the job scores: creating the run (and,
with a registry that is not http(s), importing mlflow for ``MlflowClient``) never delays the
scoring. The plot is drawn by a worker process started with the record
(``psystock.plots.process``): matplotlib's import happens there, during the job's start, not
under the job's GIL while it scores. The job waits for the record only at the end, where the
worker draws the plot.

The run carries where the job runs (host, pid) and a heartbeat while it scores; once its own
run exists, a job marks ``KILLED`` the runs of jobs that died without ending theirs (see
``psystock.batch.liveness``).

Recording never decides the job's fate: when the tracking server cannot be reached the job
still runs (a path reference needs no registry) and a warning says it was not recorded.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from psystock.batch.liveness import HEARTBEAT_S, Process, heartbeat_tags, mark_dead_runs
from psystock.batch.report import BatchReport
from psystock.errors import PsystockError, RegistryError
from psystock.plots.histogram import ProbabilityHistogram
from psystock.plots.process import PlotProcess
from psystock.registry.runs import FAILED, FINISHED, KILLED, RunRecorder, start_run
from psystock.settings import Settings

logger = logging.getLogger(__name__)

RUN_NAME = "batch_scoring"
PLOT_FILE = "probability_distribution.png"
JOB_TAGS = {"psystock.job": RUN_NAME}


class JobRecord:
    """The MLflow run of one batch job, recorded in the background."""

    def __init__(self, settings: Settings, params: dict[str, str]) -> None:
        self._plots = PlotProcess()
        self._run: RunRecorder | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="psystock-record")
        self._last: Future[None] = self._thread.submit(self._start, settings, params)
        self._stopped = threading.Event()
        self._heart = threading.Thread(target=self._beat, name="psystock-heartbeat", daemon=True)
        self._heart.start()

    @property
    def run_id(self) -> str | None:
        """The run's id, None when not recorded (waits for the run to be created)."""
        self._last.result()
        return self._run.run_id if self._run is not None else None

    def add_params(self, params: dict[str, str]) -> None:
        """Log more params (the model actually resolved)."""
        self._queue(lambda run: run.log(params=params))

    def succeed(self, report: BatchReport, histogram: ProbabilityHistogram) -> None:
        """Log the metrics and the plot, end the run FINISHED, and wait for it all."""

        def record(run: RunRecorder) -> None:
            run.log(metrics=report.metrics())
            with tempfile.TemporaryDirectory(prefix="psystock-batch-") as folder:
                title = f"{report.reference} (version {report.model_version or '-'})"
                path = Path(folder) / PLOT_FILE
                run.upload(self._plots.render(histogram, path, report.threshold, title))
            run.finish(FINISHED)

        self._stop_beating()
        self._queue(record)
        self._close()

    def fail(self, error: BaseException) -> None:
        """End the run FAILED (KILLED when interrupted) with the error as tags, and wait."""
        interrupted = not isinstance(error, Exception)
        message = error.message if isinstance(error, PsystockError) else str(error)
        tags = {"error": message or type(error).__name__, "error_type": type(error).__name__}

        def record(run: RunRecorder) -> None:
            run.log(tags=tags)
            run.finish(KILLED if interrupted else FAILED)

        self._stop_beating()
        self._queue(record)
        self._close()

    def _start(self, settings: Settings, params: dict[str, str]) -> None:
        experiment = settings.batch.experiment
        tags = {**JOB_TAGS, **Process.current().tags(), **heartbeat_tags()}
        try:
            self._run = start_run(settings, experiment, RUN_NAME, tags)
            self._run.log(params=params)
        except PsystockError as exc:
            logger.warning("this batch job is not recorded in MLflow: %s", exc)
            self._run = None
            return
        try:
            mark_dead_runs(settings, experiment, JOB_TAGS, self._run.run_id)
        except RegistryError as exc:
            logger.warning("could not look for the runs of killed batch jobs: %s", exc)

    def _beat(self) -> None:
        """Refresh the run's heartbeat until the job ends."""
        while not self._stopped.wait(HEARTBEAT_S):
            self._queue(lambda run: run.log(tags=heartbeat_tags()))

    def _stop_beating(self) -> None:
        self._stopped.set()
        self._heart.join()

    def _queue(self, action: Callable[[RunRecorder], None]) -> None:
        def guarded() -> None:
            if self._run is None:
                return
            try:
                action(self._run)
            except RegistryError as exc:
                logger.warning("recording batch run %s failed: %s", self._run.run_id, exc)

        self._last = self._thread.submit(guarded)

    def _close(self) -> None:
        try:
            self._thread.shutdown(wait=True)
            self._last.result()
        finally:
            self._plots.close()
