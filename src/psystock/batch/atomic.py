"""Files that appear only when complete: write to a temporary file, then rename.

The temporary file sits beside the target (same filesystem, so the rename is atomic) and is
named ``.NAME.psystock-tmp-XXXXXXXX``: an error, Ctrl-C or SIGTERM removes it; SIGKILL
cannot be caught, and leaves only such a recognisable file (never a partial ``NAME``), which
is safe to delete. Without ``overwrite`` an existing target is never replaced, even one that
appears while the job runs. Output ``-`` (stdout) is spooled to a temporary file and copied
to stdout at the end, so a failed job writes nothing there either.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO

from psystock.errors import InputError, OutputExistsError

logger = logging.getLogger(__name__)

TEMP_MARKER = ".psystock-tmp-"
STDOUT = "-"


class AtomicFile:
    """A target path written through a temporary file."""

    def __init__(self, target: str, *, overwrite: bool, stdout: IO[bytes] | None = None) -> None:
        self.target = target
        self.overwrite = overwrite
        self._stdout = stdout
        if target == STDOUT:
            handle, name = tempfile.mkstemp(prefix=f"stdout{TEMP_MARKER}")
            os.close(handle)
            self.temp = Path(name)
        else:
            path = Path(target)
            check_writable(path, overwrite)
            self.temp = path.parent / f".{path.name}{TEMP_MARKER}{secrets.token_hex(4)}"
            self.temp.touch(exist_ok=False)

    def commit(self) -> None:
        """Flush the temporary file to disk and move it into place (or copy it to stdout)."""
        _fsync_file(self.temp)
        if self.target == STDOUT:
            out = self._stdout or sys.stdout.buffer
            with self.temp.open("rb") as spooled:
                shutil.copyfileobj(spooled, out, 1 << 20)
            out.flush()
            self.temp.unlink()
            return
        target = Path(self.target)
        if self.overwrite:
            os.replace(self.temp, target)
        else:
            _link_without_clobbering(self.temp, target)
        _fsync_dir(target.parent)

    def discard(self) -> None:
        """Remove the temporary file (nothing reaches the target)."""
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()


def check_writable(path: Path, overwrite: bool) -> None:
    """Fail early when ``path`` exists and may not be replaced, or its folder is missing."""
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    if not path.parent.is_dir():
        raise InputError(f"output {path}: expected an existing directory {path.parent}, found none")


def _link_without_clobbering(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError as exc:
        raise OutputExistsError(str(target)) from exc
    except OSError:
        # A filesystem without hard links: the early existence check has to do.
        if target.exists():
            raise OutputExistsError(str(target)) from None
        os.replace(temp, target)
        return
    temp.unlink()


def _fsync_file(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        logger.debug("cannot fsync directory %s", path)
    finally:
        os.close(descriptor)
