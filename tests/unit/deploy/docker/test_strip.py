import base64
import hashlib
import struct
import zipfile
from pathlib import Path

import pytest
import uvloop

from psystock.deploy.docker.strip import (
    is_loadable,
    is_shared_library,
    record_hash,
    strip_wheels,
)

# uvloop's wheel ships its module with debug information: stripping it is worth 12 MB.
UNSTRIPPED = next(Path(uvloop.__file__).parent.glob("loop.*.so"))
WHEN = (2020, 2, 2, 0, 0, 0)


def _wheel(path: Path, library: bytes) -> Path:
    members = {
        "demo/__init__.py": b"x = 1\n",
        "demo/loop.so": library,
        "demo.libs/libz-1a2b.so.1.2": library,
    }
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data in members.items())
    record += "demo-1.0.dist-info/RECORD,,\n"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in {**members, "demo-1.0.dist-info/RECORD": record.encode()}.items():
            info = zipfile.ZipInfo(name, WHEN)
            info.external_attr = 0o755 << 16
            wheel.writestr(info, data)
    return path


def _records(wheel: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    text = wheel.read("demo-1.0.dist-info/RECORD").decode()
    rows = [line.split(",") for line in text.splitlines()]
    return {row[0]: (row[1], row[2]) for row in rows}


def test_shared_libraries_are_named_so_or_so_with_a_version() -> None:
    assert is_shared_library("pyarrow/libarrow.so.2600")
    assert is_shared_library("uvloop/loop.cpython-311-x86_64-linux-gnu.so")
    assert not is_shared_library("pkg/solver.py")
    assert not is_shared_library("pkg.so/readme.txt")


def test_record_hash_is_pips_urlsafe_sha256_without_padding() -> None:
    assert record_hash(b"") == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"


def test_is_loadable_checks_load_segments_against_the_page_size() -> None:
    library = UNSTRIPPED.read_bytes()
    assert is_loadable(library)
    assert not is_loadable(b"#!/bin/sh\n")
    table_offset = struct.unpack_from("<Q", library, 32)[0]
    count = struct.unpack_from("<H", library, 56)[0]
    broken = bytearray(library)
    for index in range(count):
        entry = table_offset + index * 56
        if struct.unpack_from("<I", broken, entry)[0] == 1:  # PT_LOAD: move its offset
            offset = struct.unpack_from("<Q", broken, entry + 8)[0]
            struct.pack_into("<Q", broken, entry + 8, offset + 8)
    assert not is_loadable(bytes(broken))


def test_strip_wheels_shrinks_libraries_and_rewrites_the_record(tmp_path: Path) -> None:
    library = UNSTRIPPED.read_bytes()
    (tmp_path / "a").mkdir()
    first = _wheel(tmp_path / "a" / "demo-1.0-py3-none-any.whl", library)
    before = first.stat().st_size
    saved = strip_wheels([first])
    assert saved == before - first.stat().st_size > 10_000_000
    with zipfile.ZipFile(first) as wheel:
        stripped = wheel.read("demo/loop.so")
        assert len(stripped) < len(library) - 10_000_000
        assert is_loadable(stripped)
        assert wheel.read("demo.libs/libz-1a2b.so.1.2") == stripped
        assert wheel.read("demo/__init__.py") == b"x = 1\n"
        records = _records(wheel)
        for name in ("demo/loop.so", "demo/__init__.py"):
            data = wheel.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert records[name] == (f"sha256={digest.decode()}", str(len(data)))
        assert [m.date_time for m in wheel.infolist()] == [WHEN] * 4
        assert {m.external_attr >> 16 for m in wheel.infolist()} == {0o755}
    (tmp_path / "b").mkdir()
    second = _wheel(tmp_path / "b" / first.name, library)
    strip_wheels([second])
    assert second.read_bytes() == first.read_bytes(), "the same wheel strips to the same bytes"


def test_strip_wheels_leaves_wheels_alone_without_strip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wheel = _wheel(tmp_path / "demo-1.0-py3-none-any.whl", UNSTRIPPED.read_bytes())
    before = wheel.read_bytes()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert strip_wheels([wheel]) == 0
    assert wheel.read_bytes() == before


def test_strip_wheels_keeps_stripped_wheels_in_a_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = UNSTRIPPED.read_bytes()
    cache = tmp_path / "cache"
    (tmp_path / "a").mkdir()
    first = _wheel(tmp_path / "a" / "demo-1.0-py3-none-any.whl", library)
    saved = strip_wheels([first], cache)
    assert [path.name.split("-", 1)[1] for path in cache.iterdir()] == [first.name]
    (tmp_path / "b").mkdir()
    second = _wheel(tmp_path / "b" / first.name, library)
    monkeypatch.setattr("psystock.deploy.docker.strip._strip_wheel", None)  # not called again
    assert strip_wheels([second], cache) == saved
    assert second.read_bytes() == first.read_bytes()
