"""Micro-batching: one prepare and one native predict call for every request of a loop turn.

Each request is parsed on the event loop, then ``submit`` appends its rows to the pending list
and returns a future. The first submission of a loop turn schedules ``_flush`` with
``loop.call_soon``, so every request that reaches ``submit`` before the loop's next turn lands
in the same batch: no timer, no added latency. The flush groups requests by model object
(during a rollout, requests that took the old model finish on it) and column layout, joins
their rows, and scores each group (at most ``max_batch_rows`` rows) in one call: JSON rows
(``ModelInput``) through ``LoadedModel.prepare`` and ``predict``, CSV rows (``ArrowRows``)
through ``score_arrow``, the batch job's path. It then splits the prediction back
(``split_prediction``) and resolves each future.

When a joined batch fails (one request has a bad value), or its prediction is not one per row
(a model returning a summary), each request is scored on its own, so a bad request gets its
own error with its own row numbers and never fails its neighbours. Small batches run on the
loop thread, where a thread hop would cost more than the work; batches over ``inline_rows``
go to a worker thread so a huge request does not stall the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from psystock.errors import InputError, PsystockError, ScoringError
from psystock.scoring import LoadedModel, ModelInput, Prediction, score_arrow
from psystock.scoring.inputs import ArrowRows

logger = logging.getLogger(__name__)

INLINE_ROWS = 2048
"""Batches up to this many rows are scored on the event loop thread."""

BatchObserver = Callable[[LoadedModel, int, Sequence[Any]], None]
"""Called after each successful native call with the model, its rows and the predictions."""

Rows = ModelInput | ArrowRows
"""A request's rows: parsed JSON, or CSV read into Arrow."""


@dataclass
class _Pending:
    model: LoadedModel
    model_input: Rows
    rows: int
    future: asyncio.Future[Any]

    @property
    def layout(self) -> tuple[Any, ...]:
        """Requests of one layout can be joined: same model, same kind, same columns."""
        if isinstance(self.model_input, ArrowRows):
            table = self.model_input.table
            return (id(self.model), self.model_input.positional, table.schema)
        return (id(self.model), self.model_input.columns)


@dataclass(frozen=True)
class _Failure:
    error: BaseException


class MicroBatcher:
    """Collects the requests of one event loop and scores them together.

    Args:
        max_batch_rows: most rows joined into one call.
        threshold: the decision threshold ``score_arrow`` is given for CSV rows (answers
            carry the model's output, not decisions).
        observer: told about each successful call (metrics).
        inline_rows: batches up to this many rows are scored on the event loop thread.
    """

    def __init__(
        self,
        max_batch_rows: int,
        threshold: float,
        observer: BatchObserver | None = None,
        inline_rows: int = INLINE_ROWS,
    ) -> None:
        self._max_batch_rows = max_batch_rows
        self._threshold = threshold
        self._observer = observer
        self._inline_rows = inline_rows
        self._pending: list[_Pending] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    def submit(self, model: LoadedModel, model_input: Rows, rows: int) -> asyncio.Future[Any]:
        """Queue ``model_input`` (``rows`` rows) for ``model``; the future gets its prediction.

        The future raises the ``InputError`` of ``model.prepare`` when the rows do not fit
        the model's signature, or ``ScoringError`` when the model fails.
        """
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append(_Pending(model, model_input, rows, future))
        return future

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        for batch in self._batches(pending):
            live = [item for item in batch if not item.future.done()]  # cancelled: client left
            if not live:
                continue
            if _rows(live) > self._inline_rows:
                self._score_in_thread(live)
            else:
                _resolve(live, self._score(live))

    def _batches(self, pending: list[_Pending]) -> list[list[_Pending]]:
        """Group by model object and column layout, in chunks of at most ``max_batch_rows``."""
        batches: list[list[_Pending]] = []
        groups: dict[tuple[Any, ...], list[list[_Pending]]] = {}
        for item in pending:
            chunks = groups.setdefault(item.layout, [])
            if not chunks or _rows(chunks[-1]) + item.rows > self._max_batch_rows:
                chunks.append([])
                batches.append(chunks[-1])
            chunks[-1].append(item)
        return batches

    def _score(self, batch: list[_Pending]) -> list[Any]:
        """Predictions (or ``_Failure``) for each request of ``batch``."""
        if len(batch) == 1:
            return [self._score_one(batch[0])]
        model = batch[0].model
        rows = _rows(batch)
        try:
            prediction = self._predict(model, _join([item.model_input for item in batch]))
        except Exception:  # a bad request in the batch: score each alone, for its own error
            return [self._score_one(item) for item in batch]
        if _length(prediction) != rows:  # not one output per row: no way to split it
            return [self._score_one(item) for item in batch]
        self._observe(model, rows, [prediction])
        return split_prediction(prediction, [item.rows for item in batch])

    def _predict(self, model: LoadedModel, rows: Rows) -> Prediction:
        if isinstance(rows, ArrowRows):
            return score_arrow(
                model, rows.table, self._threshold, positional=rows.positional
            ).prediction
        return model.predict(model.prepare(rows))

    def _score_one(self, item: _Pending) -> Any:
        try:
            prediction = self._predict(item.model, item.model_input)
        except InputError as exc:
            return _Failure(exc)
        except Exception as exc:
            return _Failure(_as_scoring_error(exc))
        self._observe(item.model, item.rows, [prediction])
        return prediction

    def _observe(self, model: LoadedModel, rows: int, predictions: Sequence[Any]) -> None:
        if self._observer is None:
            return
        try:
            self._observer(model, rows, predictions)
        except Exception:  # metrics must never fail a prediction
            logger.exception("recording batch metrics failed")

    def _score_in_thread(self, batch: list[_Pending]) -> None:
        task = asyncio.get_running_loop().run_in_executor(None, self._score, batch)

        def resolve(done: asyncio.Future[list[Any]]) -> None:
            if done.cancelled() or done.exception() is not None:
                failure = _Failure(ScoringError("the prediction thread was stopped"))
                _resolve(batch, [failure] * len(batch))
            else:
                _resolve(batch, done.result())

        task.add_done_callback(resolve)


def split_prediction(prediction: Any, rows: Sequence[int]) -> list[Any]:
    """Cut one prediction over joined rows back into one per request (``rows`` each).

    Arrays and lists are sliced along their first axis (numpy arrays into views), pandas
    objects by position.
    """
    ends = list(accumulate(rows))
    starts = [0, *ends[:-1]]
    if hasattr(prediction, "iloc"):  # pandas Series or DataFrame from a pyfunc model
        return [prediction.iloc[start:end] for start, end in zip(starts, ends, strict=True)]
    return [prediction[start:end] for start, end in zip(starts, ends, strict=True)]


def _resolve(batch: list[_Pending], outcomes: list[Any]) -> None:
    for item, outcome in zip(batch, outcomes, strict=True):
        if item.future.done():
            continue
        if isinstance(outcome, _Failure):
            item.future.set_exception(outcome.error)
        else:
            item.future.set_result(outcome)


def _rows(batch: list[_Pending]) -> int:
    return sum(item.rows for item in batch)


def _join(inputs: list[Rows]) -> Rows:
    """The rows of several requests of one layout as one input."""
    first = inputs[0]
    if len(inputs) == 1:
        return first
    if isinstance(first, ArrowRows):
        import pyarrow as pa

        tables = [rows.table for rows in inputs if isinstance(rows, ArrowRows)]
        return ArrowRows(pa.concat_tables(tables), first.positional)
    values = [row for rows in inputs if isinstance(rows, ModelInput) for row in rows.values]
    return ModelInput(values, first.columns)


def _length(prediction: Prediction) -> int | None:
    try:
        return len(prediction)
    except TypeError:
        return None


def _as_scoring_error(exc: Exception) -> PsystockError:
    if isinstance(exc, PsystockError):
        return exc
    logger.error("the model failed while predicting", exc_info=exc)
    return ScoringError("the model failed while predicting; see the server log")
