import sys
from pathlib import Path

import pandas as pd
import pytest

from psystock.data.yahoo import _shorten, fetch_yahoo, normalise_yahoo_frame
from psystock.errors import DataSourceError
from psystock.settings import DataSettings


def yfinance_like_frame() -> pd.DataFrame:
    """The shape yfinance >= 0.2.48 returns: MultiIndex (Price, Ticker) columns, dates as index."""
    index = pd.DatetimeIndex(["2024-01-01", "2024-01-02"], name="Date")
    columns = pd.MultiIndex.from_product(
        [["Adj Close", "Close", "High", "Low", "Open", "Volume"], ["BTC-USD"]],
        names=["Price", "Ticker"],
    )
    values = [[2.0, 2.0, 3.0, 1.0, 1.5, 10], [3.0, 3.0, 4.0, 2.0, 2.0, 20]]
    return pd.DataFrame(values, index=index, columns=columns)


def test_normalise_yahoo_frame_flattens_multiindex_to_the_csv_layout() -> None:
    frame = normalise_yahoo_frame(yfinance_like_frame())

    assert list(frame.columns) == ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"]
    assert frame["Date"].tolist() == ["2024-01-01", "2024-01-02"]
    assert frame["Open"].tolist() == [1.5, 2.0]


def test_normalise_yahoo_frame_handles_flat_columns_and_tz_aware_dates() -> None:
    flat = yfinance_like_frame()
    flat.columns = flat.columns.get_level_values(0)
    flat.index = pd.DatetimeIndex(flat.index).tz_localize("UTC")

    frame = normalise_yahoo_frame(flat)

    assert frame["Date"].tolist() == ["2024-01-01", "2024-01-02"]


def test_shorten_turns_a_yfinance_error_line_into_its_cause() -> None:
    line = (
        "['BTC-USD']: DNSError('Failed to perform, curl: (6) Could not resolve host: "
        "query2.finance.yahoo.com. See https://curl.se/libcurl/c/libcurl-errors.html first "
        "for more details.')"
    )

    assert _shorten(line) == (
        "DNSError: Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com"
    )


def test_fetch_yahoo_without_yfinance_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A None entry in sys.modules makes `import yfinance` raise ImportError, as when the
    # optional extra is not installed.
    monkeypatch.setitem(sys.modules, "yfinance", None)

    with pytest.raises(DataSourceError, match=(
        r"^cannot fetch BTC-USD from Yahoo Finance: yfinance is not installed "
        r"\(pip install 'psystock\[yahoo\]'\); use --source synthetic or --source csv PATH$"
    )):  # fmt: skip
        fetch_yahoo(DataSettings(), pd.Timestamp("2024-01-01").date(), None, tmp_path)
