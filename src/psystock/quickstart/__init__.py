"""The quickstart as a package: state (``run``), steps, scoring steps and the pipeline.

The modules depend in one direction: ``pipeline`` -> ``steps``, ``scoring`` -> ``run``,
``commands``; nothing imports ``pipeline`` but this package and the CLI.
"""

from __future__ import annotations

from psystock.quickstart.commands import DEFAULT_HOME, start_command, stop_command
from psystock.quickstart.pipeline import DEFAULT_STEPS, run_quickstart
from psystock.quickstart.run import (
    QuickstartOptions,
    QuickstartRun,
    QuickstartSource,
    QuickstartStep,
)
from psystock.quickstart.steps import fetch_data, stop_registry_after_api

__all__ = [
    "DEFAULT_HOME",
    "DEFAULT_STEPS",
    "QuickstartOptions",
    "QuickstartRun",
    "QuickstartSource",
    "QuickstartStep",
    "fetch_data",
    "run_quickstart",
    "start_command",
    "stop_command",
    "stop_registry_after_api",
]
