"""Deploy a model to a SageMaker endpoint: create, replace or add a variant, or roll back.

One deployment, in order: the model archive to S3, a SageMaker model, an endpoint config, then
CreateEndpoint (a new endpoint) or UpdateEndpoint (replace/add), then a wait for InService.
When a step fails, what this deployment created is deleted again, newest first, and the error
carries SageMaker's reason; an endpoint being replaced keeps serving its old config. After a
successful replace the old config, its models and their archives are deleted; after an add,
the old config only (its models still serve).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from psystock import __version__
from psystock.deploy.sagemaker.aws import Aws
from psystock.deploy.sagemaker.endpoints import (
    Endpoint,
    delete_config,
    delete_model,
    describe_endpoint,
    find_endpoint,
    wait_in_service,
)
from psystock.deploy.sagemaker.names import (
    MODEL_URI_TAG,
    check_endpoint_name,
    resource_names,
    tags,
)
from psystock.deploy.sagemaker.package import (
    ARCHIVE_NAME,
    S3Object,
    default_bucket,
    delete_object,
    ensure_bucket,
    upload_model,
)
from psystock.errors import ConfigError, InputError, PsystockError
from psystock.settings import Settings

logger = logging.getLogger(__name__)


class Mode(StrEnum):
    """What ``deploy`` does to an endpoint that exists."""

    CREATE = "create"
    REPLACE = "replace"
    ADD = "add"


@dataclass(frozen=True)
class DeployRequest:
    """One deployment.

    Attributes:
        name: the endpoint's name.
        model_uri: the model reference to package (models:/..., runs:/..., a path).
        mode: create (refused if the endpoint exists), replace or add.
        wait: wait for InService (False: return once SageMaker accepted the request).
    """

    name: str
    model_uri: str
    mode: Mode = Mode.CREATE
    wait: bool = True


@dataclass(frozen=True)
class Deployment:
    """What a deployment did.

    Attributes:
        endpoint: the endpoint after it (status InService when waited for).
        model: the new SageMaker model's name.
        config: the new endpoint config's name.
        image: the image the model runs.
        model_data_url: the model archive in S3.
        created: whether the endpoint was created (False: updated).
        removed: old configs and models deleted after a replace or add.
        duration_s: how long it took.
    """

    endpoint: Endpoint
    model: str
    config: str
    image: str
    model_data_url: str
    created: bool
    removed: tuple[str, ...]
    duration_s: float


_CREATE = {
    "config": ("create_endpoint_config", "EndpointConfigName"),
    "endpoint": ("create_endpoint", "EndpointName"),
}
"""How ``_Undo.create`` makes each kind: the SageMaker call and the parameter naming it."""


class _Undo:
    """What this deployment created, to delete again if it fails (newest first)."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.steps: list[tuple[str, Any]] = []

    def push(self, kind: str, name: str) -> None:
        self.steps.append((kind, name))

    def create(self, kind: str, name: str, **params: Any) -> None:
        """Create the endpoint config or endpoint ``name``, to be deleted if the rest fails."""
        method, name_param = _CREATE[kind]
        self.aws.call("sagemaker", method, **{name_param: name}, **params)
        self.push(kind, name)

    def run(self) -> None:
        logger.warning("rolling back what this deployment created")
        for kind, name in reversed(self.steps):
            try:
                if kind == "endpoint":
                    self.aws.call("sagemaker", "delete_endpoint", EndpointName=name)
                    logger.info("deleted endpoint %s", name)
                elif kind == "config":
                    delete_config(self.aws, name)
                elif kind == "model":
                    delete_model(self.aws, name)
                else:
                    delete_object(self.aws, name)
            except PsystockError as exc:  # go on: delete as much as can be deleted
                logger.error("could not delete %s %s: %s", kind, name, exc.message)


def default_image(settings: Settings, aws: Aws) -> str:
    """``REGISTRY/REPOSITORY:VERSION``, what build-and-push pushes (REGISTRY: ECR's by default)."""
    sagemaker = settings.sagemaker
    if sagemaker.image_url:
        return sagemaker.image_url
    registry = sagemaker.registry_uri or f"{aws.account_id()}.dkr.ecr.{aws.region}.amazonaws.com"
    return f"{registry}/{sagemaker.repository}:{__version__}"


def require_execution_role(settings: Settings) -> str:
    """The IAM role SageMaker assumes for a model.

    Raises:
        ConfigError: none is set.
    """
    role = settings.sagemaker.execution_role_arn
    if not role:
        raise ConfigError(
            "no execution role: pass --execution-role-arn or set "
            "PSYSTOCK_SAGEMAKER__EXECUTION_ROLE_ARN (an IAM role SageMaker can assume)"
        )
    return role


def create_model(
    settings: Settings,
    aws: Aws,
    model: str,
    model_uri: str,
    archive: S3Object,
    image: str,
    owner_tags: list[dict[str, str]],
) -> None:
    """Upload ``model_uri`` as ``archive`` and create the SageMaker model ``model`` running it.

    The model is tagged with ``owner_tags`` and the model reference it was packaged from.
    """
    baked = upload_model(settings, aws, model_uri, archive)
    aws.call(
        "sagemaker",
        "create_model",
        ModelName=model,
        ExecutionRoleArn=require_execution_role(settings),
        PrimaryContainer={"Image": image, "ModelDataUrl": archive.url},
        Tags=[*owner_tags, {"Key": MODEL_URI_TAG, "Value": baked.reference[:256]}],
    )
    logger.info("created model %s (image %s, model %s)", model, image, archive.url)


def deploy(settings: Settings, aws: Aws, request: DeployRequest) -> Deployment:
    """Deploy ``request.model_uri`` to the endpoint ``request.name``.

    Raises:
        InputError: create mode and the endpoint exists; a bad endpoint name.
        ConfigError: no execution role.
        SageMakerError: AWS refused a step, or the endpoint did not come up (rolled back).
        RegistryError, ModelLoadError: the model cannot be had.
    """
    started = time.monotonic()
    config_of = settings.sagemaker
    name = check_endpoint_name(request.name)
    require_execution_role(settings)
    existing = find_endpoint(aws, name)
    if existing is not None and request.mode is Mode.CREATE:
        raise InputError(
            f"endpoint {name} already exists ({existing.status}): deploy with --mode replace "
            "or --mode add to update it, or delete it first"
        )
    if existing is not None and existing.status != "InService":
        raise InputError(f"endpoint {name} is {existing.status}: wait until it is InService")
    image = default_image(settings, aws)
    bucket = config_of.bucket or default_bucket(aws)
    ensure_bucket(aws, bucket)
    model, config = resource_names(name)
    archive = S3Object(bucket, f"{name}/{model}/{ARCHIVE_NAME}")
    undo = _Undo(aws)
    try:
        undo.push("s3", archive.url)
        create_model(settings, aws, model, request.model_uri, archive, image, tags(name))
        undo.push("model", model)
        variants = _variants(settings, existing, request.mode, model)
        undo.create("config", config, ProductionVariants=variants, Tags=tags(name))
        logger.info(
            "created endpoint config %s (%s)", config, ", ".join(_describe(v) for v in variants)
        )
        if existing is None:
            undo.create("endpoint", name, EndpointConfigName=config, Tags=tags(name))
            logger.info("creating endpoint %s", name)
        else:
            aws.call("sagemaker", "update_endpoint", EndpointName=name, EndpointConfigName=config)
            logger.info("updating endpoint %s: %s -> %s", name, existing.config, config)
        if request.wait:
            endpoint = wait_in_service(
                aws, name, config, config_of.timeout_s, config_of.poll_interval_s
            )
        else:
            endpoint = describe_endpoint(aws, name)
    except (PsystockError, KeyboardInterrupt):
        undo.run()
        raise
    removed = _remove_old(aws, existing, request) if request.wait else ()
    return Deployment(
        endpoint=endpoint,
        model=model,
        config=config,
        image=image,
        model_data_url=archive.url,
        created=existing is None,
        removed=removed,
        duration_s=time.monotonic() - started,
    )


def _variants(
    settings: Settings, existing: Endpoint | None, mode: Mode, model: str
) -> list[dict[str, Any]]:
    sagemaker = settings.sagemaker
    new = {
        "VariantName": model,
        "ModelName": model,
        "InstanceType": sagemaker.instance_type,
        "InitialInstanceCount": sagemaker.instance_count,
        "InitialVariantWeight": 1.0,
    }
    if existing is None or mode is not Mode.ADD:
        return [new]
    kept = [
        {
            "VariantName": v.name,
            "ModelName": v.model,
            "InstanceType": v.instance_type,
            "InitialInstanceCount": v.instance_count,
            "InitialVariantWeight": 1.0 if v.weight is None else v.weight,
        }
        for v in existing.variants
    ]
    return [*kept, {**new, "InitialVariantWeight": sagemaker.variant_weight}]


def _remove_old(aws: Aws, existing: Endpoint | None, request: DeployRequest) -> tuple[str, ...]:
    """After a replace: the old config, its models and archives; after an add: the old config."""
    if existing is None:
        return ()
    delete_config(aws, existing.config)
    removed = [existing.config]
    if request.mode is Mode.REPLACE:
        for variant in existing.variants:
            delete_model(aws, variant.model)
            removed.append(variant.model)
    return tuple(removed)


def _describe(variant: dict[str, Any]) -> str:
    return (
        f"{variant['ModelName']} on {variant['InitialInstanceCount']} x "
        f"{variant['InstanceType']}, weight {variant['InitialVariantWeight']:g}"
    )
