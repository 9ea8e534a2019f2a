"""The quickstart's steps up to a model in Production: registry, data, training, promotion.

Each step takes the ``QuickstartRun``, does one thing, reports it and adds summary lines;
``stop_registry`` ends the run. The scoring steps are in ``psystock.quickstart.scoring``.
"""

from __future__ import annotations

import logging

from psystock.data.sources import FetchRequest, fetch_prices
from psystock.data.store import default_prices_path, save_prices
from psystock.data.yahoo import FALLBACK_HINT
from psystock.errors import DataSourceError, InputError, RegistryError
from psystock.quickstart.commands import start_command, stop_command
from psystock.quickstart.run import QuickstartRun
from psystock.registry._errors import START_HINT
from psystock.registry._uris import is_http_uri, redact_uri

logger = logging.getLogger(__name__)

PRODUCTION = "Production"
SHOWN_METRICS = ("accuracy", "f1", "roc_auc", "mcc")


def start_registry(run: QuickstartRun) -> None:
    """Start the local registry (or reuse it); an explicit tracking URI is checked instead.

    Raises:
        RegistryError: the registry of an explicit ``http(s)`` tracking URI does not answer
            (checked before fetching and training, not after).
    """
    from psystock.registry.local_server import is_healthy, server_status, start_server

    uri = run.settings.tracking_uri
    if uri:
        if is_http_uri(uri) and not is_healthy(uri.rstrip("/")):
            raise RegistryError(f"the registry {redact_uri(uri)} does not answer: {START_HINT}")
        run.report(f"Registry: using {redact_uri(uri)} (MLFLOW_TRACKING_URI).")
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
    """Stop the registry when asked to; otherwise say how to look at it and stop it later.

    While the API serves in the foreground, the registry is stopped after it
    (``stop_registry_after_api``): the API removes its webhook from the registry as it stops,
    and would otherwise poll a registry that is gone.
    """
    if run.registry is None:
        return
    stop = stop_command(run.settings.home)
    if run.options.should_keep_registry:
        run.add_summary("Registry", f"running at {run.registry.url}; stop it with `{stop}`")
        return
    start = start_command(run.settings.home)
    if run.api is not None:
        run.add_summary("Registry", f"stopped when the API stops (start it again with `{start}`)")
        return
    _stop_registry_server(run)
    run.add_summary("Registry", f"stopped (start it again with `{start}`)")


def stop_registry_after_api(run: QuickstartRun) -> None:
    """Stop the registry once the foreground API has stopped, unless asked to keep it.

    Called once the API that ``stop_registry`` waited for has stopped.
    """
    if run.registry is not None and not run.options.should_keep_registry:
        _stop_registry_server(run)
        run.report("Registry stopped.")


def _stop_registry_server(run: QuickstartRun) -> None:
    from psystock.registry.local_server import stop_server

    stop_server(run.settings)
