"""Registry URIs as people see them: passwords hidden, wildcard hosts made reachable."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

REDACTED = "***"
"""What a password is replaced with in anything psystock prints or records."""

_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)[^&]*")
_WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def redact_uri(uri: str) -> str:
    """``uri`` with any password replaced by ``***``.

    ``postgresql://user:secret@host/db`` becomes ``postgresql://user:***@host/db``; a
    ``password=`` query parameter is hidden too. URIs without a password come back unchanged.
    """
    uri = _QUERY_PASSWORD.sub(rf"\g<1>{REDACTED}", uri)
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    userinfo, has_userinfo, hostinfo = parts.netloc.rpartition("@")
    if not has_userinfo or ":" not in userinfo:
        return uri
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{REDACTED}@{hostinfo}"))


def is_http_uri(uri: str) -> bool:
    """Whether ``uri`` is an ``http://`` or ``https://`` URL."""
    return uri.lower().startswith(("http://", "https://"))


def server_url(host: str, port: int) -> str:
    """The URL a client on this machine uses for a server bound to ``host:port``.

    A wildcard bind address (``0.0.0.0``, ``::``) is not a destination, so the loopback address
    stands in for it; IPv6 literals get their brackets.
    """
    host = _WILDCARD_HOSTS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
