"""``psystock train`` failures that happen before MLflow is contacted."""

from pathlib import Path

from tests.conftest import RunCli, without_log_lines


def test_train_without_prices_says_to_fetch_first(tmp_path: Path, run_cli: RunCli) -> None:
    code, out, err = run_cli("--home", str(tmp_path), "train")

    assert code == 1
    assert out == ""
    assert without_log_lines(err) == (
        f"Error: no prices at {tmp_path / 'data' / 'prices.csv'}: run `psystock data fetch` "
        "first (or pass --data PATH)\n"
    )


def test_train_with_too_few_days_names_what_it_needs(tmp_path: Path, run_cli: RunCli) -> None:
    run_cli("--home", str(tmp_path), "data", "fetch", "--source", "synthetic", "--days", "10")

    code, _, err = run_cli("--home", str(tmp_path), "train")

    assert code == 2
    assert without_log_lines(err) == (
        "Error: not enough prices to build features: expected at least 15 consecutive days "
        "(14 of history and the label day), got 10 days\n"
    )
