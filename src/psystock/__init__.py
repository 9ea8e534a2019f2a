"""psystock: take an MLflow model from the registry into production.

Batch scoring, a fast REST API, and (next) Docker images, Kubernetes and AWS SageMaker, all
on one scoring runtime (``psystock.scoring``).
"""

from psystock.errors import PsystockError
from psystock.settings import Settings, load_settings

__version__ = "0.1.0"

__all__ = ["PsystockError", "Settings", "__version__", "load_settings"]
