"""The scoring runtime: resolve a model reference, fetch its artifacts (cached), load it.

The batch job and the REST API both start here::

    runtime = ScoringRuntime(settings)
    resolved = runtime.resolve()          # cheap registry lookup: which version is Production?
    model = runtime.load(resolved)        # cached artifacts + XGBoost fast path or pyfunc
    prepared = model.prepare(ModelInput(rows))
    probabilities = model.predict(prepared)

Nothing here imports a web framework, pandas or (on the XGBoost path with an ``http(s)``
tracking URI) mlflow.
"""

from __future__ import annotations

from pathlib import Path

from psystock.registry.artifacts import download_model
from psystock.registry.resolve import ResolvedModel, resolve_reference
from psystock.scoring.cache import ModelCache
from psystock.scoring.loader import load_model_dir
from psystock.scoring.model import LoadedModel
from psystock.settings import Settings

__all__ = ["ResolvedModel", "ScoringRuntime"]


class ScoringRuntime:
    """Resolves, fetches and loads models for scoring, configured by ``settings``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.tracking_uri = settings.resolved_tracking_uri
        self.cache = ModelCache(settings.model_cache_dir, self.tracking_uri)

    def resolve(self, reference: str | None = None) -> ResolvedModel:
        """Which model ``reference`` means now (default ``settings.scoring.reference``).

        A registry lookup only, no download: cheap enough to poll.

        Raises:
            ModelReferenceError: the reference is malformed.
            ModelNotFoundError: the model, version, stage or alias does not exist.
            RegistryError: the registry failed or cannot be reached.
        """
        return resolve_reference(reference or self.settings.scoring.reference, self.settings)

    def fetch(self, resolved: ResolvedModel) -> Path:
        """The local model directory of ``resolved``, downloaded into the cache if needed."""
        return self.cache.fetch(resolved, self._download)

    def load(self, reference: str | ResolvedModel | None = None) -> LoadedModel:
        """Resolve (unless given a ``ResolvedModel``), fetch and load a model.

        Raises:
            RegistryError: resolving or downloading failed.
            ModelLoadError: the artifacts cannot be loaded.
        """
        resolved = reference if isinstance(reference, ResolvedModel) else self.resolve(reference)
        return load_model_dir(self.fetch(resolved), resolved)

    def _download(self, resolved: ResolvedModel, destination: Path) -> Path:
        return download_model(resolved, destination, self.settings)
