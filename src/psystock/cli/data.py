"""``psystock data fetch``: BTC-USD daily prices from Yahoo, a CSV or a synthetic walk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from psystock.cli._context import get_state
from psystock.cli._options import check_prices_csv, choice_option, prices_csv_argument
from psystock.cli._setting_option import setting_reference
from psystock.extras import require_extra

if TYPE_CHECKING:
    from psystock.data.sources import FetchedPrices, SourceKind

DATE_TYPE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def data() -> None:
    """Fetch and check the daily prices PsyStock is trained on."""


@data.command("fetch")
@choice_option(
    "--source",
    choices=("yahoo", "csv", "synthetic"),
    help="Yahoo Finance (needs the network and psystock[yahoo]), a CSV in Yahoo format "
    "(give its PATH), or a seeded synthetic random walk (offline; not market data).",
)
@prices_csv_argument
@click.option(
    "--start",
    type=DATE_TYPE,
    default=None,
    help=f"First day (YYYY-MM-DD). Default: {setting_reference('data.start')} for yahoo and "
    "synthetic; the file's first day for csv.",
)
@click.option(
    "--end",
    type=DATE_TYPE,
    default=None,
    help="Last day (YYYY-MM-DD), inclusive. Default: the latest day available.",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help=f"Synthetic only: days to generate. Default: {setting_reference('data.synthetic_days')}.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help=f"Synthetic only: random seed. Default: {setting_reference('data.synthetic_seed')}.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the prices CSV (a .meta.json sidecar goes beside it). "
    "Default: HOME/data/prices.csv.",
)
def fetch(
    source: str,
    path: Path | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    days: int | None,
    seed: int | None,
    output: Path | None,
) -> None:
    """Fetch daily prices, run the quality checks, and save them for `psystock train`.

    Checks: dates as YYYY-MM-DD, numeric prices, no duplicate or missing days; rows with
    missing values are dropped and counted. The file is replaced only when everything passed.
    """
    require_extra("train", "psystock data fetch")
    from psystock.data.sources import FetchRequest, fetch_prices
    from psystock.data.store import default_prices_path, save_prices

    check_prices_csv(source, path)
    if source != "synthetic" and (days is not None or seed is not None):
        raise click.UsageError("--days and --seed only apply to --source synthetic")
    settings = get_state().settings()
    request = FetchRequest(
        source=cast("SourceKind", source),
        path=path,
        start=start.date() if start else None,
        end=end.date() if end else None,
        days=days,
        seed=seed,
    )
    fetched = fetch_prices(request, settings)
    target = output or default_prices_path(settings)
    sidecar = save_prices(fetched, target)
    echo_fetched(fetched)
    click.echo(f"Wrote {target} (source recorded in {sidecar.name}).")


def echo_fetched(fetched: FetchedPrices) -> None:
    """Say what was fetched, from where, and what the checks dropped."""
    report = fetched.prices.report
    what = "SYNTHETIC prices (generated, not market data)" if fetched.is_synthetic else "prices"
    click.echo(
        f"Fetched {report.rows_kept:,} days of {fetched.ticker} {what} from {fetched.source}: "
        f"{report.first_date} to {report.last_date}."
    )
    dropped = report.null_rows_dropped
    detail = f" ({', '.join(report.dropped_dates[:5])}{', ...' if dropped > 5 else ''})"
    click.echo(
        f"Quality checks passed; dropped {dropped} row(s) with missing values"
        f"{detail if dropped else ''}."
    )
