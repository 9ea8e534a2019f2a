from http import HTTPStatus

from psystock.errors import ContentEncodingError, ContentTypeError, InputError


def test_an_unsupported_content_type_is_a_415_that_echoes_80_characters() -> None:
    error = ContentTypeError("text/" + "x" * 100, ("application/json", "text/csv"))
    assert isinstance(error, InputError)
    assert error.http_status is HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    shown = "text/" + "x" * 75
    assert error.message == (
        f"unsupported content type {shown!r}: expected one of application/json, text/csv"
    )
    assert error.to_json() == {
        "error_code": "BAD_REQUEST",
        "message": error.message,
        "content_type": shown,
        "accepted": ["application/json", "text/csv"],
    }


def test_an_unsupported_encoding_is_a_415_that_also_accepts_none() -> None:
    error = ContentEncodingError("br" * 30, ("gzip", "identity"))
    assert error.http_status is HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    shown = "br" * 20
    assert error.message == (
        f"unsupported Content-Encoding {shown!r}: expected one of gzip, identity, or none"
    )
    assert error.details == {"content_encoding": shown, "accepted": ["gzip", "identity"]}
