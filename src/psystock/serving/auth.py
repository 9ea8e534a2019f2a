"""Optional bearer token on the routes that score (every ``POST``), compared in constant time.

Probes, metrics, model metadata and the docs (every ``GET``) stay open: load balancers,
SageMaker's ``/ping`` and Prometheus call them without credentials.
"""

from __future__ import annotations

import hmac

from psystock.errors import AuthenticationError

_SCHEME = b"bearer "


class BearerAuth:
    """Checks ``Authorization: Bearer <token>`` against the configured token."""

    def __init__(self, token: str) -> None:
        self._token = token.encode("utf-8")

    def check(self, authorization: bytes | None) -> None:
        """Accept the raw ``Authorization`` header value, or raise.

        Raises:
            AuthenticationError: the header is missing, not a bearer token, or the wrong one.
        """
        if authorization is None:
            raise AuthenticationError(
                "missing bearer token: send the header 'Authorization: Bearer <token>'"
            )
        if authorization[: len(_SCHEME)].lower() != _SCHEME:
            raise AuthenticationError(
                "expected the header 'Authorization: Bearer <token>', got another scheme"
            )
        given = authorization[len(_SCHEME) :].strip()
        if not hmac.compare_digest(given, self._token):
            raise AuthenticationError("invalid bearer token")
