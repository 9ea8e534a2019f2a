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


SageMakerModelBackend.create_endpoint = _create_endpoint  # type: ignore[method-assign]
SageMakerModelBackend.update_endpoint = _update_endpoint  # type: ignore[attr-defined]
SageMakerModelBackend.describe_endpoint = _describe_endpoint  # type: ignore[method-assign]
SageMakerResponse.update_endpoint = _update_endpoint_response  # type: ignore[attr-defined]

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
