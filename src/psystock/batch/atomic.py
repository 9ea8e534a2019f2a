"""Files that appear only when complete: write to a temporary file, then rename.

The temporary file sits beside the target (same filesystem, so the rename is atomic) and is
named ``.NAME.psystock-tmp-XXXXXXXX``: an error, Ctrl-C or SIGTERM removes it. SIGKILL cannot
be caught and leaves it (never a partial ``NAME``); the job holds a lock on it while it runs,
so the next job over the same target removes a left-over one that nobody holds and says so.
Without ``overwrite`` an existing target is never replaced, even one that appears while the
job runs. Output ``-`` (stdout) is spooled to a temporary file and copied to stdout at the
end, so a failed job writes nothing there either.

A file that cannot be created (a read-only or missing folder, a directory in the way) is an
``InputError`` (exit 2); one that cannot be written (a full disk, an I/O error) an
``OutputError`` (exit 1). Either way no temporary file is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from psystock.errors import InputError, OutputError, OutputExistsError

logger = logging.getLogger(__name__)

TEMP_MARKER = ".psystock-tmp-"
STDOUT = "-"
STDOUT_PREFIX = f"stdout{TEMP_MARKER}"


class AtomicFile:
    """A target path written through a temporary file (locked while the job runs)."""

    def __init__(self, target: str, *, overwrite: bool, stdout: IO[bytes] | None = None) -> None:
        self.target = target
        self.overwrite = overwrite
        self._stdout = stdout
        if target == STDOUT:
            folder, prefix = Path(tempfile.gettempdir()), STDOUT_PREFIX
        else:
            path = Path(target)
            check_writable(path, overwrite)
            folder, prefix = path.parent, f".{path.name}{TEMP_MARKER}"
        remove_left_overs(folder, prefix)
        self.temp = folder / f"{prefix}{secrets.token_hex(4)}"
        self._lock: int | None = _create_locked(self.temp, target)

    def commit(self) -> None:
        """Flush the temporary file to disk and move it into place (or copy it to stdout).

        Raises:
            OutputExistsError: the target appeared meanwhile (without ``overwrite``).
            OutputError: the disk is full, or another I/O error.
        """
        with writing(self.target):
            _fsync_file(self.temp)
            if self.target == STDOUT:
                self._copy_to_stdout()
                self.discard()
                return
            target = Path(self.target)
            if self.overwrite:
                os.replace(self.temp, target)
            else:
                _link_without_clobbering(self.temp, target)
            _fsync_dir(target.parent)
        self._unlock()

    def discard(self) -> None:
        """Remove the temporary file (nothing reaches the target)."""
        with contextlib.suppress(FileNotFoundError):
            self.temp.unlink()
        self._unlock()

    def _copy_to_stdout(self) -> None:
        out = self._stdout or sys.stdout.buffer
        with self.temp.open("rb") as spooled:
            shutil.copyfileobj(spooled, out, 1 << 20)
        out.flush()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


@contextlib.contextmanager
def writing(target: str) -> Iterator[None]:
    """Turn a failure to write ``target`` (disk full, I/O error) into ``OutputError``."""
    try:
        yield
    except OSError as exc:
        raise OutputError("stdout" if target == STDOUT else target, exc) from exc


def check_writable(path: Path, overwrite: bool) -> None:
    """Fail early when ``path`` may not be written.

    Raises:
        OutputExistsError: it exists (without ``overwrite``).
        InputError: it is a directory, or its folder is missing.
    """
    if path.is_dir():
        raise InputError(f"output {path} is a directory: expected the path of a file to write")
    if path.exists() and not overwrite:
        raise OutputExistsError(str(path))
    if not path.parent.is_dir():
        raise InputError(f"output {path}: expected an existing directory {path.parent}, found none")


def remove_left_overs(folder: Path, prefix: str) -> None:
    """Remove temporary files ``prefix*`` in ``folder`` that no running job holds."""
    try:
        candidates = [entry for entry in folder.iterdir() if entry.name.startswith(prefix)]
    except OSError:
        return  # an unreadable folder: creating the temporary file will say what is wrong
    for candidate in candidates:
        if _is_held(candidate):
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            logger.warning("removed %s, left behind by a job that was killed", candidate)


def _create_locked(temp: Path, target: str) -> int:
    """Create ``temp`` and lock it; the descriptor holds the lock until closed."""
    try:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            shown = "stdout" if target == STDOUT else target
            raise InputError(
                f"output {shown}: cannot create a file in {temp.parent} ({exc.strerror}): "
                "choose a folder you can write to"
            ) from exc
        raise OutputError("stdout" if target == STDOUT else target, exc) from exc
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return descriptor


def _is_held(path: Path) -> bool:
    """Whether a running job holds its lock on ``path`` (unreadable files count as held)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)
    return False


def _link_without_clobbering(temp: Path, target: Path) -> None:
    try:
        os.link(temp, target)
    except FileExistsError as exc:
        raise OutputExistsError(str(target)) from exc
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT):
            raise
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
