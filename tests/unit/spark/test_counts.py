from psystock.batch.pipeline import Counts
from psystock.spark.counts import SplitCountsParam, rows_before, total


def counts(rows_in: int, rows_out: int, positives: int = 0) -> Counts:
    return Counts(
        rows_in=rows_in, rows_out=rows_out, quarantined=rows_in - rows_out, positives=positives
    )


def test_a_split_reported_twice_counts_once() -> None:
    param = SplitCountsParam()
    value = param.zero({})
    value = param.addInPlace(value, {(1, 0): counts(5, 5)})
    value = param.addInPlace(value, {(1, 0): counts(5, 5), (1, 9): counts(2, 1)})
    assert total(value.values()).rows_in == 7


def test_totals_add_every_figure_and_the_histogram() -> None:
    first, second = counts(4, 3, 2), counts(6, 6, 1)
    first.histogram.counts[0] = 3
    second.histogram.counts[0] = 6
    whole = total([first, second])
    assert (whole.rows_in, whole.rows_out, whole.quarantined, whole.positives) == (10, 9, 1, 3)
    assert whole.histogram.counts[0] == 9


def test_rows_before_a_split_count_the_earlier_splits_of_its_file_only() -> None:
    splits = {
        (2, 100): counts(5, 5),
        (2, 0): counts(3, 3),
        (9, 0): counts(7, 7),
        (2, 250): counts(1, 1),
    }
    assert rows_before(splits) == {(2, 0): 0, (2, 100): 3, (2, 250): 8, (9, 0): 0}
