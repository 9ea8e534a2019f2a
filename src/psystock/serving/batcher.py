"""Micro-batching: one native predict call for every request parsed in the same loop turn.

Each request is parsed and prepared on the event loop, then ``submit`` appends it to the
pending list and returns a future. The first submission of a loop turn schedules ``_flush``
with ``loop.call_soon``, so every request that reaches ``submit`` before the loop's next turn
lands in the same batch: no timer, no added latency. The flush groups requests by model object
(during a rollout, requests that took the old model finish on it), calls
``LoadedModel.predict_many`` once per group (at most ``max_batch_rows`` rows per call) and
resolves each future. Small batches are predicted on the loop thread, where a thread hop would
cost more than the prediction; batches over ``inline_rows`` go to a worker thread so a huge
request does not stall the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from psystock.errors import PsystockError, ScoringError
from psystock.scoring import LoadedModel

logger = logging.getLogger(__name__)

INLINE_ROWS = 2048
"""Batches up to this many rows are predicted on the event loop thread."""

BatchObserver = Callable[[LoadedModel, int, Sequence[Any]], None]
"""Called after each successful native call with the model, its rows and the predictions."""


@dataclass
class _Pending:
    model: LoadedModel
    prepared: Any
    rows: int
    future: asyncio.Future[Any]


class MicroBatcher:
    """Collects prepared inputs of one event loop and predicts them together."""

    def __init__(
        self,
        max_batch_rows: int,
        observer: BatchObserver | None = None,
        inline_rows: int = INLINE_ROWS,
    ) -> None:
        self._max_batch_rows = max_batch_rows
        self._observer = observer
        self._inline_rows = inline_rows
        self._pending: list[_Pending] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def submit(self, model: LoadedModel, prepared: Any, rows: int) -> asyncio.Future[Any]:
        """Queue ``prepared`` (``rows`` rows) for ``model``; the future gets its prediction."""
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append(_Pending(model, prepared, rows, future))
        return future

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        for batch in self._batches(pending):
            live = [item for item in batch if not item.future.done()]  # cancelled: client left
            if not live:
                continue
            if sum(item.rows for item in live) > self._inline_rows:
                self._predict_in_thread(live)
            else:
                self._resolve(live, self._predict(live))

    def _batches(self, pending: list[_Pending]) -> list[list[_Pending]]:
        """Split ``pending`` by model object, then into chunks of at most ``max_batch_rows``."""
        batches: list[list[_Pending]] = []
        by_model: dict[int, list[list[_Pending]]] = {}
        for item in pending:
            chunks = by_model.setdefault(id(item.model), [])
            if not chunks or _rows(chunks[-1]) + item.rows > self._max_batch_rows:
                chunks.append([])
                batches.append(chunks[-1])
            chunks[-1].append(item)
        return batches

    def _predict(self, batch: list[_Pending]) -> list[Any] | BaseException:
        model = batch[0].model
        try:
            predictions = model.predict_many([item.prepared for item in batch])
        except Exception as exc:
            if len(batch) > 1:  # one bad input must not fail its neighbours: retry one by one
                return [self._predict_one(item) for item in batch]
            return _as_scoring_error(exc)
        if self._observer is not None:
            self._observer(model, _rows(batch), predictions)
        return predictions

    def _predict_one(self, item: _Pending) -> Any:
        try:
            predictions = item.model.predict_many([item.prepared])
        except Exception as exc:
            return _Failure(_as_scoring_error(exc))
        if self._observer is not None:
            self._observer(item.model, item.rows, predictions)
        return predictions[0]

    def _predict_in_thread(self, batch: list[_Pending]) -> None:
        task = asyncio.get_running_loop().run_in_executor(None, self._predict, batch)

        def resolve(done: asyncio.Future[list[Any] | BaseException]) -> None:
            if done.cancelled() or done.exception() is not None:
                self._resolve(batch, ScoringError("the prediction thread was stopped"))
            else:
                self._resolve(batch, done.result())

        task.add_done_callback(resolve)

    @staticmethod
    def _resolve(batch: list[_Pending], outcome: list[Any] | BaseException) -> None:
        for index, item in enumerate(batch):
            if item.future.done():
                continue
            result = outcome if isinstance(outcome, BaseException) else outcome[index]
            if isinstance(result, _Failure):
                item.future.set_exception(result.error)
            elif isinstance(result, BaseException):
                item.future.set_exception(result)
            else:
                item.future.set_result(result)


@dataclass(frozen=True)
class _Failure:
    error: BaseException


def _rows(batch: list[_Pending]) -> int:
    return sum(item.rows for item in batch)


def _as_scoring_error(exc: Exception) -> PsystockError:
    if isinstance(exc, PsystockError):
        return exc
    logger.error("the model failed while predicting", exc_info=exc)
    return ScoringError("the model failed while predicting; see the server log")
