"""Resolve a model reference to the version it means now and where its artifacts live.

With an ``http(s)://`` tracking URI the registry is asked over MLflow's REST API (see
``psystock.registry._rest``), so resolving costs a couple of small requests and no
``import mlflow``. Any other tracking URI (``sqlite:///``, ``file:``, ``databricks``), and a
server that asks for credentials, goes through ``MlflowClient``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from psystock.errors import ModelNotFoundError
from psystock.registry._rest import RegistryAuthError, RestClient
from psystock.registry.references import ModelReference, ReferenceKind, parse_reference
from psystock.settings import Settings

if TYPE_CHECKING:
    from mlflow import MlflowClient

logger = logging.getLogger(__name__)


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


def is_http_uri(uri: str) -> bool:
    """Whether ``uri`` is an ``http://`` or ``https://`` URL."""
    return uri.startswith(("http://", "https://"))


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
    tracking_uri = settings.resolved_tracking_uri
    if is_http_uri(tracking_uri):
        try:
            with RestClient(tracking_uri, settings.registry.client_timeout_s) as client:
                return _resolve_rest(client, parsed)
        except RegistryAuthError:
            logger.debug("registry %s wants credentials: using MlflowClient", tracking_uri)
    return _resolve_with_mlflow(parsed, settings)


def _resolve_rest(client: RestClient, ref: ModelReference) -> ResolvedModel:
    what = f"resolving {ref.text}"
    if ref.kind is ReferenceKind.LOGGED:
        body = client.get_json(f"/logged-models/{ref.model_id}", {}, what=what, reference=ref.text)
        info = body.get("model", {}).get("info", {})
        return ResolvedModel(
            ref.text,
            None,
            None,
            ref.text,
            info.get("source_run_id") or None,
            info.get("artifact_uri", ""),
        )
    assert ref.name is not None  # every registered kind has a name
    version = _registered_version_rest(client, ref, what)
    params = {"name": ref.name, "version": str(version["version"])}
    download = client.get_json(
        "/model-versions/get-download-uri", params, what=what, reference=ref.text
    )
    return _from_version(ref, version, download.get("artifact_uri", ""))


def _registered_version_rest(client: RestClient, ref: ModelReference, what: str) -> dict[str, Any]:
    assert ref.name is not None
    if ref.kind is ReferenceKind.ALIAS:
        params = {"name": ref.name, "alias": str(ref.alias)}
        body = client.get_json("/registered-models/alias", params, what=what, reference=ref.text)
        return dict(body["model_version"])
    if ref.kind is ReferenceKind.VERSION:
        params = {"name": ref.name, "version": str(ref.version)}
        body = client.get_json("/model-versions/get", params, what=what, reference=ref.text)
        return dict(body["model_version"])
    params = {"name": ref.name}
    if ref.kind is ReferenceKind.STAGE:
        params["stages"] = str(ref.stage)
    body = client.get_json(
        "/registered-models/get-latest-versions", params, what=what, reference=ref.text
    )
    return _newest(ref, body.get("model_versions", []))


def _newest(ref: ModelReference, versions: list[dict[str, Any]]) -> dict[str, Any]:
    if not versions:
        where = f"in stage {ref.stage}" if ref.kind is ReferenceKind.STAGE else "registered"
        raise ModelNotFoundError(ref.text, f"no version of {ref.name} is {where}")
    return max(versions, key=lambda version: int(version["version"]))


def _from_version(ref: ModelReference, version: dict[str, Any], artifact_uri: str) -> ResolvedModel:
    return ResolvedModel(
        reference=ref.text,
        name=ref.name,
        version=str(version["version"]),
        source=str(version.get("source") or artifact_uri),
        run_id=version.get("run_id") or None,
        artifact_uri=artifact_uri,
    )


def _resolve_with_mlflow(ref: ModelReference, settings: Settings) -> ResolvedModel:
    from psystock.registry._client import create_client
    from psystock.registry._errors import translate_mlflow_errors

    client = create_client(settings)  # says which extra to install when mlflow is missing
    from mlflow.exceptions import MlflowException

    with translate_mlflow_errors(f"resolving {ref.text}", ref.text):
        try:
            return _resolve_client(client, ref)
        except MlflowException as exc:
            # A missing alias is reported as INVALID_PARAMETER_VALUE, not as a missing resource.
            if ref.kind is ReferenceKind.ALIAS and "not found" in exc.message.lower():
                raise ModelNotFoundError(ref.text, exc.message) from exc
            raise


def _resolve_client(client: MlflowClient, ref: ModelReference) -> ResolvedModel:
    if ref.kind is ReferenceKind.LOGGED:
        logged = client.get_logged_model(str(ref.model_id))
        return ResolvedModel(
            ref.text, None, None, ref.text, logged.source_run_id, logged.artifact_location
        )
    name = str(ref.name)
    if ref.kind is ReferenceKind.ALIAS:
        found = client.get_model_version_by_alias(name, str(ref.alias))
    elif ref.kind is ReferenceKind.VERSION:
        found = client.get_model_version(name, str(ref.version))
    else:
        # Stages are matched here rather than with the deprecated get_latest_versions.
        candidates = [
            {"version": v.version}
            for v in client.search_model_versions(f"name = '{name}'")
            if ref.stage is None or v.current_stage == ref.stage
        ]
        newest = _newest(ref, candidates)
        found = client.get_model_version(name, str(newest["version"]))
    uri = client.get_model_version_download_uri(name, found.version)
    as_dict = {"version": found.version, "source": found.source, "run_id": found.run_id}
    return _from_version(ref, as_dict, uri)
