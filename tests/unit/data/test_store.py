import json
import re
from pathlib import Path

import pytest

from psystock.data.sources import FetchedPrices, FetchRequest, fetch_prices
from psystock.data.store import (
    default_prices_path,
    load_prices,
    metadata_path,
    save_prices,
)
from psystock.errors import DataSourceError, PsystockError, SchemaError
from psystock.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


@pytest.fixture
def synthetic(settings: Settings) -> FetchedPrices:
    return fetch_prices(FetchRequest("synthetic", seed=9, days=40), settings)


def test_default_prices_path_is_under_home_unless_set(tmp_path: Path) -> None:
    assert default_prices_path(Settings(home=tmp_path)) == tmp_path / "data" / "prices.csv"
    custom = Settings(home=tmp_path, data={"prices_path": tmp_path / "p.csv"})
    assert default_prices_path(custom) == tmp_path / "p.csv"


def test_save_prices_writes_the_csv_and_a_sidecar_naming_the_source(
    synthetic: FetchedPrices, tmp_path: Path
) -> None:
    path = tmp_path / "out" / "prices.csv"

    sidecar = save_prices(synthetic, path)

    assert sidecar == tmp_path / "out" / "prices.meta.json"
    assert path.read_text().splitlines()[0] == "Date,Open,High,Low,Close,Adj Close,Volume"
    assert path.read_text().splitlines()[1].startswith("2014-09-17,450.0,")
    metadata = json.loads(sidecar.read_text())
    assert metadata["source"] == "synthetic(seed=9)"
    assert metadata["synthetic"] is True
    assert (metadata["rows"], metadata["first_date"]) == (40, "2014-09-17")
    assert sorted(p.name for p in path.parent.iterdir()) == ["prices.csv", "prices.meta.json"]


def test_load_prices_reads_back_what_was_saved_with_its_source(
    synthetic: FetchedPrices, tmp_path: Path
) -> None:
    path = tmp_path / "prices.csv"
    save_prices(synthetic, path)

    stored = load_prices(path, ticker="BTC-USD")

    assert stored.source == "synthetic(seed=9)"
    assert stored.is_synthetic
    assert stored.prices.frame.equals(synthetic.prices.frame)


def test_load_prices_labels_a_csv_without_sidecar_by_its_path(btc_csv: Path) -> None:
    stored = load_prices(btc_csv, ticker="BTC-USD")

    assert stored.source == f"csv:{btc_csv.resolve()}"
    assert stored.prices.report.rows_kept == 3484


def test_load_prices_ignores_a_sidecar_that_describes_another_file(
    synthetic: FetchedPrices, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "prices.csv"
    save_prices(synthetic, path)
    path.write_text(path.read_text().replace("450.0", "451.0", 1))  # edited by hand

    stored = load_prices(path, ticker="BTC-USD")

    assert stored.source == f"csv:{path.resolve()}"
    assert "describes another version of prices.csv" in caplog.text


def test_load_prices_says_to_fetch_first_when_there_is_no_file(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "prices.csv"

    with pytest.raises(DataSourceError, match=re.escape(
        f"no prices at {missing}: run `psystock data fetch` first (or pass --data PATH)"
    )):  # fmt: skip
        load_prices(missing, ticker="BTC-USD")


def test_load_prices_checks_the_file_again(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text("Date,Open,High,Low,Close\n2024-01-01,1,2,1,x\n")

    with pytest.raises(SchemaError, match=re.escape(
        "row 1, column Close: expected a number, got 'x'"
    )):  # fmt: skip
        load_prices(path, ticker="BTC-USD")


def test_save_prices_replaces_the_previous_dataset_atomically(
    synthetic: FetchedPrices, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "prices.csv"
    save_prices(synthetic, path)
    other = fetch_prices(FetchRequest("synthetic", seed=10, days=30), settings)

    save_prices(other, path)

    assert load_prices(path, ticker="BTC-USD").source == "synthetic(seed=10)"
    assert len(path.read_text().splitlines()) == 31
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_save_prices_leaves_nothing_behind_when_the_target_cannot_be_written(
    synthetic: FetchedPrices, tmp_path: Path
) -> None:
    target = tmp_path / "prices.csv"
    target.mkdir()  # a directory where the file should go: the rename fails

    with pytest.raises(PsystockError, match=re.escape(
        f"cannot write prices to {target}: Is a directory"
    )):  # fmt: skip
        save_prices(synthetic, target)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["prices.csv"]
    assert not metadata_path(target).exists()
