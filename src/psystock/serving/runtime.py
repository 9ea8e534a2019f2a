"""The scoring runtime the API follows the registry with: mlflow stays out of the server.

Over an ``http(s)://`` registry, psystock's runtime already speaks MLflow's REST API without
importing mlflow. With a SQL tracking URI (``sqlite:///``, ``postgresql://``...) it would go
through ``MlflowClient``; here instead the registry's database is read directly
(``psystock.registry.sql_reader``), so the server starts in about a second and stays about
150 MB smaller, and every poll is one small query. Artifacts on a local path are copied as
usual; other artifact stores (``s3://``...) still go through MLflow's artifact repositories.
"""

from __future__ import annotations

import importlib.util
import logging

from psystock.registry._errors import doing
from psystock.registry.references import ReferenceKind, parse_reference
from psystock.registry.sql_reader import SqlRegistryReader, is_sql_uri
from psystock.scoring import ScoringRuntime
from psystock.scoring.runtime import ResolvedModel
from psystock.settings import Settings

logger = logging.getLogger(__name__)

_WITHOUT_REGISTRY = (ReferenceKind.PATH, ReferenceKind.RUN, ReferenceKind.URI)


class SqlRegistryRuntime(ScoringRuntime):
    """A ``ScoringRuntime`` whose registry lookups read the registry's SQL database."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._reader = SqlRegistryReader(self.tracking_uri)

    def resolve(self, reference: str | None = None) -> ResolvedModel:
        """Which model ``reference`` means now, read from the registry's database.

        Raises:
            ModelReferenceError: the reference is malformed.
            ModelNotFoundError: the model, version, stage or alias does not exist.
            RegistryError: the database cannot be read.
        """
        parsed = parse_reference(reference or self.settings.scoring.reference)
        if parsed.kind in _WITHOUT_REGISTRY:
            return super().resolve(reference)
        with doing(f"resolving {parsed.text}", parsed.text):
            return self._reader.resolve(parsed)


def serving_runtime(settings: Settings) -> ScoringRuntime:
    """The runtime for the API: reads a SQL registry directly, else psystock's usual one."""
    if is_sql_uri(settings.resolved_tracking_uri):
        if importlib.util.find_spec("sqlalchemy") is not None:
            return SqlRegistryRuntime(settings)
        logger.info("SQLAlchemy is not installed: the registry is read through mlflow")
    return ScoringRuntime(settings)
