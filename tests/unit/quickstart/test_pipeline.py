from pathlib import Path

import pytest

from psystock.errors import DataError, InputError
from psystock.quickstart import (
    DEFAULT_STEPS,
    QuickstartOptions,
    QuickstartRun,
    QuickstartStep,
    fetch_data,
    run_quickstart,
    start_command,
    stop_command,
)
from psystock.settings import Settings


def test_default_steps_run_registry_data_train_promote_batch_api_then_stop() -> None:
    assert [step.name for step in DEFAULT_STEPS] == [
        "registry", "data", "train", "promote", "batch", "api", "stop registry",
    ]  # fmt: skip


def test_run_quickstart_runs_plugged_in_steps_in_order_and_collects_the_summary(
    tmp_path: Path,
) -> None:
    said: list[str] = []

    def first(run: QuickstartRun) -> None:
        run.report("one")
        run.add_summary("First", "1")

    def second(run: QuickstartRun) -> None:
        run.report("two")
        run.add_summary("Second", "2")

    run = run_quickstart(
        Settings(home=tmp_path),
        QuickstartOptions(),
        said.append,
        steps=[QuickstartStep("first", first), QuickstartStep("second", second)],
    )

    assert said == ["one", "two"]
    assert run.summary == [("First", "1"), ("Second", "2")]


def test_run_quickstart_stops_at_the_first_failing_step(tmp_path: Path) -> None:
    said: list[str] = []

    def failing(run: QuickstartRun) -> None:
        raise DataError("bad prices")

    with pytest.raises(DataError, match=r"^bad prices$"):
        run_quickstart(
            Settings(home=tmp_path),
            QuickstartOptions(),
            said.append,
            steps=[
                QuickstartStep("fail", failing),
                QuickstartStep("never", lambda r: said.append("x")),
            ],
        )
    assert said == []


def test_fetch_data_from_csv_needs_a_path(tmp_path: Path) -> None:
    said: list[str] = []
    run = QuickstartRun(Settings(home=tmp_path), QuickstartOptions(source="csv"), said.append)

    with pytest.raises(InputError, match=r"^--source csv needs the PATH of a CSV"):
        fetch_data(run)


def test_fetch_data_synthetic_saves_the_prices_and_labels_them(tmp_path: Path) -> None:
    said: list[str] = []
    settings = Settings(home=tmp_path, data={"synthetic_days": 100})
    run = QuickstartRun(settings, QuickstartOptions(source="synthetic"), said.append)

    fetch_data(run)

    assert run.prices_path == tmp_path / "data" / "prices.csv"
    assert run.prices_path.is_file()
    assert said == [
        "Data: 100 days of BTC-USD SYNTHETIC prices (not market data) from synthetic(seed=42), "
        f"2014-09-17 to 2014-12-25 (0 rows with missing values dropped) -> {run.prices_path}."
    ]
    assert run.summary[0][0] == "Data"


def test_stop_and_start_commands_name_the_home_unless_it_is_the_default(tmp_path: Path) -> None:
    assert stop_command(Path(".psystock")) == "psystock registry down"
    assert start_command(Path(".psystock")) == "psystock registry up"
    assert stop_command(tmp_path) == f"psystock --home {tmp_path} registry down"
