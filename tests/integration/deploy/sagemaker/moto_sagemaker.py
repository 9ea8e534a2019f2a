"""moto's server with what SageMaker does that moto 5.2.5 does not: run it as a script.

    python tests/integration/deploy/sagemaker/moto_sagemaker.py -H 127.0.0.1 -p PORT

Only the emulator changes; psystock's code runs unchanged against it over HTTP:

- ``UpdateEndpoint`` (moto answers HTTP 500, ``NotImplementedError``): the endpoint is
  Updating, then serves the new config.
- Endpoints go through ``Creating``/``Updating`` for ``TRANSITION_DESCRIBES`` DescribeEndpoint
  calls before they settle, as SageMaker's take minutes: the waiting code is exercised.
- Failures, as SageMaker reports them: a model whose image ends in ``BROKEN_TAG`` fails its
  ping health check. A new endpoint then ends ``Failed``; an update is rolled back (the
  endpoint is InService on its old config, with ``FailureReason`` set).
- A model whose image ends in ``SLOW_TAG`` keeps its endpoint Creating or Updating for ever.
- Batch transform jobs run (moto completes them at once and writes nothing): the job is
  InProgress until the next DescribeTransformJob, which does what SageMaker's data plane does,
  with psystock's API standing in for the container: the model archive is unpacked from S3
  and served (``psystock.serving.BackgroundServer``, real HTTP on loopback), each object under
  the input prefix is POSTed to ``/invocations`` with the job's content type, and each answer
  written to ``OUTPUT/KEY.out``. A broken image fails the job with SageMaker's kind of reason.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

TRANSITION_DESCRIBES = 2
"""DescribeEndpoint calls that see Creating or Updating before the endpoint settles."""
BROKEN_TAG = ":broken"
"""Images whose reference ends with this never pass the ping health check."""
SLOW_TAG = ":slow"
"""Images whose reference ends with this never finish starting."""

_original_create = SageMakerModelBackend.create_endpoint
_original_create_transform = SageMakerModelBackend.create_transform_job
_original_describe_transform = SageMakerModelBackend.describe_transform_job
_original_describe = SageMakerModelBackend.describe_endpoint


def _images(backend: SageMakerModelBackend, config_name: str) -> list[tuple[str, str]]:
    config = backend.describe_endpoint_config(config_name)
    return [
        (
            variant["VariantName"],
            (backend.describe_model(variant["ModelName"]).primary_container or {}).get("Image", ""),
        )
        for variant in config["ProductionVariants"]
    ]


def _transition(backend: SageMakerModelBackend, config_name: str) -> int:
    slow = any(image.endswith(SLOW_TAG) for _, image in _images(backend, config_name))
    return 10**9 if slow else TRANSITION_DESCRIBES


def _failure(backend: SageMakerModelBackend, config_name: str) -> str | None:
    for variant, image in _images(backend, config_name):
        if image.endswith(BROKEN_TAG):
            return (
                f"The primary container for production variant {variant} did "
                "not pass the ping health check. Please check CloudWatch logs for this endpoint."
            )
    return None


def _create_endpoint(
    self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str, tags: Any
) -> FakeEndpoint:
    endpoint = _original_create(self, endpoint_name, endpoint_config_name, tags)
    endpoint.endpoint_status = "Creating"
    endpoint._psystock_pending = (  # type: ignore[attr-defined]
        _transition(self, endpoint_config_name),
        None,
        _failure(self, endpoint_config_name),
    )
    return endpoint


def _update_endpoint(
    self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str
) -> FakeEndpoint:
    endpoint = self.endpoints.get(endpoint_name)
    if endpoint is None:
        arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
        raise ValidationError(message=f"Could not find endpoint '{arn}'.")
    if endpoint_config_name not in self.endpoint_configs:
        arn = FakeEndpointConfig.arn_formatter(
            endpoint_config_name, self.account_id, self.region_name
        )
        raise ValidationError(message=f"Could not find endpoint configuration '{arn}'.")
    if endpoint.endpoint_status != "InService":
        raise ValidationError(message=f"Cannot update in-progress endpoint '{endpoint.arn}'.")
    endpoint.endpoint_status = "Updating"
    endpoint.failure_reason = None
    endpoint.last_modified_time = utcnow()
    endpoint._psystock_pending = (  # type: ignore[attr-defined]
        _transition(self, endpoint_config_name),
        endpoint_config_name,
        _failure(self, endpoint_config_name),
    )
    return endpoint


def _settle(self: SageMakerModelBackend, endpoint: FakeEndpoint) -> None:
    pending = getattr(endpoint, "_psystock_pending", None)
    if pending is None:
        return
    left, new_config, failure = pending
    if left > 1:
        endpoint._psystock_pending = (left - 1, new_config, failure)  # type: ignore[attr-defined]
        return
    endpoint._psystock_pending = None  # type: ignore[attr-defined]
    endpoint.last_modified_time = utcnow()
    endpoint.failure_reason = failure
    if new_config is None:  # a creation
        endpoint.endpoint_status = "Failed" if failure else "InService"
        return
    endpoint.endpoint_status = "InService"
    if failure is None:
        config = self.describe_endpoint_config(new_config)
        endpoint.endpoint_config_name = new_config
        endpoint.production_variants = endpoint._process_production_variants(
            config["ProductionVariants"]
        )


def _describe_endpoint(self: SageMakerModelBackend, endpoint_name: str) -> dict[str, Any]:
    if endpoint_name in self.endpoints:
        _settle(self, self.endpoints[endpoint_name])
    return _original_describe(self, endpoint_name)


def _update_endpoint_response(self: SageMakerResponse) -> ActionResult:
    endpoint = self.sagemaker_backend.update_endpoint(  # type: ignore[attr-defined]
        self._get_param("EndpointName"), self._get_param("EndpointConfigName")
    )
    return ActionResult({"EndpointArn": endpoint.arn})


def _create_transform_job(self: SageMakerModelBackend, **params: Any) -> Any:
    job: Any = _original_create_transform(self, **params)
    job.transform_job_status = "InProgress"
    job._psystock_pending = True
    return job


def _describe_transform_job(self: SageMakerModelBackend, transform_job_name: str) -> Any:
    job: Any = self.transform_jobs.get(transform_job_name)
    if job is not None and getattr(job, "_psystock_pending", False):
        job._psystock_pending = False
        try:
            _run_transform(self, job)
            job.transform_job_status = "Completed"
        except Exception as exc:  # the job fails as SageMaker's would, with a reason
            job.transform_job_status = "Failed"
            job.failure_reason = str(exc)
        job.transform_end_time = job.last_modified_time = utcnow()
    return _original_describe_transform(self, transform_job_name)


def _run_transform(backend: SageMakerModelBackend, job: Any) -> None:
    import io
    import tarfile
    import tempfile
    from pathlib import Path

    import httpx
    from moto.s3.models import s3_backends

    from psystock.serving import BackgroundServer
    from psystock.settings import load_settings

    model = backend.describe_model(job.model_name)
    container = model.primary_container or {}
    if container.get("Image", "").endswith(BROKEN_TAG):
        raise RuntimeError(
            "ClientError: The container did not pass the ping health check. See job logs."
        )
    s3 = s3_backends[backend.account_id][backend.partition]

    def split(url: str) -> tuple[str, str]:
        bucket, _, key = url.removeprefix("s3://").partition("/")
        return bucket, key

    bucket, key = split(container["ModelDataUrl"])
    archive = _read(s3, bucket, key)
    source = job.transform_input["DataSource"]["S3DataSource"]["S3Uri"]
    in_bucket, in_prefix = split(source)
    out_bucket, out_prefix = split(job.transform_output["S3OutputPath"])
    content_type = job.transform_input.get("ContentType") or "application/octet-stream"
    with tempfile.TemporaryDirectory(prefix="moto-transform-") as folder:
        model_dir = Path(folder) / "model"
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
            tar.extractall(model_dir, filter="data")
        settings = load_settings(
            home=Path(folder) / "home",
            scoring={"model_uri": str(model_dir)},
            serving={"host": "127.0.0.1", "port": 0, "poll_interval_s": 0},
        )
        server = BackgroundServer(settings)
        server.start()
        try:
            server.wait_until_loaded(timeout_s=60)
            keys = sorted(k for k in s3.get_bucket(in_bucket).keys if k.startswith(in_prefix))
            for name in keys:
                body = _read(s3, in_bucket, name)
                answer = httpx.post(
                    f"{server.url}/invocations",
                    content=body,
                    headers={"Content-Type": content_type},
                    timeout=60,
                )
                if answer.status_code != 200:
                    raise RuntimeError(
                        f"ClientError: {answer.status_code} from the container for {name}: "
                        f"{answer.text[:300]}"
                    )
                relative = name[len(in_prefix) :].lstrip("/")
                target = f"{out_prefix.rstrip('/')}/{relative}.out".lstrip("/")
                s3.put_object(out_bucket, target, answer.content)
        finally:
            server.stop()


def _read(s3: Any, bucket: str, key: str) -> bytes:
    found = s3.get_object(bucket, key)
    if found is None:
        raise RuntimeError(f"ClientError: s3://{bucket}/{key} does not exist")
    return bytes(found.value)


SageMakerModelBackend.create_transform_job = _create_transform_job  # type: ignore[method-assign,assignment]
SageMakerModelBackend.describe_transform_job = _describe_transform_job  # type: ignore[method-assign]
SageMakerModelBackend.create_endpoint = _create_endpoint  # type: ignore[method-assign]
SageMakerModelBackend.update_endpoint = _update_endpoint  # type: ignore[attr-defined]
SageMakerModelBackend.describe_endpoint = _describe_endpoint  # type: ignore[method-assign]
SageMakerResponse.update_endpoint = _update_endpoint_response  # type: ignore[attr-defined]

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
