"""The quickstart's shared state: the user's options, what each step produced, the summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from psystock.settings import Settings

if TYPE_CHECKING:
    from psystock.data.sources import FetchedPrices
    from psystock.registry.local_server import ServerStatus
    from psystock.registry.models import ModelVersionSummary
    from psystock.serving import BackgroundServer
    from psystock.training.train import TrainingResult

QuickstartSource = Literal["auto", "yahoo", "csv", "synthetic"]


@dataclass(frozen=True)
class QuickstartOptions:
    """What the user chose: the price source and whether the registry keeps running."""

    source: QuickstartSource = "auto"
    csv_path: Path | None = None
    should_keep_registry: bool = True
    should_serve: bool = True


@dataclass
class QuickstartRun:
    """The state the steps share: settings, what each step produced, and the summary."""

    settings: Settings
    options: QuickstartOptions
    report: Callable[[str], None]
    registry: ServerStatus | None = None
    has_started_registry: bool = False
    prices: FetchedPrices | None = None
    prices_path: Path | None = None
    training: TrainingResult | None = None
    promoted: ModelVersionSummary | None = None
    api: BackgroundServer | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)

    def add_summary(self, label: str, text: str) -> None:
        """Add one ``label: text`` line to the final summary."""
        self.summary.append((label, text))


@dataclass(frozen=True)
class QuickstartStep:
    """One named step of the quickstart."""

    name: str
    run: Callable[[QuickstartRun], None]
