from datetime import UTC, datetime

import pytest

from psystock.errors import InputError
from psystock.registry.models import ModelVersionSummary, canonical_stage, promote
from psystock.settings import load_settings

# Nothing listens on port 1: a test that reached the registry would fail with RegistryError.
UNREACHABLE = "http://127.0.0.1:1"


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("Production", "Production"),
        ("production", "Production"),
        (" STAGING ", "Staging"),
        ("archived", "Archived"),
        ("none", "None"),
    ],
)
def test_canonical_stage_accepts_any_case(given: str, canonical: str) -> None:
    assert canonical_stage(given) == canonical


def test_canonical_stage_rejects_an_unknown_stage() -> None:
    with pytest.raises(
        InputError, match=r"^stage 'Prod': expected one of Staging, Production, Archived, None$"
    ):
        canonical_stage("Prod")


@pytest.mark.parametrize("version", ["abc", "0", "-1", "1.5", ""])
def test_promote_rejects_a_version_that_is_not_a_positive_integer(version: str) -> None:
    settings = load_settings(tracking_uri=UNREACHABLE)

    with pytest.raises(InputError, match=rf"^version '{version}': expected a positive integer$"):
        promote(settings, version, "Production")


def test_promote_rejects_an_unknown_stage_before_asking_the_registry() -> None:
    settings = load_settings(tracking_uri=UNREACHABLE)

    with pytest.raises(InputError, match=r"^stage 'live': expected one of"):
        promote(settings, "1", "live")


def test_model_version_summary_json_has_every_field() -> None:
    summary = ModelVersionSummary(
        name="m",
        version="3",
        stage="Production",
        aliases=("champion", "production"),
        run_id="abc",
        created_at=datetime(2024, 3, 1, 12, 30, tzinfo=UTC),
        metrics={"test_accuracy": 0.55},
        source="models:/m-123",
    )

    assert summary.to_json() == {
        "name": "m",
        "version": "3",
        "stage": "Production",
        "aliases": ["champion", "production"],
        "run_id": "abc",
        "created_at": "2024-03-01T12:30:00+00:00",
        "metrics": {"test_accuracy": 0.55},
        "source": "models:/m-123",
    }
