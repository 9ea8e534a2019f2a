"""A real native-Booster model on local disk for the batch unit tests (no registry)."""

from __future__ import annotations

import pytest

from psystock.scoring.loader import load_model_dir
from psystock.scoring.model import LoadedModel
from tests.unit.scoring.conftest import STR_SIGNATURE, resolved_for, write_booster_model


@pytest.fixture(scope="session")
def model(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    """The book's shape: 14 integer-named long columns."""
    directory = write_booster_model(tmp_path_factory.mktemp("batch-model") / "model")
    return load_model_dir(directory, resolved_for(directory))


@pytest.fixture(scope="session")
def string_model(tmp_path_factory: pytest.TempPathFactory) -> LoadedModel:
    """14 string-named double columns f0..f13."""
    directory = write_booster_model(tmp_path_factory.mktemp("batch-str") / "model", STR_SIGNATURE)
    return load_model_dir(directory, resolved_for(directory))


def row(*values: object) -> str:
    return ",".join(str(v) for v in values)


ONES = row(*([1] * 14))
ZEROS = row(*([0] * 14))
HEADER = row(*range(14))
