"""A small client of MLflow's REST API (registry reads and proxied artifacts), without mlflow.

``import mlflow`` costs about a second and 200 MB; resolving a reference and downloading a few
artifact files over MLflow's stable wire protocol needs neither. Endpoints used::

    GET /api/2.0/mlflow/registered-models/get-latest-versions   ?name=&stages=
    GET /api/2.0/mlflow/registered-models/alias                 ?name=&alias=
    GET /api/2.0/mlflow/model-versions/get                      ?name=&version=
    GET /api/2.0/mlflow/model-versions/get-download-uri         ?name=&version=
    GET /api/2.0/mlflow/logged-models/<model_id>
    GET /api/2.0/mlflow-artifacts/artifacts                     ?path=    (list a directory)
    GET /api/2.0/mlflow-artifacts/artifacts/<path>                        (download a file)
    PUT /api/2.0/mlflow-artifacts/artifacts/<path>                        (upload a file)
    POST /api/2.0/mlflow/experiments/create, /runs/create, /runs/log-batch, /runs/update
    GET /api/2.0/mlflow/experiments/get-by-name                 ?experiment_name=

Errors become ``RegistryError`` (``ModelNotFoundError`` when the registry says the thing does
not exist) here; a 401/403 raises ``RegistryAuthError`` so the caller can fall back to
``MlflowClient``, which knows MLflow's credential variables.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from psystock.errors import ModelNotFoundError, RegistryError

logger = logging.getLogger(__name__)

API = "/api/2.0/mlflow"
ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"
_NOT_FOUND_CODES = frozenset({"RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"})
_CHUNK_BYTES = 1 << 20


class RegistryAuthError(RegistryError):
    """The registry wants credentials the REST fast path does not send."""


class RestClient:
    """Blocking JSON/file client of one MLflow tracking server."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout_s)

    def __enter__(self) -> RestClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.close()

    def get_json(
        self, endpoint: str, params: dict[str, str], *, what: str, reference: str | None = None
    ) -> dict[str, Any]:
        """GET ``endpoint`` (relative to ``/api/2.0/mlflow``) and return the JSON body.

        Args:
            endpoint: e.g. ``/model-versions/get``.
            params: query parameters.
            what: what is being done, for error messages.
            reference: the model reference concerned; a not-found answer names it.
        """
        response = self._request(f"{API}{endpoint}", params, what=what)
        if response.is_success:
            return _json_body(response, what)
        raise self._error(response, what, reference)

    def post_json(self, endpoint: str, body: dict[str, Any], *, what: str) -> dict[str, Any]:
        """POST a JSON body to ``endpoint`` (relative to ``/api/2.0/mlflow``); return the JSON."""
        try:
            response = self._http.post(f"{API}{endpoint}", json=body)
        except httpx.HTTPError as exc:
            raise RegistryError(f"{what}: registry {self.base_url} unreachable ({exc})") from exc
        if response.is_success:
            return _json_body(response, what)
        raise self._error(response, what, None)

    def upload_file(self, source: Path, path: str) -> None:
        """Upload ``source`` to the proxied artifact ``path``."""
        what = f"uploading artifact {path}"
        try:
            with source.open("rb") as content:
                response = self._http.put(f"{ARTIFACTS_API}/{path}", content=content.read())
        except httpx.HTTPError as exc:
            raise RegistryError(f"{what}: registry {self.base_url} unreachable ({exc})") from exc
        if not response.is_success:
            raise self._error(response, what, None)

    def list_artifacts(self, path: str) -> list[dict[str, Any]]:
        """The entries (``path``, ``is_dir``, ``file_size``) of a proxied artifact directory."""
        what = f"listing artifacts {path}"
        response = self._request(ARTIFACTS_API, {"path": path}, what=what)
        if not response.is_success:
            raise self._error(response, what, None)
        files: list[dict[str, Any]] = _json_body(response, what).get("files", [])
        return files

    def download_tree(self, path: str, destination: Path) -> int:
        """Download the proxied artifact directory ``path`` into ``destination``; return files."""
        destination.mkdir(parents=True, exist_ok=True)
        count = 0
        for entry in self.list_artifacts(path):
            name = os.path.basename(entry["path"])
            if entry.get("is_dir"):
                count += self.download_tree(f"{path}/{name}", destination / name)
            else:
                self.download_file(f"{path}/{name}", destination / name)
                count += 1
        return count

    def download_file(self, path: str, destination: Path) -> None:
        """Stream one proxied artifact file to ``destination``."""
        what = f"downloading artifact {path}"
        try:
            with self._http.stream("GET", f"{ARTIFACTS_API}/{path}") as response:
                if not response.is_success:
                    response.read()
                    raise self._error(response, what, None)
                with destination.open("wb") as out:
                    for chunk in response.iter_bytes(_CHUNK_BYTES):
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise RegistryError(f"{what}: registry {self.base_url} unreachable ({exc})") from exc

    def _request(self, url: str, params: dict[str, str], *, what: str) -> httpx.Response:
        try:
            return self._http.get(url, params=params)
        except httpx.HTTPError as exc:
            raise RegistryError(f"{what}: registry {self.base_url} unreachable ({exc})") from exc

    def _error(self, response: httpx.Response, what: str, reference: str | None) -> RegistryError:
        if response.status_code in (401, 403):
            return RegistryAuthError(
                f"{what}: registry {self.base_url} answered HTTP {response.status_code}"
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = body.get("error_code", "") if isinstance(body, dict) else ""
        message = body.get("message", "") if isinstance(body, dict) else ""
        is_missing = code in _NOT_FOUND_CODES or (
            code == "INVALID_PARAMETER_VALUE" and "not found" in message.lower()
        )
        if reference is not None and is_missing:
            return ModelNotFoundError(reference, message or "not found")
        detail = f"{code}: {message}" if code else response.text[:200].strip()
        return RegistryError(
            f"{what}: registry {self.base_url} answered HTTP {response.status_code} ({detail})"
        )


def _json_body(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise RegistryError(
            f"{what}: expected JSON from {response.url}, got {response.text[:100]!r}"
        ) from exc
    if not isinstance(body, dict):
        raise RegistryError(f"{what}: expected a JSON object from {response.url}, got {body!r}")
    return body
