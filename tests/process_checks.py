"""Whether processes the tests started are gone."""

from __future__ import annotations

import os


def is_gone(pid: int, *, group: bool = False) -> bool:
    """Whether the process (or the process group ``pid``) has ended and been reaped.

    A zombie (ended, not yet waited for) still counts as there.
    """
    try:
        if group:
            os.killpg(pid, 0)
        else:
            os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
