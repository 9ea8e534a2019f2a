"""Call an endpoint through the SageMaker runtime API (``InvokeEndpoint``)."""

from __future__ import annotations

from dataclasses import dataclass

from psystock.deploy.sagemaker.aws import Aws


@dataclass(frozen=True)
class Invocation:
    """An endpoint's answer: its body and content type, and the variant that answered."""

    body: bytes
    content_type: str | None
    variant: str | None


def invoke_endpoint(
    aws: Aws, name: str, body: bytes, content_type: str, accept: str | None = None
) -> Invocation:
    """POST ``body`` to the endpoint ``name`` (``AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`` applies).

    Raises:
        SageMakerError: the endpoint does not exist, or the model answered an error (AWS's
            ``ModelError`` carries the container's message).
    """
    params = {"EndpointName": name, "Body": body, "ContentType": content_type}
    if accept:
        params["Accept"] = accept
    answer = aws.call("sagemaker-runtime", "invoke_endpoint", **params)
    return Invocation(
        body=answer["Body"].read(),
        content_type=answer.get("ContentType"),
        variant=answer.get("InvokedProductionVariant"),
    )
