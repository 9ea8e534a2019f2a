"""Tests of registry/_errors.py: one wording of registry failures for both transports."""

import pytest
import requests
from mlflow.exceptions import MlflowException, RestException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST

from psystock.errors import ModelNotFoundError, RegistryError, ResourceNotFoundError
from psystock.registry._errors import doing, registry_failure, translate_mlflow_errors

HINT = r": start the local one with `psystock registry up`, or set MLFLOW_TRACKING_URI$"

REFUSED = (
    "HTTPConnectionPool(host='127.0.0.1', port=1): Max retries exceeded with url: /api "
    "(Caused by NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=1): Failed to "
    'establish a new connection: [Errno 111] Connection refused"))'
)


def test_not_found_becomes_model_not_found_without_the_error_code_prefix() -> None:
    rest = RestException(  # type: ignore[no-untyped-call]
        {
            "error_code": "RESOURCE_DOES_NOT_EXIST",
            "message": "Model Version (name=m, version=9) not found",
        }
    )
    expected = r"^model models:/m/9: Model Version \(name=m, version=9\) not found$"

    with (
        pytest.raises(ModelNotFoundError, match=expected),
        translate_mlflow_errors("promoting models:/m/9", "models:/m/9"),
    ):
        raise rest


def test_not_found_without_a_reference_stays_a_registry_error() -> None:
    with (
        pytest.raises(RegistryError, match=r"^reading runs: no such run$") as caught,
        translate_mlflow_errors("reading runs"),
    ):
        raise MlflowException("no such run", error_code=RESOURCE_DOES_NOT_EXIST)

    assert not isinstance(caught.value, ModelNotFoundError)


def test_refused_connection_inside_mlflow_exception_says_registry_unreachable() -> None:
    def request_like_mlflow() -> None:
        # MLflow's REST client raises MlflowException while handling the requests error.
        try:
            raise requests.ConnectionError(REFUSED)
        except requests.ConnectionError as exc:
            raise MlflowException(f"API request to http://127.0.0.1:1/api failed: {exc}")  # noqa: B904

    expected = (
        r"^listing m at http://127.0.0.1:1: registry unreachable \(connection refused\)" + HINT
    )
    with (
        pytest.raises(RegistryError, match=expected),
        translate_mlflow_errors("listing m at http://127.0.0.1:1", "models:/m"),
    ):
        request_like_mlflow()


def test_timeout_inside_mlflow_exception_says_timed_out() -> None:
    timeout = requests.ReadTimeout("HTTPConnectionPool(host='h', port=5000): Read timed out.")
    with (
        pytest.raises(RegistryError, match=r"^listing: registry unreachable \(timed out\)" + HINT),
        translate_mlflow_errors("listing"),
    ):
        raise MlflowException("API request failed") from timeout


def test_os_error_says_registry_unreachable() -> None:
    with (
        pytest.raises(
            RegistryError, match=r"^listing: registry unreachable \(no route to host\)" + HINT
        ),
        translate_mlflow_errors("listing"),
    ):
        raise OSError("no route to host")


def test_unreachable_names_the_uri_when_known() -> None:
    with (
        pytest.raises(
            RegistryError, match=r"^listing: registry http://h:1 unreachable \(refused\)" + HINT
        ),
        translate_mlflow_errors("listing", uri="http://h:1"),
    ):
        raise ConnectionError("refused")


@pytest.mark.parametrize(
    ("code", "message", "missing"),
    [
        ("RESOURCE_DOES_NOT_EXIST", "Run 'x' not found", True),
        ("NOT_FOUND", "no such thing", True),
        ("INVALID_PARAMETER_VALUE", "Registered model alias a not found.", True),
        ("INVALID_PARAMETER_VALUE", "Invalid webhook URL scheme: 'ftp'", False),
        ("INTERNAL_ERROR", "INTERNAL_ERROR: database locked", False),
    ],
)
def test_registry_failure_tells_missing_from_failed(code: str, message: str, missing: bool) -> None:
    error = registry_failure(code, message)

    assert isinstance(error, ResourceNotFoundError) is missing
    assert error.message == message.removeprefix(f"{code}: ")


def test_doing_names_the_reference_of_a_missing_model() -> None:
    with (
        pytest.raises(ModelNotFoundError, match=r"^model models:/m@a: alias a not found$"),
        doing("resolving models:/m@a", "models:/m@a"),
    ):
        raise ResourceNotFoundError("alias a not found")


def test_doing_prefixes_what_was_being_done_and_keeps_missing_things_missing() -> None:
    with (
        pytest.raises(ResourceNotFoundError, match=r"^ending run r: Run r not found$"),
        doing("ending run r"),
    ):
        raise ResourceNotFoundError("Run r not found")
