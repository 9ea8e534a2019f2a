"""``psystock data fetch`` through the real CLI entry point (``main``), no network."""

import json
import re
from pathlib import Path

import pytest

from tests.conftest import RunCli, without_log_lines


def test_data_fetch_csv_writes_prices_and_names_the_source(
    btc_csv: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    code, out, _ = run_cli(
        *["--home", str(tmp_path), "data", "fetch", "--source", "csv", str(btc_csv)]
    )

    assert code == 0
    assert out.splitlines() == [
        f"Fetched 3,484 days of BTC-USD prices from csv:{btc_csv.resolve()}: "
        "2014-09-17 to 2024-03-31.",
        "Quality checks passed; dropped 0 row(s) with missing values.",
        f"Wrote {tmp_path / 'data' / 'prices.csv'} (source recorded in prices.meta.json).",
    ]
    assert (tmp_path / "data" / "prices.csv").read_bytes().count(b"\n") == 3485


def test_data_fetch_synthetic_says_synthetic_everywhere(tmp_path: Path, run_cli: RunCli) -> None:
    output = tmp_path / "custom" / "p.csv"

    code, out, _ = run_cli(
        "data",
        "fetch",
        "--source",
        "synthetic",
        "--days",
        "90",
        "--seed",
        "4",
        "--output",
        str(output),
    )

    assert code == 0
    assert out.splitlines()[0] == (
        "Fetched 90 days of BTC-USD SYNTHETIC prices (generated, not market data) from "
        "synthetic(seed=4): 2014-09-17 to 2014-12-15."
    )
    metadata = json.loads((tmp_path / "custom" / "p.meta.json").read_text())
    assert (metadata["source"], metadata["synthetic"]) == ("synthetic(seed=4)", True)


def test_data_fetch_reports_the_dropped_null_rows(tmp_path: Path, run_cli: RunCli) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2024-01-01,1,2,1,2,2,10\n2024-01-02,null,null,null,null,null,null\n"
        "2024-01-03,2,3,1,1,1,10\n"
    )

    code, out, _ = run_cli(
        *["--home", str(tmp_path), "data", "fetch", "--source", "csv", str(source)]
    )

    assert code == 0
    assert "dropped 1 row(s) with missing values (2024-01-02)." in out


def test_data_fetch_bad_cell_fails_with_row_and_column_and_keeps_the_old_file(
    btc_csv: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    home = ["--home", str(tmp_path)]
    run_cli(*home, "data", "fetch", "--source", "synthetic", "--days", "40")
    before = (tmp_path / "data" / "prices.csv").read_bytes()
    bad = tmp_path / "bad.csv"
    lines = btc_csv.read_text().splitlines()[:30]
    lines[17] = lines[17].replace(lines[17].split(",")[1], "abc", 1)  # row 17, column Open
    bad.write_text("\n".join(lines) + "\n")

    code, out, err = run_cli(*home, "data", "fetch", "--source", "csv", str(bad))

    assert code == 2
    assert out == ""
    assert without_log_lines(err) == "Error: row 17, column Open: expected a number, got 'abc'\n"
    assert (tmp_path / "data" / "prices.csv").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "prices.csv", "prices.meta.json",
    ]  # fmt: skip


def test_data_fetch_gap_fails_naming_the_missing_day(
    btc_csv: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    gappy = tmp_path / "gappy.csv"
    lines = btc_csv.read_text().splitlines()[:30]
    del lines[10]  # 2014-09-26
    gappy.write_text("\n".join(lines) + "\n")

    code, _, err = run_cli(
        *["--home", str(tmp_path), "data", "fetch", "--source", "csv", str(gappy)]
    )

    assert code == 2
    assert without_log_lines(err) == (
        "Error: missing days: 2014-09-26; expected one row per calendar day from 2014-09-17 "
        "to 2014-10-15\n"
    )


def test_data_fetch_csv_without_path_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli("--home", str(tmp_path), "data", "fetch", "--source", "csv")

    assert code == 2
    assert "Error: --source csv needs the PATH of a CSV in Yahoo Finance format" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--source", "synthetic", "x.csv"],
            "PATH is only used with --source csv, not --source synthetic",
        ),
        (
            ["--source", "yahoo", "--seed", "3"],
            "--days and --seed only apply to --source synthetic",
        ),
    ],
)
def test_data_fetch_rejects_options_of_another_source(
    argv: list[str], message: str, tmp_path: Path, run_cli: RunCli
) -> None:
    code, _, err = run_cli("--home", str(tmp_path), "data", "fetch", *argv)

    assert code == 2
    assert f"Error: {message}" in err


def test_data_fetch_rejects_a_badly_written_date(tmp_path: Path, run_cli: RunCli) -> None:
    code, _, err = run_cli(
        *["--home", str(tmp_path), "data", "fetch", "--source", "synthetic", "--start", "1/2/2020"]
    )

    assert code == 2
    assert re.search(r"Invalid value for '--start': '1/2/2020' does not match the format", err)
