"""The registry server's log file: where output goes and which line explains a failure."""

from __future__ import annotations

import re
from pathlib import Path

LOG_FILE_NAME = "registry.log"
"""Name of the server's log inside the psystock home."""

_MAX_LINE_CHARS = 300
# "pkg.module.SomeError: message", the last line of a Python traceback.
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*")
_NOISE = re.compile(r"^(Traceback \(most recent call last\)|\(Background on this error at|\[SQL:)")


def last_meaningful_line(path: Path, offset: int = 0) -> str | None:
    """The line of the log (from byte ``offset`` on) that best explains why the server stopped.

    That is the last exception line of a traceback if there is one, else the last line that is
    not blank, indented traceback context or SQLAlchemy's trailing hints.
    """
    try:
        with path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    lines = [line.rstrip() for line in text.splitlines()]
    candidates = [
        line for line in lines if line and not line[0].isspace() and not _NOISE.match(line)
    ]
    exceptions = [line for line in candidates if _EXCEPTION_LINE.match(line)]
    if not candidates:
        return None
    chosen = (exceptions or candidates)[-1]
    return chosen if len(chosen) <= _MAX_LINE_CHARS else chosen[: _MAX_LINE_CHARS - 3] + "..."
