"""httpx, imported without its command-line client.

When rich, click and pygments are installed (as they are with psystock), ``import httpx``
also imports httpx's own command-line client (``httpx._main``: rich's console and progress
bars, pygments): 30 ms of the start of every psystock process that talks to a registry, for
a program none of them runs. Through this module the client's module is hidden for the
duration of the import, and httpx falls back, as it is written to, to a ``main`` that says
the client is unavailable (in this process only; the ``httpx`` command is unaffected).
"""

from __future__ import annotations

import sys

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    try:
        import httpx
    finally:
        if sys.modules.get("httpx._main", 0) is None:
            del sys.modules["httpx._main"]

import httpx

__all__ = ["httpx"]
