import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from psystock.data.sources import (
    FetchRequest,
    csv_label,
    fetch_prices,
    is_synthetic_source,
    read_price_csv,
    synthetic_label,
)
from psystock.errors import ConfigError, DataError, DataSourceError, InputError
from psystock.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


def test_fetch_prices_reads_a_yahoo_csv_and_labels_it_with_its_path(
    btc_csv: Path, settings: Settings
) -> None:
    fetched = fetch_prices(FetchRequest("csv", btc_csv), settings)

    assert fetched.source == f"csv:{btc_csv.resolve()}"
    assert not fetched.is_synthetic
    assert fetched.prices.report.rows_kept == 3484
    assert fetched.ticker == "BTC-USD"


def test_fetch_prices_restricts_a_csv_to_start_and_end(btc_csv: Path, settings: Settings) -> None:
    request = FetchRequest("csv", btc_csv, start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))

    report = fetch_prices(request, settings).prices.report

    assert (report.first_date, report.last_date, report.rows_kept) == (
        "2020-01-01", "2020-12-31", 366,
    )  # fmt: skip


def test_fetch_prices_says_when_the_range_is_outside_the_csv(
    btc_csv: Path, settings: Settings
) -> None:
    request = FetchRequest("csv", btc_csv, start=dt.date(2030, 1, 1))

    with pytest.raises(DataError, match=re.escape(
        "no prices from 2030-01-01 to the end: the file covers 2014-09-17 to 2024-03-31"
    )):  # fmt: skip
        fetch_prices(request, settings)


def test_fetch_prices_from_csv_needs_a_path(settings: Settings) -> None:
    with pytest.raises(InputError, match=r"^--source csv needs the PATH of a CSV"):
        fetch_prices(FetchRequest("csv"), settings)


def test_read_price_csv_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"

    with pytest.raises(DataSourceError, match=re.escape(
        f"cannot read prices from {missing}: no such file"
    )):  # fmt: skip
        read_price_csv(missing)


def test_read_price_csv_rejects_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")

    with pytest.raises(DataError, match=re.escape(
        f"cannot parse {empty} as CSV: No columns to parse from file"
    )):  # fmt: skip
        read_price_csv(empty)


def test_read_price_csv_rejects_a_ragged_file(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Date,Open\n2024-01-01,1\n2024-01-02,1,2,3\n")

    with pytest.raises(DataError, match=re.escape(
        f"cannot parse {ragged} as CSV: Error tokenizing data. C error: Expected 2 fields in "
        "line 3, saw 4"
    )):  # fmt: skip
        read_price_csv(ragged)


def test_fetch_prices_synthetic_is_deterministic_and_labelled(settings: Settings) -> None:
    first = fetch_prices(FetchRequest("synthetic", seed=5, days=120), settings)
    again = fetch_prices(FetchRequest("synthetic", seed=5, days=120), settings)

    pd.testing.assert_frame_equal(first.prices.frame, again.prices.frame)
    assert first.source == "synthetic(seed=5)"
    assert first.is_synthetic
    assert first.prices.report.rows_kept == 120
    assert first.prices.report.first_date == "2014-09-17"


def test_fetch_prices_synthetic_uses_the_settings_by_default(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, data={"synthetic_days": 60, "synthetic_seed": 11})

    fetched = fetch_prices(FetchRequest("synthetic"), settings)

    assert (fetched.source, fetched.prices.report.rows_kept) == ("synthetic(seed=11)", 60)


def test_fetch_prices_synthetic_spans_start_to_end(settings: Settings) -> None:
    request = FetchRequest("synthetic", start=dt.date(2024, 1, 1), end=dt.date(2024, 3, 31))

    report = fetch_prices(request, settings).prices.report

    assert (report.first_date, report.last_date, report.rows_kept) == (
        "2024-01-01", "2024-03-31", 91,
    )  # fmt: skip


def test_fetch_prices_synthetic_rejects_days_and_end_together(settings: Settings) -> None:
    request = FetchRequest("synthetic", end=dt.date(2024, 3, 31), days=10)

    with pytest.raises(InputError, match=r"^synthetic prices take --days or --end, not both$"):
        fetch_prices(request, settings)


def test_fetch_prices_synthetic_rejects_an_end_before_the_start(settings: Settings) -> None:
    request = FetchRequest("synthetic", start=dt.date(2024, 3, 1), end=dt.date(2024, 2, 1))

    with pytest.raises(InputError, match=re.escape(
        "synthetic prices: expected --end after --start 2024-03-01, got 2024-02-01"
    )):  # fmt: skip
        fetch_prices(request, settings)


def test_fetch_prices_names_a_bad_start_setting(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, data={"start": "17/09/2014"})

    with pytest.raises(ConfigError, match=re.escape(
        "invalid setting PSYSTOCK_DATA__START='17/09/2014': expected a date as YYYY-MM-DD"
    )):  # fmt: skip
        fetch_prices(FetchRequest("synthetic"), settings)


def test_source_labels_say_what_they_are(tmp_path: Path) -> None:
    assert synthetic_label(42) == "synthetic(seed=42)"
    assert is_synthetic_source(synthetic_label(42))
    assert csv_label(tmp_path / "a.csv") == f"csv:{tmp_path / 'a.csv'}"
    assert not is_synthetic_source(csv_label(tmp_path / "a.csv"))
    assert not is_synthetic_source("yahoo")
