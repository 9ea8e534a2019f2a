"""Endpoints as SageMaker holds them: describe, list, wait for, delete with what they own."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from psystock.deploy.sagemaker.aws import Aws
from psystock.deploy.sagemaker.names import ENDPOINT_TAG, check_endpoint_name
from psystock.deploy.sagemaker.package import delete_object
from psystock.errors import SageMakerError

logger = logging.getLogger(__name__)

IN_SERVICE = "InService"
FAILED = "Failed"


@dataclass(frozen=True)
class Variant:
    """One production variant of an endpoint."""

    name: str
    model: str
    instance_type: str | None
    instance_count: int | None
    weight: float | None


@dataclass(frozen=True)
class Endpoint:
    """An endpoint as ``DescribeEndpoint`` and its config describe it."""

    name: str
    arn: str
    status: str
    config: str
    variants: tuple[Variant, ...] = ()
    failure_reason: str | None = None
    created: str | None = None
    modified: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def find_endpoint(aws: Aws, name: str) -> Endpoint | None:
    """The endpoint ``name``, or None when SageMaker has none of that name."""
    check_endpoint_name(name)
    try:
        answer = aws.call("sagemaker", "describe_endpoint", EndpointName=name)
    except SageMakerError as exc:
        if exc.code == "ValidationException" and "Could not find" in exc.message:
            return None
        raise
    config = aws.call(
        "sagemaker", "describe_endpoint_config", EndpointConfigName=answer["EndpointConfigName"]
    )
    weights = {
        v["VariantName"]: v.get("CurrentWeight") for v in answer.get("ProductionVariants", [])
    }
    variants = tuple(
        Variant(
            name=v["VariantName"],
            model=v["ModelName"],
            instance_type=v.get("InstanceType"),
            instance_count=v.get("InitialInstanceCount"),
            weight=weights.get(v["VariantName"]) or v.get("InitialVariantWeight"),
        )
        for v in config["ProductionVariants"]
    )
    answer.pop("ResponseMetadata", None)
    return Endpoint(
        name=answer["EndpointName"],
        arn=answer["EndpointArn"],
        status=answer["EndpointStatus"],
        config=answer["EndpointConfigName"],
        variants=variants,
        failure_reason=answer.get("FailureReason"),
        created=_time(answer.get("CreationTime")),
        modified=_time(answer.get("LastModifiedTime")),
        raw=answer,
    )


def describe_endpoint(aws: Aws, name: str) -> Endpoint:
    """The endpoint ``name``.

    Raises:
        SageMakerError: there is none (or AWS failed).
    """
    found = find_endpoint(aws, name)
    if found is None:
        raise SageMakerError(f"no SageMaker endpoint {name!r} in {aws.region}")
    return found


def list_endpoints(aws: Aws) -> list[dict[str, Any]]:
    """Every endpoint of the region, newest first: name, status, times, ARN."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"SortBy": "CreationTime", "SortOrder": "Descending"}
    while True:
        answer = aws.call("sagemaker", "list_endpoints", **params)
        found += answer.get("Endpoints", [])
        if not answer.get("NextToken"):
            return found
        params["NextToken"] = answer["NextToken"]


def wait_in_service(
    aws: Aws, name: str, config: str, timeout_s: float, poll_interval_s: float
) -> Endpoint:
    """Wait until ``name`` serves ``config``; log each status it goes through.

    Raises:
        SageMakerError: it failed, was rolled back to another config, or the time ran out;
            the message carries SageMaker's failure reason.
    """
    started = time.monotonic()
    last = ""
    while True:
        endpoint = describe_endpoint(aws, name)
        elapsed = time.monotonic() - started
        if endpoint.status != last:
            logger.info("endpoint %s: %s (%.0f s)", name, endpoint.status, elapsed)
            last = endpoint.status
        if endpoint.status == IN_SERVICE and endpoint.config == config:
            return endpoint
        if endpoint.status == FAILED:
            raise SageMakerError(
                f"endpoint {name} failed: {endpoint.failure_reason or 'SageMaker gave no reason'}"
            )
        if endpoint.status == IN_SERVICE:
            raise SageMakerError(
                f"endpoint {name} did not take config {config} and still serves "
                f"{endpoint.config}: {endpoint.failure_reason or 'SageMaker gave no reason'}"
            )
        if elapsed > timeout_s:
            raise SageMakerError(
                f"endpoint {name} is still {endpoint.status} after {timeout_s:g} s "
                "(--timeout, PSYSTOCK_SAGEMAKER__TIMEOUT_S)"
            )
        time.sleep(poll_interval_s)


@dataclass
class Owned:
    """What belongs to one endpoint: its configs and the models their variants run."""

    configs: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)

    def add(self, configs: list[str] = (), models: list[str] = ()) -> None:  # type: ignore[assignment]
        """Add names not yet listed, keeping their order."""
        self.configs += [c for c in configs if c not in self.configs]
        self.models += [m for m in models if m not in self.models]


def owned_by(aws: Aws, endpoint: Endpoint) -> Owned:
    """The endpoint's config and models, and every config and model psystock tagged for it."""
    owned = Owned([endpoint.config], [v.model for v in endpoint.variants])
    for kind, list_operation, key, name_key in (
        ("configs", "list_endpoint_configs", "EndpointConfigs", "EndpointConfigName"),
        ("models", "list_models", "Models", "ModelName"),
    ):
        arn_key = name_key.replace("Name", "Arn")
        for item in _paginate(aws, list_operation, key, NameContains=endpoint.name):
            tagged = aws.call("sagemaker", "list_tags", ResourceArn=item[arn_key]).get("Tags", [])
            if {"Key": ENDPOINT_TAG, "Value": endpoint.name} in tagged:
                owned.add(**{kind: [item[name_key]]})
    return owned


def delete_model(aws: Aws, model: str) -> None:
    """Delete ``model`` and its S3 archive; log both. A model already gone is skipped."""
    try:
        described = aws.call("sagemaker", "describe_model", ModelName=model)
    except SageMakerError as exc:
        if exc.code == "ValidationException" and "Could not find" in exc.message:
            logger.info("model %s is already gone", model)
            return
        raise
    data_url = described.get("PrimaryContainer", {}).get("ModelDataUrl")
    if data_url:
        delete_object(aws, data_url)
    aws.call("sagemaker", "delete_model", ModelName=model)
    logger.info("deleted model %s (%s)", model, described["ModelArn"])


def delete_config(aws: Aws, config: str) -> None:
    """Delete the endpoint config ``config`` and log it."""
    aws.call("sagemaker", "delete_endpoint_config", EndpointConfigName=config)
    logger.info("deleted endpoint config %s", config)


def delete_endpoint(aws: Aws, name: str) -> Owned:
    """Delete the endpoint ``name``, its configs, their models and the models' S3 archives.

    Returns:
        What was deleted besides the endpoint.

    Raises:
        SageMakerError: there is no such endpoint, or AWS refused a deletion.
    """
    endpoint = describe_endpoint(aws, name)
    owned = owned_by(aws, endpoint)
    aws.call("sagemaker", "delete_endpoint", EndpointName=name)
    logger.info("deleted endpoint %s (%s)", name, endpoint.arn)
    for config in owned.configs:
        delete_config(aws, config)
    for model in owned.models:
        delete_model(aws, model)
    return owned


def _paginate(aws: Aws, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        answer = aws.call("sagemaker", operation, **params)
        found += answer.get(key, [])
        if not answer.get("NextToken"):
            return found
        params["NextToken"] = answer["NextToken"]


def _time(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else None
