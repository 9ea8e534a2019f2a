"""Strip the shared libraries of a wheelhouse on the host, so the image never needs binutils.

Wheels ship their native libraries with symbol tables, and some with debug information
(uvloop's 13.6 MB module is 1.6 MB without). ``strip --strip-unneeded`` removes what neither the
dynamic loader nor Python needs (what Debian's packaging does to every shared library); the
dynamic symbol table stays. A library that ``patchelf`` rewrote (auditwheel does, for the
libraries it grafts) can come out of ``strip`` with load segments the dynamic loader refuses
("ELF load command address/offset not page-aligned"): each stripped library's load segments are
checked, and one that fails keeps its original bytes. Each wheel is rewritten with its RECORD's
hashes and sizes updated, its members in the same order with the same timestamps and modes, so
the same wheel strips to the same bytes and the image's layers stay cached. Without ``strip`` on
the host, the wheels are left as they are.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import logging
import shutil
import struct
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from psystock.errors import DockerError

logger = logging.getLogger(__name__)

_STRIP_TIMEOUT_S = 120.0
_PAGE_BYTES = 4096
_PT_LOAD = 1
_ELF64_HEADER = struct.Struct("<16xHHIQQQIHHHHHH")
_ELF64_PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")


def is_shared_library(name: str) -> bool:
    """Whether a wheel member is a shared library (``x.so``, ``libx.so.25``...)."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith(".so") or ".so." in base


def record_hash(data: bytes) -> str:
    """A RECORD entry's hash: ``sha256=`` and the urlsafe base64 digest without padding."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def is_loadable(data: bytes) -> bool:
    """Whether a 64-bit little-endian ELF file's load segments are page-aligned, as glibc wants.

    Anything else (32-bit, big-endian, not ELF) is not judged: False, so it stays as it was.
    """
    if len(data) < _ELF64_HEADER.size or data[:6] != b"\x7fELF\x02\x01":
        return False
    fields = _ELF64_HEADER.unpack_from(data)
    table_offset, entry_size, count = fields[4], fields[8], fields[9]
    if entry_size != _ELF64_PROGRAM_HEADER.size or table_offset + count * entry_size > len(data):
        return False
    for index in range(count):
        header = _ELF64_PROGRAM_HEADER.unpack_from(data, table_offset + index * entry_size)
        kind, offset, address, align = header[0], header[2], header[3], header[7]
        if kind != _PT_LOAD:
            continue
        if (address - offset) % _PAGE_BYTES or (align and align % _PAGE_BYTES):
            return False
    return True


def strip_wheels(wheels: Iterable[Path], cache: Path | None = None) -> int:
    """Strip the shared libraries of ``wheels`` in place; the bytes saved (0 without ``strip``).

    Args:
        wheels: the wheel files.
        cache: where stripped wheels are kept, keyed by the original's SHA-256 (stripping is
            deterministic), so a warm build does not strip again.

    Raises:
        DockerError: ``strip`` failed on a library.
    """
    strip = shutil.which("strip")
    if strip is None:
        logger.info("no strip on this machine (binutils): the wheels keep their symbol tables")
        return 0
    saved = 0
    for wheel in wheels:
        size = wheel.stat().st_size
        kept = _cached(cache, wheel)
        if kept is not None and kept.exists():
            shutil.copyfile(kept, wheel)
        elif _strip_wheel(strip, wheel) and kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(wheel, kept.with_suffix(".partial"))
            kept.with_suffix(".partial").replace(kept)
        saved += size - wheel.stat().st_size
    logger.info("stripped the wheels' shared libraries: %.0f MB saved", saved / 1e6)
    return saved


def _cached(cache: Path | None, wheel: Path) -> Path | None:
    if cache is None:
        return None
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()[:32]
    return cache / f"{digest}-{wheel.name}"


def _strip_wheel(strip: str, wheel: Path) -> int:
    with zipfile.ZipFile(wheel) as source:
        members = source.infolist()
        libraries = [m for m in members if is_shared_library(m.filename) and not m.is_dir()]
        if not libraries:
            return 0
        contents = {m.filename: source.read(m) for m in members}
    stripped = {}
    for member in libraries:
        data = _strip_bytes(strip, contents[member.filename])
        if len(data) < len(contents[member.filename]) and is_loadable(data):
            stripped[member.filename] = data
        elif len(data) < len(contents[member.filename]):
            logger.info("kept %s as it was: stripped, it would not load", member.filename)
    if not stripped:
        return 0
    saved = sum(len(contents[name]) - len(data) for name, data in stripped.items())
    contents.update(stripped)
    record = next(name for name in contents if name.endswith(".dist-info/RECORD"))
    contents[record] = _updated_record(contents[record].decode(), stripped).encode()
    partial = wheel.with_suffix(".whl.partial")
    with zipfile.ZipFile(partial, "w") as target:
        for member in members:
            target.writestr(member, contents[member.filename], compress_type=zipfile.ZIP_DEFLATED)
    partial.replace(wheel)
    return saved


def _strip_bytes(strip: str, data: bytes) -> bytes:
    with tempfile.TemporaryDirectory(prefix="psystock-strip-") as folder:
        path = Path(folder) / "library.so"
        path.write_bytes(data)
        try:
            subprocess.run(
                [strip, "--strip-unneeded", str(path)],
                capture_output=True,
                text=True,
                check=True,
                timeout=_STRIP_TIMEOUT_S,
            )
        except subprocess.CalledProcessError as exc:
            raise DockerError(f"strip failed on a shared library: {exc.stderr.strip()}") from exc
        except subprocess.TimeoutExpired as exc:
            raise DockerError(f"strip took longer than {_STRIP_TIMEOUT_S:g} s") from exc
        return path.read_bytes()


def _updated_record(record: str, changed: dict[str, bytes]) -> str:
    rows = list(csv.reader(io.StringIO(record)))
    for row in rows:
        if row and row[0] in changed:
            row[1:] = [record_hash(changed[row[0]]), str(len(changed[row[0]]))]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue()
