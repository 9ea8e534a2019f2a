"""Content types the prediction routes accept, parsed once per distinct header value."""

from __future__ import annotations

from dataclasses import dataclass

from psystock.errors import ContentTypeError

CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_CSV = "text/csv"
FORMAT_PANDAS_SPLIT = "pandas-split"
FORMAT_PANDAS_RECORDS = "pandas-records"

ACCEPTED_CONTENT_TYPES = (
    CONTENT_TYPE_JSON,
    f"{CONTENT_TYPE_JSON}; format={FORMAT_PANDAS_SPLIT}",
    f"{CONTENT_TYPE_JSON}; format={FORMAT_PANDAS_RECORDS}",
    CONTENT_TYPE_CSV,
)
"""What a 415 answer lists as accepted."""

_CACHE_SIZE = 64


@dataclass(frozen=True)
class ContentType:
    """A parsed ``Content-Type`` header of a prediction request.

    Attributes:
        mime: ``application/json`` or ``text/csv``.
        pandas_orient: ``"split"`` or ``"records"`` when the header says
            ``format=pandas-split|pandas-records`` (MLflow 1.x clients), else ``None``.
    """

    mime: str
    pandas_orient: str | None = None


_cache: dict[bytes, ContentType] = {}


def parse_content_type(header: bytes | None) -> ContentType:
    """Parse a raw ``Content-Type`` header value.

    Args:
        header: the header's bytes, or ``None`` when the request has none.

    Returns:
        The content type; results are cached per distinct header value.

    Raises:
        ContentTypeError: the type is missing, not JSON or CSV, not UTF-8, or has a parameter
            other than ``charset`` and ``format=pandas-split|pandas-records``.
    """
    if header is None:
        raise ContentTypeError("(none)", ACCEPTED_CONTENT_TYPES)
    cached = _cache.get(header)
    if cached is not None:
        return cached
    parsed = _parse(header.decode("latin-1"))
    if len(_cache) < _CACHE_SIZE:  # bounded: a fuzzer cannot grow it
        _cache[header] = parsed
    return parsed


def _parse(text: str) -> ContentType:
    mime, *parameters = (part.strip() for part in text.split(";"))
    mime = mime.lower()
    if mime not in (CONTENT_TYPE_JSON, CONTENT_TYPE_CSV):
        raise ContentTypeError(text, ACCEPTED_CONTENT_TYPES)
    orient: str | None = None
    for parameter in parameters:
        if not parameter:
            continue
        key, _, value = parameter.partition("=")
        key, value = key.strip().lower(), value.strip().strip('"').lower()
        if key == "charset" and value in ("utf-8", "utf8"):
            continue
        if mime == CONTENT_TYPE_JSON and key == "format":
            if value == FORMAT_PANDAS_SPLIT:
                orient = "split"
                continue
            if value == FORMAT_PANDAS_RECORDS:
                orient = "records"
                continue
        raise ContentTypeError(text, ACCEPTED_CONTENT_TYPES)
    return ContentType(mime=mime, pandas_orient=orient)
