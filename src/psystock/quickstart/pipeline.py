"""The quickstart: from nothing to a PsyStock model in Production, as a list of steps.

Steps run in order on one ``QuickstartRun``: the local registry (started, or reused when it
already runs), the prices (Yahoo Finance when reachable, else synthetic, saying which), the
training run and its registered version, the promotion to ``Production``, a batch job on a
sample file and the REST API. Each step adds lines to the summary; a new step plugs in by
being added to the list before the final ``stop registry`` step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from psystock.quickstart.run import QuickstartOptions, QuickstartRun, QuickstartStep
from psystock.quickstart.scoring import score_sample_batch, start_api
from psystock.quickstart.steps import (
    fetch_data,
    promote_to_production,
    start_registry,
    stop_registry,
    train,
)
from psystock.settings import Settings
from psystock.training.tracking import web_url

logger = logging.getLogger(__name__)

DEFAULT_STEPS: tuple[QuickstartStep, ...] = (
    QuickstartStep("registry", start_registry),
    QuickstartStep("data", fetch_data),
    QuickstartStep("train", train),
    QuickstartStep("promote", promote_to_production),
    QuickstartStep("batch", score_sample_batch),
    QuickstartStep("api", start_api),
    QuickstartStep("stop registry", stop_registry),
)
"""The quickstart's steps, in order."""


def run_quickstart(
    settings: Settings,
    options: QuickstartOptions,
    report: Callable[[str], None],
    steps: Sequence[QuickstartStep] = DEFAULT_STEPS,
) -> QuickstartRun:
    """Run the steps in order and return what they produced, with the summary.

    When a step fails and the user asked to stop the registry, a registry this run started
    is stopped before the error propagates; otherwise it keeps running for inspection.

    Raises:
        PsystockError: the first step that fails (its own error, unchanged).
    """
    run = QuickstartRun(settings=settings, options=options, report=report)
    try:
        for step in steps:
            logger.debug("quickstart step: %s", step.name)
            step.run(run)
    except BaseException:
        if run.api is not None:
            run.api.stop()
        if run.has_started_registry and not options.should_keep_registry:
            from psystock.registry.local_server import stop_server

            stop_server(run.settings)
        raise
    if run.training is not None:
        ui = web_url(run.settings.resolved_tracking_uri, f"models/{run.training.model_name}")
        if ui:
            run.summary.insert(0, ("MLflow UI", ui))
    return run
