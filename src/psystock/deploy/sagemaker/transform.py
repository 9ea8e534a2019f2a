"""Batch transform: score every object under an S3 prefix with a model, into another prefix.

SageMaker starts the image with ``serve`` (the same contract as an endpoint), sends each input
object to ``/invocations`` with the given content type and writes each answer to
``OUTPUT/KEY.out``. The model (archive and SageMaker model) is created for the job and deleted
once it has finished, whatever the outcome; a failed job reports SageMaker's reason.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

from psystock.deploy.sagemaker.aws import Aws
from psystock.deploy.sagemaker.deploy import create_model, default_image, require_execution_role
from psystock.deploy.sagemaker.endpoints import delete_model
from psystock.deploy.sagemaker.names import check_endpoint_name
from psystock.deploy.sagemaker.package import (
    ARCHIVE_NAME,
    S3Object,
    default_bucket,
    delete_object,
    ensure_bucket,
)
from psystock.errors import InputError, PsystockError, SageMakerError
from psystock.settings import Settings

logger = logging.getLogger(__name__)

JOB_TAG = "psystock:transform-job"
"""Tag on the model psystock creates for a transform job: the job's name."""
DONE = ("Completed", "Failed", "Stopped")


@dataclass(frozen=True)
class TransformRequest:
    """One batch transform job.

    Attributes:
        name: the job's name (unique in the account and region).
        model_uri: the model reference to score with.
        input_uri: ``s3://BUCKET/PREFIX`` of the input objects.
        output_uri: ``s3://BUCKET/PREFIX`` for the answers (``KEY.out``).
        content_type: the input objects' content type.
        split_type: ``Line`` (records on lines) or ``None`` (one object, one request).
        wait: wait until the job has finished (and then delete its model).
    """

    name: str
    model_uri: str
    input_uri: str
    output_uri: str
    content_type: str = "text/csv"
    split_type: str = "Line"
    wait: bool = True


@dataclass(frozen=True)
class TransformJob:
    """A finished (or, without waiting, a started) job."""

    name: str
    arn: str
    status: str
    output_uri: str
    model: str
    duration_s: float


def transform(settings: Settings, aws: Aws, request: TransformRequest) -> TransformJob:
    """Run the batch transform job ``request`` describes.

    Raises:
        ConfigError: no execution role.
        InputError: a bad job name or S3 URI.
        SageMakerError: AWS refused a step, or the job failed (with SageMaker's reason).
    """
    started = time.monotonic()
    sagemaker = settings.sagemaker
    name = check_endpoint_name(request.name)
    for uri in (request.input_uri, request.output_uri):
        if not uri.startswith("s3://") or not uri.removeprefix("s3://").strip("/"):
            raise InputError(f"expected an S3 URI s3://BUCKET/PREFIX, got {uri!r}")
    require_execution_role(settings)
    image = default_image(settings, aws)
    bucket = sagemaker.bucket or default_bucket(aws)
    ensure_bucket(aws, bucket)
    model = f"{name[:46].rstrip('-')}-t-{uuid.uuid4().hex[:12]}"
    archive = S3Object(bucket, f"transform/{name}/{ARCHIVE_NAME}")
    created_model = False
    try:
        owner = [{"Key": JOB_TAG, "Value": name}]
        create_model(settings, aws, model, request.model_uri, archive, image, owner)
        created_model = True
        arn = aws.call("sagemaker", "create_transform_job", **_job(settings, request, model))[
            "TransformJobArn"
        ]
        logger.info(
            "started transform job %s: %s -> %s", name, request.input_uri, request.output_uri
        )
        status = (
            _wait(aws, name, sagemaker.timeout_s, sagemaker.poll_interval_s)
            if request.wait
            else "InProgress"
        )
    except (PsystockError, KeyboardInterrupt):
        _cleanup(aws, model if created_model else None, archive)
        raise
    if request.wait:
        _cleanup(aws, model, archive)
    return TransformJob(name, arn, status, request.output_uri, model, time.monotonic() - started)


def _job(settings: Settings, request: TransformRequest, model: str) -> dict[str, object]:
    sagemaker = settings.sagemaker
    return {
        "TransformJobName": request.name,
        "ModelName": model,
        "BatchStrategy": "MultiRecord",
        "TransformInput": {
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": request.input_uri}},
            "ContentType": request.content_type,
            "SplitType": request.split_type,
        },
        "TransformOutput": {"S3OutputPath": request.output_uri, "AssembleWith": "Line"},
        "TransformResources": {
            "InstanceType": sagemaker.instance_type,
            "InstanceCount": sagemaker.instance_count,
        },
        "Tags": [{"Key": JOB_TAG, "Value": request.name}],
    }


def _wait(aws: Aws, name: str, timeout_s: float, poll_interval_s: float) -> str:
    started = time.monotonic()
    last = ""
    while True:
        job = aws.call("sagemaker", "describe_transform_job", TransformJobName=name)
        status = str(job["TransformJobStatus"])
        elapsed = time.monotonic() - started
        if status != last:
            logger.info("transform job %s: %s (%.0f s)", name, status, elapsed)
            last = status
        if status == "Completed":
            return status
        if status in DONE:
            reason = job.get("FailureReason") or "SageMaker gave no reason"
            raise SageMakerError(f"transform job {name} {status.lower()}: {reason}")
        if elapsed > timeout_s:
            try:
                aws.call("sagemaker", "stop_transform_job", TransformJobName=name)
            except PsystockError as exc:
                logger.error("could not stop transform job %s: %s", name, exc.message)
            raise SageMakerError(
                f"transform job {name} is still {status} after {timeout_s:g} s: stopped it "
                "(--timeout, PSYSTOCK_SAGEMAKER__TIMEOUT_S)"
            )
        time.sleep(poll_interval_s)


def _cleanup(aws: Aws, model: str | None, archive: S3Object) -> None:
    """Delete the job's model and archive; a failure to delete is logged, not raised."""
    try:
        if model is not None:
            delete_model(aws, model)
        else:
            delete_object(aws, archive.url)
    except PsystockError as exc:
        logger.error("could not delete the transform job's model %s: %s", model, exc.message)
