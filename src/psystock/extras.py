"""Optional parts of psystock: which pip extra brings which library, checked before use.

The core install (``pip install psystock``) is the scoring runtime and the REST API. A code
path that needs more calls ``require_extra`` first, so a missing library is one ``Error:`` line
that says which extra to install, never an ``ImportError`` traceback. ``missing_extra`` turns a
``ModuleNotFoundError`` that slipped past into the same error (the CLI's safety net).
"""

from __future__ import annotations

import importlib.util

from psystock.errors import MissingExtraError

EXTRAS: dict[str, tuple[str, ...]] = {
    "mlflow": ("mlflow",),
    "batch": ("matplotlib",),
    "train": ("mlflow", "pandas", "sklearn", "matplotlib"),
    "yahoo": ("yfinance",),
    "aws": ("boto3", "botocore"),
    "spark": ("pyspark",),
    "registry-server": ("mlflow", "psycopg2", "boto3", "psutil"),
}
"""Each extra (as in pyproject.toml) and the top-level modules psystock imports from it; the
first extra that lists a module is the one ``missing_extra`` names for it."""


def is_installed(module: str) -> bool:
    """Whether the top-level ``module`` can be imported (without importing it)."""
    return importlib.util.find_spec(module.partition(".")[0]) is not None


def require_extra(extra: str, purpose: str) -> None:
    """Raise ``MissingExtraError`` unless every library of ``extra`` is installed.

    Args:
        extra: a key of ``EXTRAS``.
        purpose: what needs it, as the start of a sentence (``"psystock train"``).

    Raises:
        MissingExtraError: a library is not installed; the message names the extra.
    """
    for module in EXTRAS[extra]:
        if not is_installed(module):
            raise MissingExtraError(purpose, module, extra)


def missing_extra(exc: ModuleNotFoundError, purpose: str) -> MissingExtraError | None:
    """The ``MissingExtraError`` that explains ``exc``, or None when no extra installs it."""
    module = (exc.name or "").partition(".")[0]
    for extra, modules in EXTRAS.items():
        if module in modules:
            return MissingExtraError(purpose, module, extra)
    return None
