"""Resolve a model reference to the version it means now and where its artifacts live.

Written once over ``RegistryTransport``: an ``http(s)://`` registry is asked over MLflow's
REST API (a couple of small requests, no ``import mlflow``), any other through
``MlflowClient``, with the same semantics. A stage is matched in MLflow's spelling
(``models:/NAME/production`` means stage ``Production``) against every version's stage;
``latest`` is the highest version whatever its stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from psystock.errors import ModelNotFoundError
from psystock.registry._errors import doing
from psystock.registry._uris import is_http_uri
from psystock.registry.records import ModelVersionRecord
from psystock.registry.references import ModelReference, ReferenceKind, parse_reference
from psystock.registry.transport import RegistryTransport, open_transport
from psystock.settings import Settings

__all__ = ["ResolvedModel", "is_http_uri", "resolve_reference", "resolve_with"]


@dataclass(frozen=True)
class ResolvedModel:
    """What a reference points at right now.

    ``name`` and ``version`` are set for registered models (``models:/NAME/...``); ``run_id``
    whenever the registry knows it. ``source`` is where the artifacts came from as the registry
    records it (``models:/m-<id>`` for MLflow 3 versions, a run URI or a path otherwise);
    ``artifact_uri`` is the URI they can be downloaded from.
    """

    reference: str
    name: str | None
    version: str | None
    source: str
    run_id: str | None
    artifact_uri: str = ""


def resolve_reference(reference: str, settings: Settings) -> ResolvedModel:
    """Look ``reference`` up in the registry of ``settings``.

    Args:
        reference: any form ``parse_reference`` accepts.
        settings: the tracking URI and request timeout (``registry.client_timeout_s``).

    Raises:
        ModelReferenceError: the reference is malformed.
        ModelNotFoundError: the model, version, stage or alias does not exist.
        RegistryError: the registry failed or cannot be reached.
    """
    parsed = parse_reference(reference)
    if parsed.kind is ReferenceKind.PATH:
        assert parsed.path is not None  # set for every PATH reference by parse_reference
        local = str(parsed.path.expanduser().resolve())
        return ResolvedModel(parsed.text, None, None, local, None, local)
    if parsed.kind in (ReferenceKind.RUN, ReferenceKind.URI):
        return ResolvedModel(parsed.text, None, None, parsed.text, parsed.run_id, parsed.text)
    with open_transport(settings) as transport:
        return resolve_with(transport, parsed)


def resolve_with(transport: RegistryTransport, ref: ModelReference) -> ResolvedModel:
    """Resolve a registered or logged model reference through ``transport``."""
    with doing(f"resolving {ref.text}", ref.text):
        if ref.kind is ReferenceKind.LOGGED:
            logged = transport.get_logged_model(str(ref.model_id))
            return ResolvedModel(ref.text, None, None, ref.text, logged.run_id, logged.artifact_uri)
        version = _registered_version(transport, ref)
        uri = transport.get_model_version_download_uri(version.name, version.version)
    return ResolvedModel(
        reference=ref.text,
        name=ref.name,
        version=version.version,
        source=version.source or uri,
        run_id=version.run_id,
        artifact_uri=uri,
    )


def _registered_version(transport: RegistryTransport, ref: ModelReference) -> ModelVersionRecord:
    name = str(ref.name)
    if ref.kind is ReferenceKind.ALIAS:
        return transport.get_model_version_by_alias(name, str(ref.alias))
    if ref.kind is ReferenceKind.VERSION:
        return transport.get_model_version(name, str(ref.version))
    versions = transport.search_model_versions(name)
    if not versions:
        transport.get_registered_model_aliases(name)  # says "not found" when the model is missing
    candidates = [v for v in versions if ref.kind is ReferenceKind.LATEST or v.stage == ref.stage]
    if not candidates:
        where = f"in stage {ref.stage}" if ref.kind is ReferenceKind.STAGE else "registered"
        raise ModelNotFoundError(ref.text, f"no version of {ref.name} is {where}")
    return max(candidates, key=lambda version: int(version.version))
