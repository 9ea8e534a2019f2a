"""Parse model references: the one place that knows what a model reference can look like.

Accepted forms (``parse_reference`` turns each into a ``ModelReference``):

==============================  =============  ===============================================
Reference                       Kind           Meaning
==============================  =============  ===============================================
``models:/NAME/Production``     ``STAGE``      latest version in a stage (None, Staging,
                                               Production, Archived; any letter case)
``models:/NAME@production``     ``ALIAS``      the version an alias points at
``models:/NAME/3``              ``VERSION``    one registered version
``models:/NAME/latest``         ``LATEST``     the highest version, whatever its stage
``models:/m-<id>``              ``LOGGED``     an MLflow 3 logged model, by id
``runs:/RUN_ID/PATH``           ``RUN``        a model logged under a run
``s3://...``, ``mlflow-         ``URI``        artifacts at any other URI MLflow can download
artifacts:/...``
``file:///abs/dir``, ``./dir``  ``PATH``       a model directory on this machine
==============================  =============  ===============================================

Parsing is pure (no registry access); ``psystock.registry.resolve`` does the lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlsplit

from psystock.errors import ModelReferenceError

MODELS_SCHEME = "models:/"
RUNS_SCHEME = "runs:/"
FILE_SCHEME = "file:"
STAGES = ("None", "Staging", "Production", "Archived")
"""The registry stages, in MLflow's spelling."""

EXPECTED_FORMS = (
    "expected models:/NAME/STAGE, models:/NAME@ALIAS, models:/NAME/VERSION, "
    "models:/NAME/latest, models:/m-<id>, runs:/RUN_ID/PATH, a URI or a path"
)
_LOGGED_MODEL_ID = re.compile(r"m-[0-9a-f]+")
# A URI scheme has two or more characters, so a Windows drive ("C:\\models") is a path.
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


class ReferenceKind(StrEnum):
    """What a model reference points at."""

    STAGE = "stage"
    ALIAS = "alias"
    VERSION = "version"
    LATEST = "latest"
    LOGGED = "logged_model"
    RUN = "run"
    URI = "uri"
    PATH = "path"


@dataclass(frozen=True)
class ModelReference:
    """A parsed model reference; only the fields of its kind are set."""

    text: str
    """The reference as the user wrote it."""
    kind: ReferenceKind
    name: str | None = None
    """Registered model name (``models:/NAME/...`` forms)."""
    stage: str | None = None
    """Stage in MLflow's spelling (``Production``), for ``STAGE``."""
    alias: str | None = None
    version: str | None = None
    model_id: str | None = None
    """Logged model id (``m-...``), for ``LOGGED``."""
    run_id: str | None = None
    artifact_path: str | None = None
    """Path inside the run's artifacts, for ``RUN``."""
    path: Path | None = None
    """Local model directory, for ``PATH``."""

    @property
    def is_registered(self) -> bool:
        """Whether the reference names a registered model (stage, alias, version, latest)."""
        return self.name is not None


def parse_reference(text: str) -> ModelReference:
    """Parse a model reference.

    Args:
        text: e.g. ``models:/training-model-psystock/Production``.

    Returns:
        The parsed reference.

    Raises:
        ModelReferenceError: ``text`` is empty or malformed; the message lists the valid forms.
    """
    reference = text.strip()
    if not reference:
        raise ModelReferenceError(text, f"the reference is empty: {EXPECTED_FORMS}")
    if reference.startswith(MODELS_SCHEME):
        return _parse_models(reference)
    if reference.startswith(RUNS_SCHEME):
        return _parse_runs(reference)
    if reference.startswith(FILE_SCHEME):
        return ModelReference(reference, ReferenceKind.PATH, path=_file_uri_path(reference))
    if _URI_SCHEME.match(reference):
        return ModelReference(reference, ReferenceKind.URI)
    return ModelReference(reference, ReferenceKind.PATH, path=Path(reference))


def canonical_stage(stage: str) -> str | None:
    """MLflow's spelling of ``stage`` (``production`` -> ``Production``), None if not a stage."""
    return next((known for known in STAGES if known.lower() == stage.lower()), None)


def _parse_models(reference: str) -> ModelReference:
    rest = reference[len(MODELS_SCHEME) :].lstrip("/")
    if "@" in rest:
        name, alias = rest.rsplit("@", 1)
        _check_name(reference, name)
        if not alias or "/" in alias:
            raise ModelReferenceError(
                reference, f"the alias is missing or invalid: {EXPECTED_FORMS}"
            )
        return ModelReference(reference, ReferenceKind.ALIAS, name=name, alias=alias)
    if "/" not in rest:
        if _LOGGED_MODEL_ID.fullmatch(rest):
            return ModelReference(reference, ReferenceKind.LOGGED, model_id=rest)
        raise ModelReferenceError(
            reference, f"a stage, alias or version is missing after the name: {EXPECTED_FORMS}"
        )
    name, suffix = rest.split("/", 1)
    _check_name(reference, name)
    if not suffix or "/" in suffix:
        raise ModelReferenceError(reference, f"expected one part after the name: {EXPECTED_FORMS}")
    if suffix.isdigit():
        return ModelReference(reference, ReferenceKind.VERSION, name=name, version=str(int(suffix)))
    if suffix.lower() == "latest":
        return ModelReference(reference, ReferenceKind.LATEST, name=name)
    stage = canonical_stage(suffix)
    if stage is None:
        raise ModelReferenceError(
            reference,
            f"expected a version number, 'latest' or a stage ({', '.join(STAGES)}), got {suffix!r}",
        )
    return ModelReference(reference, ReferenceKind.STAGE, name=name, stage=stage)


def _parse_runs(reference: str) -> ModelReference:
    rest = reference[len(RUNS_SCHEME) :].lstrip("/")
    run_id, _, artifact_path = rest.partition("/")
    artifact_path = artifact_path.strip("/")
    if not run_id or not artifact_path:
        raise ModelReferenceError(
            reference, "expected runs:/RUN_ID/PATH with both a run id and an artifact path"
        )
    return ModelReference(reference, ReferenceKind.RUN, run_id=run_id, artifact_path=artifact_path)


def _check_name(reference: str, name: str) -> None:
    if not name:
        raise ModelReferenceError(reference, f"the model name is empty: {EXPECTED_FORMS}")


def _file_uri_path(reference: str) -> Path:
    parts = urlsplit(reference)
    if parts.netloc not in ("", "localhost"):
        raise ModelReferenceError(
            reference, f"expected a local file URI (file:///path), got host {parts.netloc!r}"
        )
    return Path(unquote(parts.path))
