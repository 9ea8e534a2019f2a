"""The quickstart: from nothing to a PsyStock model in Production, as a list of steps.

Steps run in order on one ``QuickstartRun``: the local registry (started, or reused when it
already runs), the prices (Yahoo Finance when reachable, else synthetic, saying which), the
training run and its registered version, the promotion to ``Production``, a batch job on a
sample file and the REST API (``psystock.quickstart_scoring``). Each step adds lines to the
summary; a new step plugs in by being added to the list before the final ``stop registry`` step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from psystock.data.sources import FetchedPrices, FetchRequest, fetch_prices
from psystock.data.store import default_prices_path, save_prices
from psystock.data.yahoo import FALLBACK_HINT
from psystock.errors import DataSourceError, InputError
from psystock.quickstart_scoring import score_sample_batch, start_api
from psystock.settings import Settings
from psystock.training.tracking import web_url

if TYPE_CHECKING:
    from psystock.registry.local_server import ServerStatus
    from psystock.registry.models import ModelVersionSummary
    from psystock.serving import BackgroundServer
    from psystock.training.train import TrainingResult

logger = logging.getLogger(__name__)

QuickstartSource = Literal["auto", "yahoo", "csv", "synthetic"]
PRODUCTION = "Production"
DEFAULT_HOME = Path(".psystock")
SHOWN_METRICS = ("accuracy", "f1", "roc_auc", "mcc")


@dataclass(frozen=True)
class QuickstartOptions:
    """What the user chose: the price source and whether the registry keeps running."""

    source: QuickstartSource = "auto"
    csv_path: Path | None = None
    should_keep_registry: bool = True
    should_serve: bool = True


@dataclass
class QuickstartRun:
    """The state the steps share: settings, what each step produced, and the summary."""

    settings: Settings
    options: QuickstartOptions
    report: Callable[[str], None]
    registry: ServerStatus | None = None
    has_started_registry: bool = False
    prices: FetchedPrices | None = None
    prices_path: Path | None = None
    training: TrainingResult | None = None
    promoted: ModelVersionSummary | None = None
    api: BackgroundServer | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)

    def add_summary(self, label: str, text: str) -> None:
        """Add one ``label: text`` line to the final summary."""
        self.summary.append((label, text))


@dataclass(frozen=True)
class QuickstartStep:
    """One named step of the quickstart."""

    name: str
    run: Callable[[QuickstartRun], None]


def start_registry(run: QuickstartRun) -> None:
    """Start the local registry (or reuse it); an explicit tracking URI skips this."""
    from psystock.registry.local_server import server_status, start_server

    if run.settings.tracking_uri:
        run.report(f"Registry: using {run.settings.tracking_uri} (MLFLOW_TRACKING_URI).")
        return
    if not server_status(run.settings).is_running:
        where = f"{run.settings.registry.host}:{run.settings.registry.port}"
        run.report(f"Registry: starting the local MLflow registry on {where}...")
    status = start_server(run.settings)
    run.registry = status
    run.has_started_registry = not status.was_already_running
    run.settings = run.settings.model_copy(update={"tracking_uri": status.url})
    verb = "reusing the registry already running" if status.was_already_running else "running"
    run.report(f"Registry: {verb} at {status.url} (backend {status.backend_store_uri}).")


def fetch_data(run: QuickstartRun) -> None:
    """Fetch prices from the chosen source; ``auto`` falls back from Yahoo to synthetic."""
    options = run.options
    if options.source == "csv" and options.csv_path is None:
        raise InputError("--source csv needs the PATH of a CSV in Yahoo Finance format")
    if options.source == "auto":
        try:
            fetched = fetch_prices(FetchRequest("yahoo"), run.settings)
        except DataSourceError as exc:
            run.report(f"Data: {exc.message.removesuffix(f'; {FALLBACK_HINT}')}.")
            run.report("Data: falling back to SYNTHETIC prices (generated, not market data).")
            fetched = fetch_prices(FetchRequest("synthetic"), run.settings)
    else:
        fetched = fetch_prices(FetchRequest(options.source, options.csv_path), run.settings)
    path = default_prices_path(run.settings)
    save_prices(fetched, path)
    run.prices, run.prices_path = fetched, path
    report = fetched.prices.report
    kind = "SYNTHETIC prices (not market data)" if fetched.is_synthetic else "prices"
    text = (
        f"{report.rows_kept:,} days of {fetched.ticker} {kind} from {fetched.source}, "
        f"{report.first_date} to {report.last_date} ({report.null_rows_dropped} rows with "
        f"missing values dropped) -> {path.resolve()}"
    )
    run.report(f"Data: {text}.")
    run.add_summary("Data", text)


def train(run: QuickstartRun) -> None:
    """Train, log and register the model on the fetched prices."""
    from psystock.training.train import train_model

    run.report("Training: XGBoost on 14-day up/down windows, logged to MLflow...")
    result = train_model(run.settings, run.prices_path)
    run.training = result
    metrics = ", ".join(
        f"{name} {result.metrics[f'test_{name}']:.3f}"
        for name in SHOWN_METRICS
        if f"test_{name}" in result.metrics
    )
    run.report(f"Training: run {result.run_id}, registered version {result.model_version}.")
    run.add_summary("Run", f"{result.run_id}  {result.run_url or ''}".rstrip())
    run.add_summary("Test metrics", metrics)


def promote_to_production(run: QuickstartRun) -> None:
    """Move the new version to Production (stage and alias ``production``)."""
    from psystock.registry.models import promote

    result = run.training
    if result is None:
        raise RuntimeError("the quickstart's train step must run before promotion")
    summary = promote(run.settings, result.model_version, PRODUCTION, result.model_name)
    run.promoted = summary
    aliases = ", ".join(summary.aliases) or "none"
    text = f"{summary.name} version {summary.version}: stage {summary.stage}, alias {aliases}" + (
        " (trained on SYNTHETIC prices)" if result.is_synthetic else ""
    )
    run.report(f"Promotion: {text}.")
    run.add_summary("Model", text)


def stop_registry(run: QuickstartRun) -> None:
    """Stop the registry when asked to; otherwise say how to look at it and stop it later."""
    from psystock.registry.local_server import stop_server

    if run.registry is None:
        return
    stop = stop_command(run.settings.home)
    if run.options.should_keep_registry:
        run.add_summary("Registry", f"running at {run.registry.url}; stop it with `{stop}`")
        return
    stop_server(run.settings)
    run.add_summary(
        "Registry", f"stopped (start it again with `{start_command(run.settings.home)}`)"
    )


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


def stop_command(home: Path) -> str:
    """The command that stops the registry of ``home``."""
    return _with_home("psystock registry down", home)


def start_command(home: Path) -> str:
    """The command that starts the registry of ``home``."""
    return _with_home("psystock registry up", home)


def _with_home(command: str, home: Path) -> str:
    if home.resolve() == DEFAULT_HOME.resolve():
        return command
    return command.replace("psystock ", f"psystock --home {home.resolve()} ", 1)
