"""Synthetic daily prices for offline use: a seeded geometric random walk.

The same seed, start and length always give the same prices. The prices are not market data;
every place that shows them says "synthetic" (see ``sources.synthetic_label``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from psystock.data.layout import ADJ_CLOSE, CLOSE, DATE, DATE_FORMAT, HIGH, LOW, OPEN, VOLUME

if TYPE_CHECKING:
    import pandas as pd

START_PRICE = 450.0
"""Opening price of the first day (BTC-USD opened near this in September 2014)."""
DAILY_DRIFT = 0.001
"""Mean log return per day."""
DAILY_VOLATILITY = 0.035
"""Standard deviation of the daily log return (BTC's is about 3-4 %)."""
WICK_VOLATILITY = 0.01
"""Scale of how far High and Low reach beyond the open and close."""


def generate_prices(days: int, seed: int, start: dt.date) -> pd.DataFrame:
    """Daily prices for ``days`` consecutive days from ``start``, in the Yahoo CSV layout.

    Each day opens at the previous close (the market trades around the clock), closes at
    ``open * exp(N(drift, volatility))``, and its High/Low enclose both Open and Close.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    log_returns = rng.normal(DAILY_DRIFT, DAILY_VOLATILITY, size=days)
    closes = START_PRICE * np.exp(np.cumsum(log_returns))
    opens = np.concatenate(([START_PRICE], closes[:-1]))
    highs = np.maximum(opens, closes) * np.exp(np.abs(rng.normal(0, WICK_VOLATILITY, size=days)))
    lows = np.minimum(opens, closes) * np.exp(-np.abs(rng.normal(0, WICK_VOLATILITY, size=days)))
    volumes = rng.lognormal(mean=21.0, sigma=0.5, size=days).round().astype("int64")
    dates = pd.date_range(start, periods=days, freq="D").strftime(DATE_FORMAT)
    return pd.DataFrame(
        {
            DATE: dates,
            OPEN: opens.round(6),
            HIGH: highs.round(6),
            LOW: lows.round(6),
            CLOSE: closes.round(6),
            ADJ_CLOSE: closes.round(6),
            VOLUME: volumes,
        }
    )
