"""Hot rollout: hold the model being served and swap in new registry versions atomically.

A ``RegistryWatcher`` thread resolves the model reference every ``interval_s`` seconds, or at
once when ``request_check`` is called (a registry webhook said an alias moved). When
the stage or alias points at another version, it loads that version in the background and
swaps it into the ``ModelHolder`` with one reference assignment: a request that already took
the old model object finishes on it. A version that fails to load is logged, reported to the
listener and retried with an exponential back-off per version, while the old model keeps
serving. An unreachable registry is logged once per outage; the loaded model keeps serving.

Transport-free: the REST API, a SageMaker container or a Spark engine can all use it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from psystock.errors import ModelLoadError, ModelNotFoundError, PsystockError, RegistryError
from psystock.scoring.model import LoadedModel, ModelInfo
from psystock.scoring.runtime import ResolvedModel, ScoringRuntime

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 3600.0
"""Longest wait before a version that failed to load is tried again."""

FIRST_LOAD_RETRY_S = 5.0
"""Retry interval of the first load when watching is off (``interval_s == 0``)."""


class RolloutListener(Protocol):
    """Told about rollout events (e.g. to update metrics); called from the watcher thread."""

    def on_model_loaded(self, info: ModelInfo, previous: ModelInfo | None) -> None:
        """A model was loaded and is now served (``previous`` is the one it replaced)."""

    def on_load_failed(self, resolved: ResolvedModel, error: PsystockError) -> None:
        """A version could not be loaded; the previous model (if any) keeps serving."""

    def on_registry_error(self, error: PsystockError) -> None:
        """The registry could not say which version to serve (unreachable, not found)."""


class ModelHolder:
    """The model being served, replaced atomically.

    Readers take ``holder.model`` once per request and keep that object until they answer.
    """

    def __init__(self) -> None:
        self._model: LoadedModel | None = None
        self.last_error: str | None = None
        """Why the latest check or load failed (``None`` after a success), for health answers."""

    @property
    def model(self) -> LoadedModel | None:
        """The model to score with, or ``None`` before the first successful load."""
        return self._model

    def swap(self, model: LoadedModel) -> LoadedModel | None:
        """Serve ``model`` from now on; return the one it replaces."""
        previous, self._model = self._model, model
        self.last_error = None
        return previous


@dataclass(frozen=True)
class RegistryState:
    """How the watcher's conversation with the registry goes, for health answers.

    Attributes:
        last_success_at: when the registry last answered which version to serve (UTC).
        consecutive_failures: checks failed in a row since then.
        last_error: why the latest check failed (None after a success).
    """

    last_success_at: datetime | None
    consecutive_failures: int
    last_error: str | None


@dataclass
class _Backoff:
    failures: int
    retry_at: float


class RegistryWatcher:
    """Keep a ``ModelHolder`` on the version a model reference resolves to."""

    def __init__(
        self,
        runtime: ScoringRuntime,
        holder: ModelHolder,
        reference: str,
        interval_s: float,
        listener: RolloutListener | None = None,
        *,
        configure: Callable[[LoadedModel], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Watch ``reference`` for ``holder``.

        Args:
            runtime: resolves and loads models.
            holder: receives each new model.
            reference: the model reference to follow (a stage or alias moves).
            interval_s: seconds between checks; 0 loads once and stops watching.
            listener: told about loads, failures and registry errors.
            configure: called on each freshly loaded model before it is swapped in.
            clock: monotonic seconds (injectable for back-off tests).
        """
        self._runtime = runtime
        self._holder = holder
        self._reference = reference
        self._interval_s = interval_s
        self._listener = listener
        self._configure = configure
        self._clock = clock
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_success_at: datetime | None = None
        self._consecutive_failures = 0
        self._last_registry_error: str | None = None
        self._backoff: dict[tuple[str | None, str], _Backoff] = {}
        self._failing: type[PsystockError] | None = None

    @property
    def reference(self) -> str:
        """The model reference being watched."""
        return self._reference

    @property
    def registry_state(self) -> RegistryState:
        """The registry's state as the latest checks saw it."""
        return RegistryState(
            self._last_success_at, self._consecutive_failures, self._last_registry_error
        )

    def request_check(self) -> None:
        """Check the registry now instead of at the next interval (thread-safe)."""
        self._wake.set()

    def start(self) -> None:
        """Check now and then every ``interval_s`` seconds, in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="psystock-rollout", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop watching; a load in progress is waited for up to ``timeout_s``."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def check_once(self) -> bool:
        """Resolve the reference and roll out the version it points at if it is new.

        Returns:
            ``True`` when a new model was swapped in.
        """
        try:
            resolved = self._runtime.resolve(self._reference)
        except PsystockError as exc:  # RegistryError, ModelNotFoundError, a bad reference
            self._registry_failed(exc)
            return False
        self._last_success_at = datetime.now(UTC)
        self._consecutive_failures = 0
        self._last_registry_error = None
        if self._failing is not None:
            logger.info("%s resolves to version %s again", self._reference, resolved.version)
            self._failing = None
        current = self._holder.model
        key = (resolved.version, resolved.source)
        if current is not None and (current.info.version, current.info.source) == key:
            return False
        backoff = self._backoff.get(key)
        if backoff is not None and self._clock() < backoff.retry_at:
            return False
        return self._load(resolved, key)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check_once()
            except Exception:  # a bug here must not stop the rollout thread
                logger.exception("rollout check of %s failed unexpectedly", self._reference)
            if self._interval_s <= 0 and self._holder.model is not None:
                return
            self._wake.wait(self._interval_s if self._interval_s > 0 else FIRST_LOAD_RETRY_S)
            self._wake.clear()

    def _load(self, resolved: ResolvedModel, key: tuple[str | None, str]) -> bool:
        try:
            model = self._runtime.load(resolved)
            if self._configure is not None:
                self._configure(model)
        except PsystockError as exc:
            self._load_failed(resolved, key, exc)
            return False
        except Exception as exc:  # the runtime should translate; never let it kill a rollout
            logger.exception("unexpected error while loading %s", resolved.reference)
            error = ModelLoadError(f"cannot load {resolved.reference}: unexpected {exc!r}")
            self._load_failed(resolved, key, error)
            return False
        previous = self._holder.swap(model)
        self._backoff.pop(key, None)
        old = previous.info if previous is not None else None
        logger.info(
            "serving %s version %s (%s)%s",
            model.info.name or model.info.reference,
            model.info.version,
            model.info.flavor,
            f", replacing version {old.version}" if old is not None else "",
        )
        if self._listener is not None:
            self._listener.on_model_loaded(model.info, old)
        return True

    def _load_failed(
        self, resolved: ResolvedModel, key: tuple[str | None, str], error: PsystockError
    ) -> None:
        failures = self._backoff[key].failures + 1 if key in self._backoff else 1
        delay = min(max(self._interval_s, FIRST_LOAD_RETRY_S) * 2**failures, MAX_BACKOFF_S)
        self._backoff[key] = _Backoff(failures, self._clock() + delay)
        self._holder.last_error = error.message
        serving = self._holder.model
        logger.error(
            "cannot load %s version %s (attempt %d, next in %.0f s); %s: %s",
            resolved.reference,
            resolved.version,
            failures,
            delay,
            f"version {serving.info.version} keeps serving" if serving else "nothing to serve",
            error.message,
        )
        if self._listener is not None:
            self._listener.on_load_failed(resolved, error)

    def _registry_failed(self, error: PsystockError) -> None:
        self._consecutive_failures += 1
        self._last_registry_error = error.message
        if self._holder.model is None:
            self._holder.last_error = error.message
        if self._listener is not None:
            self._listener.on_registry_error(error)
        if self._failing is type(error):
            logger.debug("registry check still failing: %s", error.message)
            return
        self._failing = type(error)
        if isinstance(error, ModelNotFoundError):
            logger.warning("%s; waiting for it to appear in the registry", error.message)
        elif not isinstance(error, RegistryError):
            logger.error("cannot resolve %s: %s", self._reference, error.message)
        else:
            logger.warning("cannot check the registry (%s); the loaded model keeps serving", error)
