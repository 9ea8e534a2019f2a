from typing import Any

import botocore.exceptions
import pytest

from psystock.deploy.sagemaker.aws import translate
from psystock.errors import ConfigError, SageMakerError


def test_a_client_error_carries_the_operation_message_code_and_request_id() -> None:
    response: Any = {
        "Error": {"Code": "ValidationException", "Message": "Could not find model 'm'."},
        "ResponseMetadata": {"RequestId": "abc-123", "HTTPStatusCode": 400},
    }
    error = botocore.exceptions.ClientError(response, "DescribeModel")
    translated = translate(error, "sagemaker", "describe_model")
    assert isinstance(translated, SageMakerError)
    assert translated.message == (
        "sagemaker DescribeModel failed: Could not find model 'm'. "
        "(AWS ValidationException, request id abc-123)"
    )
    assert (translated.code, translated.request_id, translated.exit_code) == (
        "ValidationException",
        "abc-123",
        1,
    )


def test_no_credentials_is_a_settings_error() -> None:
    translated = translate(botocore.exceptions.NoCredentialsError(), "s3", "put_object")
    assert isinstance(translated, ConfigError)
    assert translated.exit_code == 2
    assert translated.message.startswith("s3 PutObject: no AWS credentials: set AWS_ACCESS_KEY_ID")


def test_an_unreachable_endpoint_names_the_url() -> None:
    error = botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    with pytest.raises(SageMakerError, match=r"^sts GetCallerIdentity: cannot reach http://127"):
        raise translate(error, "sts", "get_caller_identity")
