"""Yahoo Finance unreachable, for real: yfinance talks to a proxy port where nothing listens.

Going through a dead local proxy makes the failure the same with or without internet access.
"""

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from psystock.data.yahoo import fetch_yahoo
from psystock.errors import DataSourceError
from psystock.settings import DataSettings
from tests.conftest import free_port, without_log_lines

FALLBACK = "; use --source synthetic or --source csv PATH"


@pytest.fixture
def dead_proxy() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(autouse=True)
def _restore_yfinance_config() -> object:
    import yfinance as yf

    yield
    yf.config.network.proxy = None


def test_fetch_yahoo_offline_fails_quickly_with_the_reason_and_a_fallback(
    dead_proxy: str, tmp_path: Path
) -> None:
    settings = DataSettings(yahoo_proxy=dead_proxy, yahoo_timeout_s=5)
    started = time.monotonic()

    with pytest.raises(DataSourceError, match=(
        r"^cannot fetch BTC-USD from Yahoo Finance: ConnectionError: Failed to perform, curl: "
        r"\(7\) Failed to connect to query\d\.finance\.yahoo\.com:443 over proxy 127\.0\.0\.1 "
        r"after \d+ ms: Could not connect to server" + re.escape(FALLBACK) + "$"
    )) as caught:  # fmt: skip
        fetch_yahoo(settings, dt.date(2024, 1, 1), dt.date(2024, 2, 1), tmp_path / "cache")

    assert time.monotonic() - started < 15
    assert caught.value.details == {"source": "yahoo", "ticker": "BTC-USD"}


def test_fetch_yahoo_keeps_yfinance_errors_off_the_console(
    dead_proxy: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    settings = DataSettings(yahoo_proxy=dead_proxy, yahoo_timeout_s=5)

    with pytest.raises(DataSourceError, match=r"^cannot fetch BTC-USD from Yahoo Finance: "):
        fetch_yahoo(settings, dt.date(2024, 1, 1), None, tmp_path / "cache")

    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert (tmp_path / "cache").is_dir()  # yfinance's caches stay under psystock's home


def test_data_fetch_yahoo_offline_exits_1_with_one_line(
    dead_proxy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from psystock.cli import main

    monkeypatch.setenv("PSYSTOCK_DATA__YAHOO_PROXY", dead_proxy)

    with pytest.raises(SystemExit, match=r"^1$"):
        main(["--home", str(tmp_path), "data", "fetch", "--source", "yahoo"])

    out, err = capsys.readouterr()
    err = without_log_lines(err)  # the first log line names the registry and the home
    assert out == ""
    assert err.startswith("Error: cannot fetch BTC-USD from Yahoo Finance: ")
    assert err.endswith(FALLBACK + "\n")
    assert err.count("\n") == 1
    assert not (tmp_path / "data" / "prices.csv").exists()
