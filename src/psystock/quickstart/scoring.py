"""The quickstart's scoring steps: the batch job on a sample file, then the REST API.

The batch step writes the book's ``input.csv`` (the most recent 14-day windows of the fetched
prices, headerless) and scores it with the Production model, recording the job in MLflow. The
API step starts ``psystock serve`` in this process, waits for the model, sends the book's
example row through the same ``curl`` body it prints, and leaves the server running for the
CLI to keep in the foreground (or stops it with ``--no-serve``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from psystock.errors import PsystockError
from psystock.quickstart.run import QuickstartRun

if TYPE_CHECKING:
    from psystock.serving import BackgroundServer

logger = logging.getLogger(__name__)

SAMPLE_ROWS = 200
"""Rows of the quickstart's sample batch input: the most recent 14-day windows."""

BOOK_ROW = [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
"""The row the book sends to its deployed model."""


def write_sample_input(run: QuickstartRun, path: Path) -> int:
    """Write the most recent feature windows of the fetched prices as a headerless CSV."""
    from psystock.data.features import LABEL, build_features

    if run.prices is None:
        raise PsystockError("the quickstart's data step must run before the batch step")
    data = run.settings.data
    features = build_features(run.prices.prices.frame, data.window_days, data.up_threshold)
    sample = features.drop(columns=[LABEL]).tail(SAMPLE_ROWS)
    path.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(path, header=False, index=False)
    return len(sample)


def score_sample_batch(run: QuickstartRun) -> None:
    """Score a sample file with the batch job, as the book's ``batch_scoring.py`` does."""
    from psystock.batch.job import BatchOptions, run_batch

    folder = run.settings.home / "batch"
    source, target = folder / "input.csv", folder / "output.csv"
    rows = write_sample_input(run, source)
    run.report(f"Batch: scoring {rows} rows of {source} with {run.settings.scoring.reference}...")
    report = run_batch(run.settings, str(source), str(target), BatchOptions(overwrite=True))
    text = (
        f"{report.rows_out} rows scored by version {report.model_version} "
        f"({report.positive_rate:.0%} predicted up) -> {Path(report.output).resolve()}"
    )
    run.report(f"Batch: {text}.")
    run.add_summary("Batch job", text)
    if report.run_id:
        experiment = run.settings.batch.experiment
        run.add_summary("Batch run", f"{report.run_id} (experiment {experiment})")


def start_api(run: QuickstartRun) -> None:
    """Start the REST API on the Production model and check the printed curl command's body."""
    from psystock.serving import BackgroundServer
    from psystock.serving.docs_page import curl_example

    server = BackgroundServer(run.settings)
    url = server.start()
    try:
        answer = _score_book_row(server, url)
    except BaseException:
        server.stop()
        raise
    run.report(f"API: serving at {url}; the book's example row scores {answer}.")
    if run.options.should_serve:
        run.add_summary("API", f"{url}  (docs {url}/docs, metrics {url}/metrics)")
        run.add_summary("Try it", curl_example(url))
        run.api = server
        return
    server.stop()
    # No curl command here: nothing listens any more, it could not work.
    run.add_summary(
        "API", f"answered, then stopped (--no-serve); `psystock serve` serves it on {url}"
    )


def _score_book_row(server: BackgroundServer, url: str) -> str:
    """Wait for the model, then send the book's row as the printed curl does; return the body."""
    from psystock.registry._httpx import httpx

    try:
        server.wait_until_loaded()
        answer = httpx.post(
            f"{url}/invocations", json={"dataframe_split": {"data": [BOOK_ROW]}}, timeout=30
        )
    except (PsystockError, httpx.HTTPError) as exc:
        raise PsystockError(f"the API at {url} did not answer the example request: {exc}") from exc
    if answer.status_code != 200:
        raise PsystockError(
            f"the API at {url} answered the example request with {answer.status_code}: "
            f"{answer.text}"
        )
    return answer.text
