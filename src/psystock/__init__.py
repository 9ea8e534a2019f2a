"""psystock: take an MLflow model from the registry into production.

Batch scoring, a fast REST API, Docker images, Kubernetes and AWS SageMaker, all on one
scoring runtime (``psystock.scoring``).

``Settings``, ``load_settings`` and ``PsystockError`` are imported on first use: importing a
light module of psystock (``psystock.plots.worker``, a process of its own) does not import
the settings' pydantic models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psystock.errors import PsystockError
    from psystock.settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = ["PsystockError", "Settings", "__version__", "load_settings"]


def __getattr__(name: str) -> Any:
    """``Settings``, ``load_settings`` and ``PsystockError``, imported when first asked for."""
    if name == "PsystockError":
        from psystock.errors import PsystockError

        return PsystockError
    if name in ("Settings", "load_settings"):
        from psystock import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'psystock' has no attribute {name!r}")
