import datetime as dt

import numpy as np
import pandas as pd

from psystock.data.quality import check_prices
from psystock.data.synthetic import START_PRICE, generate_prices

START = dt.date(2014, 9, 17)


def test_generate_prices_is_deterministic_for_a_seed() -> None:
    first = generate_prices(200, seed=7, start=START)
    again = generate_prices(200, seed=7, start=START)

    pd.testing.assert_frame_equal(first, again)


def test_generate_prices_differs_between_seeds() -> None:
    assert not generate_prices(50, seed=1, start=START).equals(
        generate_prices(50, seed=2, start=START)
    )


def test_generate_prices_has_consistent_ohlc_and_consecutive_days() -> None:
    frame = generate_prices(1000, seed=3, start=START)

    assert frame["Date"].iloc[0] == "2014-09-17"
    assert frame["Date"].iloc[-1] == "2017-06-12"
    assert (frame["High"] >= frame[["Open", "Close"]].max(axis=1)).all()
    assert (frame["Low"] <= frame[["Open", "Close"]].min(axis=1)).all()
    assert (frame["Low"] > 0).all()
    assert (frame["Open"].iloc[1:].to_numpy() == frame["Close"].iloc[:-1].to_numpy()).all()
    assert frame["Open"].iloc[0] == START_PRICE
    checked = check_prices(frame)
    assert checked.report.rows_kept == 1000


def test_generate_prices_has_both_up_and_down_days() -> None:
    frame = generate_prices(1000, seed=3, start=START)

    up_share = float(np.mean(frame["Close"] > frame["Open"]))
    assert 0.4 < up_share < 0.6
