import re
from pathlib import Path

import pandas as pd
import pytest

from psystock.data.quality import check_prices
from psystock.data.sources import read_price_csv
from psystock.errors import DataError, InputError, SchemaError

HEADER = "Date,Open,High,Low,Close,Adj Close,Volume"


def day(date: str, open_: str = "100", close: str = "101", volume: str = "1000") -> str:
    return f"{date},{open_},{max(open_, close)},{min(open_, close)},{close},{close},{volume}"


def raw_prices(tmp_path: Path, *rows: str, header: str = HEADER) -> pd.DataFrame:
    path = tmp_path / "prices.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return read_price_csv(path)


def days(count: int, start: str = "2024-01-01") -> list[str]:
    dates = pd.date_range(start, periods=count, freq="D").strftime("%Y-%m-%d")
    return [day(date) for date in dates]


def test_check_prices_accepts_clean_prices_and_types_the_columns(tmp_path: Path) -> None:
    checked = check_prices(raw_prices(tmp_path, *days(5)))

    assert list(checked.frame.columns) == HEADER.split(",")
    assert checked.frame["Date"].dtype.kind == "M"
    assert checked.frame["Open"].dtype == "float64"
    assert checked.frame["Volume"].dtype == "int64"
    report = checked.report
    assert (report.rows_read, report.rows_kept, report.null_rows_dropped) == (5, 5, 0)
    assert (report.first_date, report.last_date) == ("2024-01-01", "2024-01-05")


def test_check_prices_accepts_a_full_btc_file(btc_csv: Path) -> None:
    checked = check_prices(read_price_csv(btc_csv))

    assert checked.report.rows_kept == 3484
    assert (checked.report.first_date, checked.report.last_date) == ("2014-09-17", "2024-03-31")


@pytest.mark.parametrize(
    ("bad_date", "shown"),
    [("2024/01/03", "'2024/01/03'"), ("03-01-2024", "'03-01-2024'"), ("2024-02-30", "'2024-02-30'"),
     ("2024-1-3", "'2024-1-3'"), ("", "''")],
)  # fmt: skip
def test_check_prices_names_row_and_value_of_a_bad_date(
    tmp_path: Path, bad_date: str, shown: str
) -> None:
    rows = days(5)
    rows[2] = day(bad_date)

    with pytest.raises(SchemaError, match=re.escape(
        f"row 3, column Date: expected a date as YYYY-MM-DD, got {shown}"
    )) as caught:  # fmt: skip
        check_prices(raw_prices(tmp_path, *rows))
    assert (caught.value.row, caught.value.column) == (3, "Date")


def test_check_prices_names_row_column_and_value_of_a_non_number(tmp_path: Path) -> None:
    rows = days(20)
    rows[16] = day("2024-01-17", open_="abc")

    with pytest.raises(SchemaError, match=re.escape(
        "row 17, column Open: expected a number, got 'abc'"
    )):  # fmt: skip
        check_prices(raw_prices(tmp_path, *rows))


def test_check_prices_rejects_a_price_that_is_not_positive(tmp_path: Path) -> None:
    rows = days(5)
    rows[3] = "2024-01-04,100,101,99,-5,101,1000"

    with pytest.raises(SchemaError, match=re.escape(
        "row 4, column Close: expected a price > 0, got '-5'"
    )):  # fmt: skip
        check_prices(raw_prices(tmp_path, *rows))


def test_check_prices_rejects_infinite_numbers(tmp_path: Path) -> None:
    rows = days(5)
    rows[1] = "2024-01-02,100,101,99,100,100,inf"

    with pytest.raises(SchemaError, match=re.escape(
        "row 2, column Volume: expected a number, got 'inf'"
    )):  # fmt: skip
        check_prices(raw_prices(tmp_path, *rows))


def test_check_prices_names_the_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=re.escape(
        "expected the Yahoo Finance columns Date, Open, High, Low, Close, Adj Close, Volume, "
        "got Date, Open, Volume (missing High, Low, Close)"
    )):  # fmt: skip
        check_prices(raw_prices(tmp_path, "2024-01-01,1,2", header="Date,Open,Volume"))


def test_check_prices_rejects_an_empty_table(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^no price rows: expected daily prices, got an empty"):
        check_prices(raw_prices(tmp_path))


def test_check_prices_names_duplicate_dates_and_their_rows(tmp_path: Path) -> None:
    rows = days(5)
    rows.insert(3, day("2024-01-03", close="105"))

    with pytest.raises(DataError, match=re.escape(
        "duplicate dates: 2024-01-03 (rows 3, 4); expected one row per calendar day"
    )) as caught:  # fmt: skip
        check_prices(raw_prices(tmp_path, *rows))
    assert caught.value.details["dates"] == ["2024-01-03"]


def test_check_prices_names_the_missing_days(tmp_path: Path) -> None:
    rows = days(10)
    del rows[4:6]  # 2024-01-05 and 2024-01-06

    with pytest.raises(DataError, match=re.escape(
        "missing days: 2024-01-05, 2024-01-06; expected one row per calendar day "
        "from 2024-01-01 to 2024-01-10"
    )):  # fmt: skip
        check_prices(raw_prices(tmp_path, *rows))


def test_check_prices_lists_at_most_ten_missing_days(tmp_path: Path) -> None:
    rows = [day("2024-01-01"), day("2024-02-01")]

    with pytest.raises(DataError, match=re.escape(
        "missing days: 2024-01-02, 2024-01-03, 2024-01-04, 2024-01-05, 2024-01-06, "
        "2024-01-07, 2024-01-08, 2024-01-09, 2024-01-10, 2024-01-11 and 20 more;"
    )):  # fmt: skip
        check_prices(raw_prices(tmp_path, *rows))


def test_check_prices_drops_rows_with_nulls_and_counts_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rows = days(6)
    rows[1] = "2024-01-02,null,null,null,null,null,null"  # old Yahoo downloads wrote "null"
    rows[4] = "2024-01-05,100,101,99,,101,1000"

    checked = check_prices(raw_prices(tmp_path, *rows))

    assert checked.report.null_rows_dropped == 2
    assert checked.report.dropped_dates == ("2024-01-02", "2024-01-05")
    assert checked.report.rows_kept == 4
    assert list(checked.frame["Date"].dt.strftime("%Y-%m-%d")) == [
        "2024-01-01", "2024-01-03", "2024-01-04", "2024-01-06",
    ]  # fmt: skip
    assert "dropped 2 row(s) with missing values: 2024-01-02, 2024-01-05" in caplog.text


def test_check_prices_fails_when_every_row_has_a_null(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^every one of the 1 price rows has a missing value$"):
        check_prices(raw_prices(tmp_path, "2024-01-01,null,1,1,1,1,1"))


def test_check_prices_sorts_rows_given_out_of_order(tmp_path: Path) -> None:
    rows = days(4)
    rows.reverse()

    checked = check_prices(raw_prices(tmp_path, *rows))

    assert checked.frame["Date"].is_monotonic_increasing
    assert checked.report.first_date == "2024-01-01"


def test_check_prices_keeps_files_without_adj_close_and_volume(tmp_path: Path) -> None:
    checked = check_prices(
        raw_prices(tmp_path, "2024-01-01,1,2,1,2", "2024-01-02,2,3,1,1",
                   header="Date,Open,High,Low,Close")
    )  # fmt: skip

    assert list(checked.frame.columns) == ["Date", "Open", "High", "Low", "Close"]


def test_check_prices_accepts_numbers_from_a_numeric_frame() -> None:
    frame = pd.DataFrame(
        {"Date": ["2024-01-01", "2024-01-02"], "Open": [1.0, 2.0], "High": [2.0, 3.0],
         "Low": [1.0, 1.0], "Close": [2.0, None], "Adj Close": [2.0, 1.0], "Volume": [10, 20]}
    )  # fmt: skip

    checked = check_prices(frame)

    assert checked.report.dropped_dates == ("2024-01-02",)


def test_quality_errors_are_input_errors_with_exit_code_2() -> None:
    assert issubclass(DataError, InputError)
    assert DataError.exit_code == 2
