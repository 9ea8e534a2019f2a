import threading
import time

import pytest

from psystock.batch.parallel import ordered_map


def test_results_come_in_input_order_whatever_finishes_first() -> None:
    def slow_for_small(item: int) -> int:
        time.sleep(0.002 * (5 - item % 5))
        return item * 10

    assert list(ordered_map(slow_for_small, range(20), workers=3, depth=5)) == [
        item * 10 for item in range(20)
    ]


def test_work_runs_in_worker_threads_with_a_bounded_number_in_flight() -> None:
    started: list[int] = []
    names: set[str] = set()

    def record(item: int) -> int:
        started.append(item)
        names.add(threading.current_thread().name)
        return item

    results = ordered_map(record, range(100), workers=2, depth=4)
    assert next(results) == 0
    assert len(started) <= 4
    assert list(results) == list(range(1, 100))
    assert all(name.startswith("psystock-score") for name in names)


def test_the_first_error_in_input_order_is_raised_and_the_rest_cancelled() -> None:
    done: list[int] = []

    def fail_on_three(item: int) -> int:
        if item in (3, 5):
            raise ValueError(f"bad item {item}")
        done.append(item)
        return item

    results = ordered_map(fail_on_three, range(1000), workers=2, depth=4)
    with pytest.raises(ValueError, match=r"^bad item 3$"):
        list(results)
    assert len(done) < 20
