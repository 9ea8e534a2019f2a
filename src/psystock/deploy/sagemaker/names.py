"""Names and tags of what psystock creates in SageMaker for one endpoint."""

from __future__ import annotations

import re
import uuid

from psystock.errors import InputError

ENDPOINT_TAG = "psystock:endpoint"
"""Tag on every model and endpoint config psystock creates: the endpoint it belongs to."""
MODEL_URI_TAG = "psystock:model-uri"
"""Tag on every model psystock creates: the model reference it was packaged from."""

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_MAX = 63


def check_endpoint_name(name: str) -> str:
    """``name`` if SageMaker accepts it as an endpoint name.

    Raises:
        InputError: it is not 1-63 letters, digits and inner hyphens.
    """
    if not _NAME.match(name):
        raise InputError(
            f"invalid endpoint name {name!r}: expected 1 to 63 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return name


def resource_names(endpoint: str) -> tuple[str, str]:
    """A new (model name, endpoint config name) pair for ``endpoint``, unique and <= 63 chars."""
    suffix = uuid.uuid4().hex[:12]
    stem = endpoint[: _MAX - len(suffix) - 3].rstrip("-")
    return f"{stem}-m-{suffix}", f"{stem}-c-{suffix}"


def tags(endpoint: str, **extra: str) -> list[dict[str, str]]:
    """SageMaker tags saying that a resource belongs to ``endpoint``."""
    return [{"Key": ENDPOINT_TAG, "Value": endpoint}] + [
        {"Key": key, "Value": value[:256]} for key, value in extra.items()
    ]
