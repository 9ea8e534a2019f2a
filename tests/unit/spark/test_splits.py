from __future__ import annotations

import math

from psystock.spark.splits import even_split_bytes

MB = 1 << 20


def test_an_input_of_a_split_per_core_or_less_keeps_sparks_split() -> None:
    assert even_split_bytes(200 * MB, 1, 2, 128 * MB, 4 * MB) is None
    assert even_split_bytes(10 * MB, 3, 8, 128 * MB, 4 * MB) is None


def test_a_larger_input_falls_into_whole_waves_of_equal_splits() -> None:
    size = even_split_bytes(280 * MB, 1, 2, 128 * MB, 4 * MB)
    assert size == math.ceil(284 * MB / 4)  # 128 + 128 + 24 MB becomes 4 x 71 MB
    splits = math.ceil(280 * MB / size)
    assert splits % 2 == 0


def test_the_split_never_grows_past_sparks_largest() -> None:
    for total in (600, 1_000, 12_345):
        size = even_split_bytes(total * MB, 7, 4, 128 * MB, 4 * MB)
        assert size is not None
        assert size <= 128 * MB
