"""The model archive SageMaker expects: ``model.tar.gz`` in S3, files at the archive's root.

SageMaker unpacks it into ``/opt/ml/model`` before it starts the image with ``serve``; the api
image serves what it finds there.
"""

from __future__ import annotations

import logging
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from psystock.deploy.docker.bake import BakedModel, bake_model
from psystock.deploy.sagemaker.aws import Aws
from psystock.errors import SageMakerError
from psystock.settings import Settings

logger = logging.getLogger(__name__)

ARCHIVE_NAME = "model.tar.gz"


@dataclass(frozen=True)
class S3Object:
    """An object in S3."""

    bucket: str
    key: str

    @property
    def url(self) -> str:
        """``s3://BUCKET/KEY``."""
        return f"s3://{self.bucket}/{self.key}"

    @classmethod
    def parse(cls, url: str) -> S3Object:
        """The object of ``s3://BUCKET/KEY``.

        Raises:
            SageMakerError: ``url`` is not an s3:// URL with a key.
        """
        bucket, _, key = url.removeprefix("s3://").partition("/")
        if not url.startswith("s3://") or not bucket or not key:
            raise SageMakerError(f"not an S3 object URL: {url!r}")
        return cls(bucket, key)


def default_bucket(aws: Aws) -> str:
    """``psystock-sagemaker-REGION-ACCOUNT``."""
    return f"psystock-sagemaker-{aws.region}-{aws.account_id()}"


def ensure_bucket(aws: Aws, bucket: str) -> None:
    """Create ``bucket`` in the session's region unless it exists."""
    try:
        aws.call("s3", "head_bucket", Bucket=bucket)
        return
    except SageMakerError as exc:
        if exc.code not in ("404", "NoSuchBucket", "NotFound"):
            raise
    params: dict[str, object] = {"Bucket": bucket}
    if aws.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
    aws.call("s3", "create_bucket", **params)
    logger.info("created S3 bucket %s", bucket)


def upload_model(settings: Settings, aws: Aws, reference: str, target: S3Object) -> BakedModel:
    """Resolve and download ``reference``, pack it as ``model.tar.gz`` and upload it to ``target``.

    Raises:
        ModelReferenceError, RegistryError, ModelLoadError: the model cannot be had.
        SageMakerError: S3 refused the upload.
    """
    with tempfile.TemporaryDirectory(prefix="psystock-sagemaker-") as folder:
        model_dir = Path(folder) / "model"
        baked = bake_model(settings, reference, model_dir)
        archive = Path(folder) / ARCHIVE_NAME
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted(model_dir.iterdir()):
                tar.add(path, arcname=path.name)
        logger.info(
            "uploading %s (%s, %.1f kB) to %s",
            baked.reference,
            baked.flavor,
            archive.stat().st_size / 1e3,
            target.url,
        )
        with archive.open("rb") as body:
            aws.call("s3", "put_object", Bucket=target.bucket, Key=target.key, Body=body)
    if baked.needs_pyfunc:
        logger.warning(
            "%s is not a native XGBoost booster: the image must hold the mlflow extra to serve "
            "it (`psystock docker build api --extra mlflow`)",
            baked.reference,
        )
    return baked


def delete_object(aws: Aws, url: str) -> None:
    """Delete the S3 object at ``url`` and log it."""
    target = S3Object.parse(url)
    aws.call("s3", "delete_object", Bucket=target.bucket, Key=target.key)
    logger.info("deleted S3 object %s", url)
