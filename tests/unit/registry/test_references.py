from pathlib import Path

import pytest

from psystock.errors import ModelReferenceError
from psystock.registry.references import ReferenceKind, canonical_stage, parse_reference


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("models:/training-model-psystock/Production", "Production"),
        ("models:/training-model-psystock/production", "Production"),
        ("models:/training-model-psystock/STAGING", "Staging"),
        ("models:/m/Archived", "Archived"),
        ("models:/m/None", "None"),
    ],
)
def test_parse_reference_reads_a_stage_in_any_letter_case(text: str, stage: str) -> None:
    reference = parse_reference(text)
    assert reference.kind is ReferenceKind.STAGE
    assert reference.stage == stage
    assert reference.name == text.split("/")[1]
    assert reference.text == text


def test_parse_reference_reads_an_alias() -> None:
    reference = parse_reference("models:/training-model-psystock@production")
    assert reference.kind is ReferenceKind.ALIAS
    assert (reference.name, reference.alias) == ("training-model-psystock", "production")
    assert reference.is_registered


def test_parse_reference_reads_a_version_without_leading_zeros() -> None:
    reference = parse_reference("models:/training-model-psystock/007")
    assert reference.kind is ReferenceKind.VERSION
    assert reference.version == "7"


def test_parse_reference_reads_latest() -> None:
    reference = parse_reference("models:/my-model/Latest")
    assert reference.kind is ReferenceKind.LATEST
    assert reference.name == "my-model"


def test_parse_reference_reads_a_logged_model_id() -> None:
    reference = parse_reference("models:/m-2d9c3640c6b944729b68d20952f1e51f")
    assert reference.kind is ReferenceKind.LOGGED
    assert reference.model_id == "m-2d9c3640c6b944729b68d20952f1e51f"
    assert not reference.is_registered


def test_parse_reference_reads_a_run_reference() -> None:
    reference = parse_reference("runs:/3b40a1e5d13d/model/sub")
    assert reference.kind is ReferenceKind.RUN
    assert (reference.run_id, reference.artifact_path) == ("3b40a1e5d13d", "model/sub")


@pytest.mark.parametrize(
    "text", ["s3://bucket/models/m1", "mlflow-artifacts:/0/models/m-1/artifacts", "gs://b/p"]
)
def test_parse_reference_keeps_other_uris_as_uris(text: str) -> None:
    reference = parse_reference(text)
    assert reference.kind is ReferenceKind.URI
    assert reference.path is None


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("./model", Path("model")),
        ("/abs/model dir", Path("/abs/model dir")),
        ("file:///abs/model%20dir", Path("/abs/model dir")),
        ("C:\\models\\m", Path("C:\\models\\m")),
    ],
)
def test_parse_reference_reads_paths(text: str, path: Path) -> None:
    reference = parse_reference(text)
    assert reference.kind is ReferenceKind.PATH
    assert reference.path == path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"invalid model reference '': the reference is empty: expected models:/NAME/STAGE"),
        ("models:/", r"'models:/': a stage, alias or version is missing after the name"),
        (
            "models:/training-model-psystock",
            r"'models:/training-model-psystock': a stage, alias or version is missing",
        ),
        (
            "models:/m/Prod",
            r"'models:/m/Prod': expected a version number, 'latest' or a stage "
            r"\(None, Staging, Production, Archived\), got 'Prod'",
        ),
        ("models:/m/1/extra", r"'models:/m/1/extra': expected one part after the name"),
        ("models:/m/", r"'models:/m/': expected one part after the name"),
        ("models:/@prod", r"'models:/@prod': the model name is empty"),
        ("models:/m@", r"'models:/m@': the alias is missing or invalid"),
        ("runs:/abc", r"'runs:/abc': expected runs:/RUN_ID/PATH with both a run id"),
        ("runs:/", r"'runs:/': expected runs:/RUN_ID/PATH"),
        ("file://otherhost/x", r"expected a local file URI \(file:///path\), got host 'otherhost'"),
    ],
)
def test_parse_reference_rejects_malformed_references_with_the_reason(
    text: str, message: str
) -> None:
    with pytest.raises(ModelReferenceError, match=message):
        parse_reference(text)


def test_model_reference_error_is_an_input_error_with_exit_code_2() -> None:
    with pytest.raises(ModelReferenceError, match="Prod") as caught:
        parse_reference("models:/m/Prod")
    assert caught.value.exit_code == 2
    assert caught.value.details == {"reference": "models:/m/Prod"}


def test_canonical_stage_spells_stages_as_mlflow_does() -> None:
    assert canonical_stage("pRoDuCtIoN") == "Production"
    assert canonical_stage("prod") is None
