from __future__ import annotations

import pytest

from psystock.errors import AuthenticationError
from psystock.serving.auth import BearerAuth


def test_bearer_auth_accepts_the_token_in_any_scheme_case() -> None:
    auth = BearerAuth("s3cret")
    auth.check(b"Bearer s3cret")
    auth.check(b"bearer s3cret ")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, r"^missing bearer token: send the header 'Authorization: Bearer <token>'$"),
        (b"Bearer s3cre", "^invalid bearer token$"),
        (b"Bearer ", "^invalid bearer token$"),
        (
            b"Token s3cret",
            r"^expected the header 'Authorization: Bearer <token>', got another scheme$",
        ),
    ],
)
def test_bearer_auth_rejects_missing_or_wrong_tokens(header: bytes | None, message: str) -> None:
    with pytest.raises(AuthenticationError, match=message):
        BearerAuth("s3cret").check(header)
