"""The one adapter to boto3: sessions from settings, every AWS failure as a ``SageMakerError``.

Credentials, region and endpoints come from the standard AWS environment and profiles, which
boto3 (>= 1.28) reads itself, including per-service endpoint overrides such as
``AWS_ENDPOINT_URL`` and ``AWS_ENDPOINT_URL_SAGEMAKER``; the settings add a profile and a
region. No other module of psystock imports boto3 or catches botocore's exceptions.
"""

from __future__ import annotations

import logging
from typing import Any

import boto3
import botocore.exceptions
from botocore.config import Config

from psystock.errors import ConfigError, SageMakerError
from psystock.settings import SageMakerSettings

logger = logging.getLogger(__name__)

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 3})


class Aws:
    """AWS clients of one session; ``call`` runs an operation and translates its errors."""

    def __init__(self, settings: SageMakerSettings) -> None:
        try:
            self.session = boto3.Session(
                profile_name=settings.profile, region_name=settings.region_name
            )
        except botocore.exceptions.ProfileNotFound as exc:
            raise ConfigError(
                f"AWS profile {settings.profile!r} does not exist in ~/.aws/config: set "
                "PSYSTOCK_SAGEMAKER__PROFILE (or AWS_PROFILE) to one that does"
            ) from exc
        if not self.session.region_name:
            raise ConfigError(
                "no AWS region: pass --region-name, or set AWS_DEFAULT_REGION or "
                "PSYSTOCK_SAGEMAKER__REGION_NAME"
            )
        self.region = str(self.session.region_name)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """The boto3 client of ``service`` (one per session); its endpoint is boto3's choice."""
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=_RETRIES)  # type: ignore[call-overload]
        return self._clients[service]

    def endpoint_url(self, service: str) -> str:
        """Where ``service`` is reached (an override from the environment, or AWS itself)."""
        return str(self.client(service).meta.endpoint_url)

    def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """``client(service).operation(**params)``; its answer.

        Raises:
            SageMakerError: AWS refused or failed it; the message names the operation, AWS's
                message, error code and request id.
            ConfigError: no credentials could be found.
        """
        method = getattr(self.client(service), operation)
        try:
            answer: dict[str, Any] = method(**params)
        except botocore.exceptions.BotoCoreError as exc:
            raise translate(exc, service, operation) from exc
        except botocore.exceptions.ClientError as exc:
            raise translate(exc, service, operation) from exc
        return answer

    def account_id(self) -> str:
        """The account the credentials belong to (STS GetCallerIdentity)."""
        return str(self.call("sts", "get_caller_identity")["Account"])


def translate(exc: Exception, service: str, operation: str) -> ConfigError | SageMakerError:
    """One ``PsystockError`` for a botocore exception raised by ``service.operation``."""
    what = f"{service} {_pascal(operation)}"
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        metadata = exc.response.get("ResponseMetadata", {})
        code = str(error.get("Code") or metadata.get("HTTPStatusCode") or "") or None
        message = str(error.get("Message") or "").strip() or "no message"
        request_id = metadata.get("RequestId") or metadata.get("HTTPHeaders", {}).get(
            "x-amzn-requestid"
        )
        return SageMakerError(f"{what} failed: {message}", code=code, request_id=request_id)
    if isinstance(
        exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError
    ):
        return ConfigError(
            f"{what}: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
            "AWS_PROFILE (or PSYSTOCK_SAGEMAKER__PROFILE) to a configured profile"
        )
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return SageMakerError(
            f"{what}: cannot reach {exc.kwargs.get('endpoint_url', 'AWS')}: check the network, "
            "the region and any AWS_ENDPOINT_URL* override"
        )
    if isinstance(exc, botocore.exceptions.ParamValidationError):
        return SageMakerError(f"{what}: invalid request: {exc}")
    return SageMakerError(f"{what} failed: {exc}")


def _pascal(operation: str) -> str:
    return "".join(part.capitalize() for part in operation.split("_"))
