"""Record a training run in MLflow and register its model: the MLflow side of training.

One run holds the parameters, the metrics, the plots, the data source (as a tag and a param)
and the model (``mlflow.xgboost.log_model`` with a signature inferred from the integer-named
feature frame and an input example). The model is registered under the scoring model name and
its version is tagged and described with the data source, so synthetic data stays labelled in
the registry too. MLflow's exceptions become ``RegistryError`` through
``translate_mlflow_errors``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psystock.errors import RegistryError
from psystock.registry._client import create_client
from psystock.registry._errors import translate_mlflow_errors
from psystock.registry._httpx import httpx
from psystock.registry._tls import tls_context

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import xgboost as xgb
    from matplotlib.figure import Figure
    from mlflow import MlflowClient

    from psystock.settings import Settings

logger = logging.getLogger(__name__)

MODEL_ARTIFACT = "model"
RUN_NAME = "psystock-training"
DATA_SOURCE_TAG = "data_source"
REACHABILITY_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class RunRecord:
    """Everything one training run logs."""

    booster: xgb.Booster
    params: dict[str, Any]
    metrics: dict[str, float]
    data_source: str
    input_example: pd.DataFrame
    example_output: np.ndarray[Any, np.dtype[np.float64]]
    figures: dict[str, Figure] = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class LoggedRun:
    """Where a training run and its registered model version ended up."""

    run_id: str
    experiment_id: str
    model_name: str
    model_version: str
    model_uri: str
    run_url: str | None
    model_url: str | None


def check_tracking_server(uri: str) -> None:
    """Fail fast, with a hint, when an HTTP tracking server does not answer at all.

    MLflow's own client retries a refused connection for minutes before it gives up.

    Raises:
        RegistryError: nothing accepts connections at ``uri``.
    """
    if not uri.startswith(("http://", "https://")):
        return
    try:
        httpx.get(
            f"{uri.rstrip('/')}/health", timeout=REACHABILITY_TIMEOUT_S, verify=tls_context(uri)
        )
    except httpx.TransportError as exc:
        raise RegistryError(
            f"MLflow tracking server {uri} is unreachable ({type(exc).__name__}: {exc}): "
            "start the local one with `psystock registry up`, or set MLFLOW_TRACKING_URI"
        ) from exc


def web_url(tracking_uri: str, fragment: str) -> str | None:
    """A link into the MLflow UI (``http://host:port/#/<fragment>``) for HTTP tracking URIs."""
    if not tracking_uri.startswith(("http://", "https://")):
        return None
    return f"{tracking_uri.rstrip('/')}/#/{fragment}"


def log_training_run(settings: Settings, record: RunRecord) -> LoggedRun:
    """Log ``record`` as a run in ``settings.training.experiment`` and register its model.

    Raises:
        RegistryError: the tracking server is unreachable or refuses a request.
    """
    import mlflow

    uri = settings.resolved_tracking_uri
    name = settings.scoring.model_name
    check_tracking_server(uri)
    # MLflow writes "View run ... at ..." to stdout; stdout is for psystock's own output.
    chatter = io.StringIO()
    with (
        translate_mlflow_errors(f"logging the training run to {uri}"),
        contextlib.redirect_stdout(chatter),
    ):
        client = create_client(settings)
        mlflow.set_tracking_uri(uri)
        experiment_id = _experiment_id(client, settings.training.experiment)
        tags = {DATA_SOURCE_TAG: record.data_source}
        with mlflow.start_run(experiment_id=experiment_id, run_name=RUN_NAME, tags=tags) as run:
            mlflow.log_params(record.params)
            mlflow.log_metrics(record.metrics)
            for artifact_path, figure in record.figures.items():
                mlflow.log_figure(figure, artifact_path)
            info = mlflow.xgboost.log_model(
                record.booster,
                name=MODEL_ARTIFACT,
                signature=_signature(record),
                input_example=record.input_example,
                registered_model_name=name,
            )
        version = str(info.registered_model_version)
        client.set_model_version_tag(name, version, DATA_SOURCE_TAG, record.data_source)
        if record.description:
            client.update_model_version(name, version, description=record.description)
    logger.debug("mlflow: %s", chatter.getvalue().strip())
    run_id = run.info.run_id
    logger.info("logged run %s and registered %s version %s", run_id, name, version)
    return LoggedRun(
        run_id=run_id,
        experiment_id=experiment_id,
        model_name=name,
        model_version=version,
        model_uri=f"models:/{name}/{version}",
        run_url=web_url(uri, f"experiments/{experiment_id}/runs/{run_id}"),
        model_url=web_url(uri, f"models/{name}/versions/{version}"),
    )


def _experiment_id(client: MlflowClient, name: str) -> str:
    experiment = client.get_experiment_by_name(name)
    if experiment is None:
        return str(client.create_experiment(name))
    if experiment.lifecycle_stage == "deleted":
        raise RegistryError(
            f"experiment {name!r} is deleted: restore it in the MLflow UI, or set "
            "PSYSTOCK_TRAINING__EXPERIMENT to another name"
        )
    return str(experiment.experiment_id)


def _signature(record: RunRecord) -> Any:
    from mlflow.models import infer_signature

    with warnings.catch_warnings():
        # The features are 0/1 integers that are never missing, which is what MLflow warns about.
        warnings.filterwarnings("ignore", message=".*Inferred schema contains integer column")
        return infer_signature(record.input_example, record.example_output)
