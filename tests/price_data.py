"""A BTC-USD daily price file in Yahoo Finance's CSV layout, generated: tests never need real data.

3,484 consecutive days from 2014-09-17 to 2024-03-31, as the real file the book uses; the
first 16 days close down or up exactly as the real ones did (the hand check of the feature
test), the rest is a seeded random walk. The same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

FIRST_DAY = dt.date(2014, 9, 17)
DAYS = 3484
HEADER = "Date,Open,High,Low,Close,Adj Close,Volume"
# Close above Open (1) or not (0) on 2014-09-17 .. 2014-10-02 in the real file.
FIRST_DIRECTIONS = (0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0)


def write_yahoo_csv(path: Path, *, days: int = DAYS, seed: int = 2014) -> Path:
    """Write ``days`` daily prices from ``FIRST_DAY`` to ``path`` in Yahoo's layout."""
    import numpy as np

    rng = np.random.default_rng(seed)
    moves = rng.normal(0.0005, 0.035, size=days)
    for day, direction in enumerate(FIRST_DIRECTIONS[:days]):
        size = max(abs(moves[day]), 0.001)
        moves[day] = size if direction else -size
    lines = [HEADER]
    open_price = 457.334015
    for day in range(days):
        close = open_price * (1 + moves[day])
        wiggle = abs(rng.normal(0, 0.01))
        high, low = max(open_price, close) * (1 + wiggle), min(open_price, close) * (1 - wiggle)
        volume = int(rng.integers(10_000_000, 90_000_000_000))
        date = (FIRST_DAY + dt.timedelta(days=day)).isoformat()
        lines.append(
            f"{date},{open_price:.6f},{high:.6f},{low:.6f},{close:.6f},{close:.6f},{volume}"
        )
        open_price = close
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
