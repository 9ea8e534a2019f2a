"""Map a function over an iterator in worker threads, results in input order.

At most ``depth`` items are in flight, so memory stays a few blocks whatever the input size.
The iterator is advanced and the results consumed in the calling thread; the workers run the
function, which must release the GIL to gain anything (numpy, pyarrow and XGBoost do). When
the consumer stops early (an error, Ctrl-C), items not started are cancelled and the
running ones are waited for.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def ordered_map(
    function: Callable[[Item], Result], items: Iterable[Item], workers: int, depth: int
) -> Iterator[Result]:
    """``function(item)`` for each item, computed by ``workers`` threads, yielded in order.

    Raises:
        Exception: the first exception ``function`` raised, in input order.
    """
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="psystock-score")
    pending: deque[Future[Result]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
