r"""The MLflow deployments plugin ``psystock-sagemaker``: MLflow's verbs on psystock's code.

Registered as the ``mlflow.deployments`` entry point ``psystock-sagemaker`` (pyproject), so::

    mlflow deployments create -t psystock-sagemaker:/us-east-1 --name NAME -m MODEL_URI \\
        -C execution_role_arn=ARN -C image_url=IMAGE
    mlflow deployments update|delete|list|get|predict -t psystock-sagemaker:/us-east-1 ...

Config keys (``-C KEY=VALUE``) are the ``PSYSTOCK_SAGEMAKER__*`` settings in lower case
(``execution_role_arn``, ``image_url``, ``bucket``, ``instance_type``, ``instance_count``,
``variant_weight``, ``timeout_s``, ...), plus ``mode`` (update: ``replace`` by default, or
``add``) and ``synchronous`` (``false``: do not wait). psystock's errors become
``MlflowException`` here, MLflow's own error type.
"""

# MLflow's interface fixes the signatures: flavor and endpoint are accepted and unused.
# ruff: noqa: ARG001, ARG002

from __future__ import annotations

from typing import Any

from mlflow.deployments import BaseDeploymentClient, PredictionsResponse
from mlflow.exceptions import MlflowException

from psystock.deploy.sagemaker.aws import Aws
from psystock.deploy.sagemaker.deploy import DeployRequest, Mode, deploy
from psystock.deploy.sagemaker.endpoints import (
    delete_endpoint,
    describe_endpoint,
    find_endpoint,
    list_endpoints,
)
from psystock.deploy.sagemaker.invoke import invoke_endpoint
from psystock.deploy.sagemaker.local import LocalRun
from psystock.deploy.sagemaker.local import run_local as run_container
from psystock.errors import PsystockError
from psystock.settings import Settings, load_settings

TARGET = "psystock-sagemaker"
_OWN_KEYS = ("mode", "synchronous")


def target_help() -> str:
    """What ``mlflow deployments help -t psystock-sagemaker`` prints."""
    return __doc__ or ""


def run_local(
    name: str, model_uri: str, flavor: str | None = None, config: dict[str, Any] | None = None
) -> None:
    """Run the api image on this machine as SageMaker would (``config``: port, image)."""
    from psystock.deploy.docker.build import default_tag
    from psystock.deploy.docker.images import ImageKind

    settings = load_settings()
    given = config or {}
    run = LocalRun(
        model_uri=model_uri,
        image=given.get("image") or default_tag(settings, ImageKind.API),
        port=int(given.get("port", 7777)),
        name=name,
    )
    _mlflow_errors(run_container, settings, run)


def _mlflow_errors(function: Any, *args: Any) -> Any:
    try:
        return function(*args)
    except PsystockError as exc:
        raise MlflowException(exc.message) from exc


class PluginDeploymentClient(BaseDeploymentClient):
    """SageMaker endpoints of ``psystock-sagemaker:/REGION`` (no region: the AWS default)."""

    def __init__(self, target_uri: str) -> None:
        super().__init__(target_uri)  # type: ignore[no-untyped-call]
        region = target_uri.removeprefix(TARGET).removeprefix(":").strip("/")
        self.region = region or None

    def _settings(self, config: dict[str, Any] | None) -> tuple[Settings, Aws]:
        given = {k: v for k, v in (config or {}).items() if k not in _OWN_KEYS}
        if self.region:
            given.setdefault("region_name", self.region)
        settings = load_settings(sagemaker=given)
        return settings, Aws(settings.sagemaker)

    def _deploy(
        self, name: str, model_uri: str, mode: Mode, config: dict[str, Any] | None
    ) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            settings, aws = self._settings(config)
            wait = str((config or {}).get("synchronous", "true")).lower() != "false"
            done = deploy(settings, aws, DeployRequest(name, model_uri, mode, wait=wait))
            return {
                "name": name,
                "flavor": "python_function",
                "status": done.endpoint.status,
                "endpoint_arn": done.endpoint.arn,
                "model": done.model,
                "config": done.config,
                "image": done.image,
                "model_data_url": done.model_data_url,
            }

        result: dict[str, Any] = _mlflow_errors(run)
        return result

    def create_deployment(
        self,
        name: str,
        model_uri: str,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Create the endpoint ``name`` serving ``model_uri`` (refused if it exists)."""
        return self._deploy(name, model_uri, Mode.CREATE, config)

    def update_deployment(
        self,
        name: str,
        model_uri: str | None = None,
        flavor: str | None = None,
        config: dict[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """Replace the model of ``name`` (``-C mode=add`` adds a variant instead)."""
        if model_uri is None:
            raise MlflowException("psystock-sagemaker updates need a model: pass --model-uri")
        mode = Mode(str((config or {}).get("mode", Mode.REPLACE.value)))
        return self._deploy(name, model_uri, mode, config)

    def delete_deployment(
        self, name: str, config: dict[str, Any] | None = None, endpoint: str | None = None
    ) -> None:
        """Delete the endpoint, its configs, models and S3 archives; nothing if it is gone."""

        def run() -> None:
            _, aws = self._settings(config)
            if find_endpoint(aws, name) is not None:
                delete_endpoint(aws, name)

        _mlflow_errors(run)

    def list_deployments(self, endpoint: str | None = None) -> list[dict[str, Any]]:
        """Every endpoint of the region: name, status, ARN, creation time."""

        def run() -> list[dict[str, Any]]:
            _, aws = self._settings(None)
            return [
                {
                    "name": item["EndpointName"],
                    "status": item["EndpointStatus"],
                    "endpoint_arn": item["EndpointArn"],
                    "created": item["CreationTime"].isoformat(timespec="seconds"),
                }
                for item in list_endpoints(aws)
            ]

        result: list[dict[str, Any]] = _mlflow_errors(run)
        return result

    def get_deployment(self, name: str, endpoint: str | None = None) -> dict[str, Any]:
        """The endpoint: name, status, config, variants, failure reason."""

        def run() -> dict[str, Any]:
            _, aws = self._settings(None)
            found = describe_endpoint(aws, name)
            return {
                "name": found.name,
                "status": found.status,
                "endpoint_arn": found.arn,
                "config": found.config,
                "variants": [variant.__dict__ for variant in found.variants],
                "failure_reason": found.failure_reason,
            }

        result: dict[str, Any] = _mlflow_errors(run)
        return result

    def predict(
        self, deployment_name: str | None = None, inputs: Any = None, endpoint: str | None = None
    ) -> PredictionsResponse:
        """Score ``inputs`` (a DataFrame, as pandas' split JSON; or a dict, as JSON)."""
        import json

        if deployment_name is None:
            raise MlflowException("psystock-sagemaker predictions need a deployment name")
        if hasattr(inputs, "to_json"):
            body = inputs.to_json(orient="split").encode()
        else:
            body = json.dumps(inputs).encode()

        def run() -> PredictionsResponse:
            _, aws = self._settings(None)
            answer = invoke_endpoint(aws, deployment_name, body, "application/json")
            parsed = json.loads(answer.body)
            # A body without a dataframe_split key is MLflow 1.x's layout: a bare list answers.
            wrapped = parsed if isinstance(parsed, dict) else {"predictions": parsed}
            return PredictionsResponse(wrapped)

        result: PredictionsResponse = _mlflow_errors(run)
        return result
