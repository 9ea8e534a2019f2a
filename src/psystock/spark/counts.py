"""Per-split ``Counts`` gathered from the tasks through an accumulator, and their totals.

The accumulator's value is a dict keyed by split: a task that Spark runs twice (a retry, a
speculative copy) sets the same key to the same figures, so nothing is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from psystock.batch.pipeline import Counts
from psystock.spark.worker import Split

SplitCounts = dict[Split, Counts]


class SplitCountsParam:
    """An ``AccumulatorParam`` merging per-split counts (the last report of a split wins)."""

    def zero(self, _value: SplitCounts) -> SplitCounts:
        """An empty dict."""
        return {}

    def addInPlace(self, value1: SplitCounts, value2: SplitCounts) -> SplitCounts:
        """``value1`` updated with ``value2``."""
        value1.update(value2)
        return value1


def total(counts: Iterable[Counts]) -> Counts:
    """The sum of several ``Counts``."""
    whole = Counts()
    for part in counts:
        whole.rows_in += part.rows_in
        whole.rows_out += part.rows_out
        whole.quarantined += part.quarantined
        whole.positives += part.positives
        whole.histogram.counts += part.histogram.counts
    return whole


def rows_before(counts: SplitCounts) -> dict[Split, int]:
    """For each split, the rows of the splits before it in the same file."""
    before: dict[Split, int] = {}
    running: dict[int, int] = {}
    for split in sorted(counts):
        before[split] = running.get(split[0], 0)
        running[split[0]] = before[split] + counts[split].rows_in
    return before
