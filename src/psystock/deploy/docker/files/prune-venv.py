"""Prune the api image's virtual environment to what serving loads; run in its install stage.

    python prune-venv.py /opt/psystock

What goes, and why it is safe:
- what no program loads at run time: test suites, C/C++ headers, Cython sources and type stubs,
  stale bytecode (numpy's f2py stays: scipy imports everything numpy exports);
- optional parts of libraries that the API never imports and that the libraries themselves
  import only on demand: pyarrow's Flight RPC and S3 filesystem (their own shared libraries,
  about 50 MB; conda-forge's pyarrow-core ships without them too) and pyarrow's C++ test module;
  scipy's subpackages besides ``scipy.sparse`` and what it needs (xgboost imports
  ``scipy.sparse`` and nothing else of scipy);
- copies: identical files (the three libarrow_python copies a wheel holds because it cannot hold
  symlinks, the gfortran runtime numpy and scipy both bundle) become hard links of one file.

Then it byte-compiles what is left and imports the serving stack, so a prune that removed
something the API needs fails the image's build instead of a request.
"""

from __future__ import annotations

import compileall
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

NOT_RUN_DIRS = frozenset({"tests", "__pycache__"})
"""Directories no program loads: test suites, and bytecode compiled again below."""
NOT_RUN_SUFFIXES = frozenset({".pyx", ".pxd", ".pxi", ".h", ".hpp", ".c", ".cc", ".cpp", ".pyi"})
"""Headers, Cython sources and type stubs: for compilers and type checkers, not interpreters."""
OPTIONAL_PARTS = (
    "numpy/_core/include",
    "pyarrow/include",
    "pyarrow/includes",
    "pyarrow/src",
    "pyarrow/flight.py",
    "pyarrow/_flight.*",
    "pyarrow/libarrow_flight.so*",
    "pyarrow/libarrow_python_flight.so*",
    "pyarrow/_s3fs.*",
    "pyarrow/libarrow_s3.so*",
    "pyarrow/_pyarrow_cpp_tests.*",
)
"""Globs under site-packages: headers and optional modules the API never imports."""
SCIPY_KEPT = frozenset({"_lib", "sparse", "special"})
"""scipy's subpackages that ``import scipy.sparse`` (xgboost's only use of scipy) loads."""
SERVING_CHECK = """
import io
import numpy as np
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pcsv
import xgboost as xgb
import psystock.cli, psystock.serving.app, psystock.scoring
table = pcsv.read_csv(io.BytesIO(b"a,b\\n1,0\\n0,1\\n"))
booster = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(np.eye(2), [0, 1]), 2)
booster.inplace_predict(np.column_stack([c.to_numpy() for c in table.columns]).astype(np.float32))
pc.sum(table["a"])
"""
"""What the API loads, run once: imports, an Arrow CSV read and an XGBoost prediction."""


def site_packages(venv: Path) -> Path:
    """The one site-packages directory of ``venv``."""
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if len(found) != 1:
        raise SystemExit(f"prune-venv: expected one site-packages under {venv}, found {found}")
    return found[0]


def remove(path: Path) -> int:
    """Delete ``path`` (file or directory); the bytes freed."""
    if path.is_symlink() or path.is_file():
        size = path.lstat().st_size
        path.unlink()
        return size
    size = sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir())
    shutil.rmtree(path)
    return size


def remove_not_run(packages: Path) -> int:
    """Delete test suites, bytecode, headers, Cython sources and stubs; the bytes freed."""
    freed = 0
    for directory in sorted(packages.rglob("*"), reverse=True):
        if directory.is_dir() and directory.name in NOT_RUN_DIRS:
            freed += remove(directory)
    for path in list(packages.rglob("*")):
        if path.suffix in NOT_RUN_SUFFIXES and path.is_file():
            freed += remove(path)
    return freed


def remove_optional_parts(packages: Path) -> int:
    """Delete ``OPTIONAL_PARTS`` and scipy's subpackages besides ``SCIPY_KEPT``; the bytes freed."""
    freed = 0
    for pattern in OPTIONAL_PARTS:
        for path in packages.glob(pattern):
            freed += remove(path)
    scipy = packages / "scipy"
    if scipy.is_dir():
        for path in scipy.iterdir():
            if path.is_dir() and path.name not in SCIPY_KEPT:
                freed += remove(path)
    return freed


def link_identical_files(packages: Path) -> int:
    """Replace each copy of an identical file by a hard link to the first; the bytes freed."""
    by_size: dict[int, list[Path]] = {}
    for path in sorted(packages.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size > 4096:
            by_size.setdefault(path.stat().st_size, []).append(path)
    freed = 0
    for size, paths in by_size.items():
        first_of: dict[str, Path] = {}
        for path in paths:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            first = first_of.setdefault(digest, path)
            if first != path and not path.samefile(first):
                path.unlink()
                os.link(first, path)
                freed += size
    return freed


def main() -> None:
    """Prune the virtual environment given as the only argument, compile it, check it."""
    venv = Path(sys.argv[1])
    packages = site_packages(venv)
    freed = remove_not_run(packages) + remove_optional_parts(packages)
    linked = link_identical_files(packages)
    compileall.compile_dir(packages, quiet=2, workers=0)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-c", SERVING_CHECK], check=True)
    sys.stdout.write(
        f"prune-venv: {freed / 1e6:.0f} MB removed, {linked / 1e6:.0f} MB of copies linked\n"
    )


if __name__ == "__main__":
    main()
