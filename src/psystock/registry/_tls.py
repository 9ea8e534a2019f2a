"""The TLS context of psystock's HTTP clients: loaded once per process, and only when used.

httpx builds a new TLS context for every client and loads the CA bundle into it: 50 to
70 ms of CPU each time, and a batch job makes four clients (resolving, downloading, its run,
its liveness checks) in its first second, on its critical path. The verifying context is
built once (as httpx would build it, ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` honoured) and
shared: ``ssl.SSLContext`` is safe to share between clients and threads.

A plain ``http://`` URL without a proxy never negotiates TLS: its clients get a context that
trusts no certificate authority, so it costs nothing to make, and a TLS handshake made with
it would fail verification rather than pass unverified.
"""

from __future__ import annotations

import functools
import os
import ssl
from urllib.parse import urlsplit

_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")
"""The variables httpx reads (either case) to send a request through a proxy."""


def tls_context(url: str) -> ssl.SSLContext:
    """The TLS context for a client of ``url`` (share it: it is built once per process)."""
    if urlsplit(url).scheme == "https" or _behind_proxy():
        return _verifying_context()
    return _unused_context()


@functools.cache
def _verifying_context() -> ssl.SSLContext:
    from psystock.registry._httpx import httpx

    return httpx.create_ssl_context()


@functools.cache
def _unused_context() -> ssl.SSLContext:
    """Verifies certificates and hostnames, and trusts no authority: no handshake passes."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _behind_proxy() -> bool:
    return any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXY_VARIABLES)
