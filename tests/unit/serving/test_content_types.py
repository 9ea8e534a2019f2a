from __future__ import annotations

import pytest

from psystock.errors import ContentTypeError
from psystock.serving.content_types import ContentType, parse_content_type


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"application/json", ContentType("application/json")),
        (b"Application/JSON; charset=UTF-8", ContentType("application/json")),
        (b"application/json; format=pandas-split", ContentType("application/json", "split")),
        (b"application/json;format=pandas-records", ContentType("application/json", "records")),
        (
            b'application/json; format="pandas-split"; charset=utf-8',
            ContentType("application/json", "split"),
        ),
        (b"text/csv", ContentType("text/csv")),
        (b"text/csv; charset=utf-8;", ContentType("text/csv")),
    ],
)
def test_parse_content_type_accepts_json_csv_and_mlflow1_formats(
    header: bytes, expected: ContentType
) -> None:
    assert parse_content_type(header) == expected


@pytest.mark.parametrize(
    ("header", "shown"),
    [
        (None, "(none)"),
        (b"text/plain", "text/plain"),
        (b"application/json; charset=latin-1", "application/json; charset=latin-1"),
        (b"application/json; format=pandas-index", "application/json; format=pandas-index"),
        (b"text/csv; format=pandas-split", "text/csv; format=pandas-split"),
        (b"application/jsonx", "application/jsonx"),
    ],
)
def test_parse_content_type_rejects_others_listing_the_accepted(
    header: bytes | None, shown: str
) -> None:
    expected = (
        f"unsupported content type {shown!r}: expected one of application/json, "
        "application/json; format=pandas-split, application/json; format=pandas-records, text/csv"
    )
    with pytest.raises(ContentTypeError, match="^" + __import__("re").escape(expected) + "$"):
        parse_content_type(header)
