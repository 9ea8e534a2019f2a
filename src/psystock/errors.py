"""The one exception tree of psystock.

Every error a user can see is a ``PsystockError``. Each class carries the exit code the CLI
uses and the HTTP status the API answers with; constructors take fields and build a message
that says what failed, where, what was expected and what was received::

    PsystockError                     exit 1   HTTP 500  INTERNAL_ERROR
    ├── ConfigError                   exit 2   HTTP 500  a setting is missing or invalid
    │   └── AddressInUseError                    the API's host:port is taken or not bindable
    ├── InputError                    exit 2   HTTP 400  BAD_REQUEST
    │   ├── UnsupportedMediaError              HTTP 415  a body the API does not take
    │   │   ├── ContentTypeError                         unsupported media type
    │   │   └── ContentEncodingError                     unsupported Content-Encoding
    │   ├── PayloadError                       HTTP 400  unparseable JSON/CSV, wrong orient key
    │   │   └── PayloadTooLargeError           HTTP 413  body or row count over the limit
    │   ├── SchemaError                        HTTP 400  carries row, column, expected, got
    │   ├── ModelReferenceError                HTTP 400  a model reference cannot be parsed
    │   └── DataError                          HTTP 400  price data failed a quality check
    ├── AuthenticationError           exit 2   HTTP 401  missing or wrong bearer token
    ├── OutputExistsError             exit 2             the output file exists (no --overwrite)
    ├── OutputError                   exit 1             an output cannot be written (disk full)
    ├── RegistryError                 exit 1   HTTP 503  the registry failed or is unreachable
    │   ├── ResourceNotFoundError              HTTP 404  the registry says it does not exist
    │   │   └── ModelNotFoundError             HTTP 404  carries the model reference
    │   └── RegistryServerError                          the local server cannot start/stop
    ├── ModelLoadError                exit 1   HTTP 503  artifacts cannot be loaded (format, flavor)
    ├── ModelUnavailableError         exit 1   HTTP 503  the API has no model loaded (yet)
    ├── ScoringError                  exit 1   HTTP 500  the model itself failed while predicting
    ├── DataSourceError               exit 1             a data source (Yahoo, a CSV) is unavailable
    ├── MissingExtraError             exit 1   HTTP 503  an extra is not installed: says which
    ├── SparkError                    exit 1             Spark cannot start, or a Spark job failed
    └── DeployError                   exit 1             building or running a deployment failed
        ├── DockerError                                  docker (or a build step: pip) failed
        └── SageMakerError                               AWS said no: its error code and request id

Foreign exceptions (``MlflowException``, ``OSError`` of a subprocess, xgboost errors) are
translated into this tree once, at the adapter that calls the foreign library, with
``raise ... from exc``. Exactly two places catch ``PsystockError``: the CLI entry point and the
HTTP error handler of ``psystock.serving``.
"""

from __future__ import annotations

import errno
import os
from http import HTTPStatus
from typing import Any, ClassVar

__all__ = [
    "AddressInUseError",
    "AuthenticationError",
    "ConfigError",
    "ContentEncodingError",
    "ContentTypeError",
    "DataError",
    "DataSourceError",
    "DeployError",
    "DockerError",
    "InputError",
    "MissingExtraError",
    "ModelLoadError",
    "ModelNotFoundError",
    "ModelReferenceError",
    "ModelUnavailableError",
    "OutputError",
    "OutputExistsError",
    "PayloadError",
    "PayloadTooLargeError",
    "PsystockError",
    "RegistryError",
    "RegistryServerError",
    "ResourceNotFoundError",
    "SageMakerError",
    "SchemaError",
    "ScoringError",
    "SparkError",
    "UnsupportedMediaError",
]


class PsystockError(Exception):
    """Root of every error psystock reports to a user."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR
    error_code: ClassVar[str] = "INTERNAL_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = {k: v for k, v in details.items() if v is not None}

    def to_json(self) -> dict[str, Any]:
        """The MLflow wire format of this error: ``{"error_code", "message", ...details}``."""
        return {"error_code": self.error_code, "message": self.message, **self.details}


class ConfigError(PsystockError):
    """A setting is missing or invalid; the message names the variable and the value."""

    exit_code = 2
    error_code = "INVALID_PARAMETER_VALUE"


class AddressInUseError(ConfigError):
    """The API cannot listen on its host and port (another process has it, or no permission)."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(
            f"cannot listen on {host}:{port}: {reason}; stop what uses it or choose another port"
            " with --port (PSYSTOCK_SERVING__PORT)",
            host=host,
            port=port,
        )


class InputError(PsystockError):
    """Input supplied by the user (a file, a request body) cannot be used."""

    exit_code = 2
    http_status = HTTPStatus.BAD_REQUEST
    error_code = "BAD_REQUEST"


class UnsupportedMediaError(InputError):
    """A request's body comes in a form the API does not take (HTTP 415).

    A subclass names the header (``header``), the detail's key (``field``), how much of the
    value the answer echoes (``shown_chars``) and what else is accepted (``also``).
    """

    http_status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    header: ClassVar[str]
    field: ClassVar[str]
    shown_chars: ClassVar[int]
    also: ClassVar[str] = ""

    def __init__(self, value: str, accepted: tuple[str, ...]) -> None:
        shown = value[: self.shown_chars]
        super().__init__(
            f"unsupported {self.header} {shown!r}: expected one of {', '.join(accepted)}"
            f"{self.also}",
            **{self.field: shown, "accepted": list(accepted)},
        )


class ContentTypeError(UnsupportedMediaError):
    """The request's content type is not one the API accepts."""

    header = "content type"
    field = "content_type"
    shown_chars = 80


class ContentEncodingError(UnsupportedMediaError):
    """The request's ``Content-Encoding`` is not one the API decodes."""

    header = "Content-Encoding"
    field = "content_encoding"
    shown_chars = 40
    also = ", or none"


class PayloadError(InputError):
    """A payload cannot be parsed: malformed JSON or CSV, or an unknown layout."""


class PayloadTooLargeError(PayloadError):
    """A request body or its row count is over the configured limit."""

    http_status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE

    def __init__(self, what: str, limit: int, got: int | None = None) -> None:
        received = "" if got is None else f", got {got}"
        super().__init__(f"{what} over the limit of {limit}{received}", limit=limit, got=got)


class SchemaError(InputError):
    """A value or a row does not match the model's input schema.

    The message reads ``row R, column C: expected E, got G`` with the parts that are known.
    Rows are numbered from 1 as a person counts them (the first data row is row 1).
    """

    def __init__(
        self,
        expected: str,
        got: Any,
        *,
        row: int | None = None,
        column: str | int | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"row {row}" if row is not None else "",
                f"column {column}" if column is not None else "",
            )
            if part
        )
        prefix = f"{where}: " if where else ""
        super().__init__(
            f"{prefix}expected {expected}, got {got}",
            row=row,
            column=column,
            expected=expected,
            got=got if isinstance(got, str | int | float) else repr(got),
        )
        self.row = row
        self.column = column
        self.expected = expected
        self.got = got


class ModelReferenceError(InputError):
    """A model reference is not one of the forms psystock understands."""

    def __init__(self, reference: str, problem: str) -> None:
        super().__init__(f"invalid model reference {reference!r}: {problem}", reference=reference)


class DataError(InputError):
    """Price data failed a quality check (date format, numeric columns, gaps, duplicates)."""


class AuthenticationError(PsystockError):
    """A request lacks the bearer token the server requires, or carries a wrong one."""

    exit_code = 2
    http_status = HTTPStatus.UNAUTHORIZED
    error_code = "UNAUTHENTICATED"


class OutputExistsError(PsystockError):
    """An output file exists and the user did not ask to overwrite it."""

    exit_code = 2

    def __init__(self, path: str) -> None:
        super().__init__(f"output {path} already exists: pass --overwrite to replace it", path=path)


class OutputError(PsystockError):
    """An output file cannot be written: the disk is full, or another I/O error.

    The partial file is removed; the message names the output and the system's reason.
    """

    def __init__(self, path: str, error: OSError) -> None:
        reason = os.strerror(error.errno) if error.errno else str(error) or type(error).__name__
        advice = (
            ": free some space and run again" if error.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        )
        super().__init__(f"output {path}: cannot write it ({reason}){advice}", path=path)


class RegistryError(PsystockError):
    """The MLflow tracking/registry server failed or cannot be reached."""

    http_status = HTTPStatus.SERVICE_UNAVAILABLE
    error_code = "TEMPORARILY_UNAVAILABLE"


class ResourceNotFoundError(RegistryError):
    """The registry says the model, version, alias, run, experiment or webhook does not exist."""

    http_status = HTTPStatus.NOT_FOUND
    error_code = "RESOURCE_DOES_NOT_EXIST"


class ModelNotFoundError(ResourceNotFoundError):
    """A model reference resolves to nothing in the registry."""

    def __init__(self, reference: str, reason: str = "no such model") -> None:
        super().__init__(f"model {reference}: {reason}", model=reference)


class RegistryServerError(RegistryError):
    """The local registry server cannot be started, stopped or inspected."""


class ModelLoadError(PsystockError):
    """A model's artifacts cannot be loaded (missing files, unknown flavor, legacy format)."""

    http_status = HTTPStatus.SERVICE_UNAVAILABLE
    error_code = "MODEL_LOAD_ERROR"


class ModelUnavailableError(PsystockError):
    """The API has no model to score with yet: it is loading, or every load so far failed."""

    http_status = HTTPStatus.SERVICE_UNAVAILABLE
    error_code = "TEMPORARILY_UNAVAILABLE"

    def __init__(self, reference: str, reason: str | None = None) -> None:
        because = f": {reason}" if reason else ""
        super().__init__(f"no model loaded yet for {reference}{because}", model=reference)


class ScoringError(PsystockError):
    """The model failed while predicting; the traceback is logged, not shown."""


class DataSourceError(PsystockError):
    """A source of price data (Yahoo Finance, a user's CSV) is unavailable."""


class MissingExtraError(PsystockError):
    """A code path needs a library that only an extra installs (``pip install "psystock[X]"``)."""

    http_status = HTTPStatus.SERVICE_UNAVAILABLE
    error_code = "NOT_IMPLEMENTED"

    def __init__(self, purpose: str, module: str, extra: str) -> None:
        super().__init__(
            f"{purpose} needs {module}, which is not installed: "
            f"pip install 'psystock[{extra}]' (the {extra} extra)",
            module=module,
            extra=extra,
        )
        self.module = module
        self.extra = extra


class SparkError(PsystockError):
    """Spark cannot start (no Java, a bad ``--conf``), or a job failed but not on a bad row."""


class DeployError(PsystockError):
    """Building or running a deployment (an image, a cluster object, an endpoint) failed."""


class DockerError(DeployError):
    """The Docker engine, a ``docker`` command or a build step (pip) failed; says what to do."""


class SageMakerError(DeployError):
    """An AWS call (SageMaker, S3, ECR, STS) failed, or an endpoint did not come up.

    The message ends with AWS's error code and request id when AWS answered, so a support case
    can quote them: ``... (AWS ValidationException, request id 0b3f...)``.
    """

    def __init__(
        self, message: str, *, code: str | None = None, request_id: str | None = None
    ) -> None:
        parts = [f"AWS {code}" if code else "", f"request id {request_id}" if request_id else ""]
        suffix = ", ".join(part for part in parts if part)
        super().__init__(
            f"{message} ({suffix})" if suffix else message, code=code, request_id=request_id
        )
        self.code = code
        self.request_id = request_id
