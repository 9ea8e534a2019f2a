"""A real model shipped the way the engine ships it, without Spark (the worker's side)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from psystock.spark.shipping import ShippedModel, pack_model
from tests.unit.scoring.conftest import resolved_for, write_booster_model


@dataclass(frozen=True)
class Held:
    """Stands in for a ``Broadcast``: the value the executors read."""

    value: bytes


@pytest.fixture(scope="session")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> ShippedModel:
    directory = write_booster_model(tmp_path_factory.mktemp("spark-model") / "model")
    packed = pack_model(Path(directory))
    return ShippedModel(resolved_for(directory), hashlib.sha256(packed).hexdigest(), Held(packed))


class Collected:
    """Stands in for an accumulator: what the tasks added."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, value: Any) -> None:
        self.added.append(value)
