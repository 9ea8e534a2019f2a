"""``RegistryTransport`` over MLflow's REST API with httpx: no ``import mlflow``.

``import mlflow`` costs seconds and 200 MB; the batch job and the API talk to an
``http(s)://`` registry through MLflow's stable wire protocol instead. Artifacts come and go
through the server's proxy (``mlflow-artifacts:/``); an artifact store the server does not
proxy (``s3://``, ``gs://``...) is handed to ``MlflowClientTransport``, which knows them all.
Credentials are MLflow's: ``MLFLOW_TRACKING_TOKEN`` (bearer) or ``MLFLOW_TRACKING_USERNAME``
and ``MLFLOW_TRACKING_PASSWORD`` (basic), read by the settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from typing_extensions import override

from psystock.errors import RegistryError
from psystock.registry import records as rec
from psystock.registry._errors import first_line, registry_failure, unreachable
from psystock.registry._httpx import httpx
from psystock.registry._tls import tls_context
from psystock.registry._uris import redact_uri
from psystock.registry.transport import _rest_json as wire
from psystock.registry.transport.base import RegistryTransport
from psystock.settings import Settings

API = "/api/2.0/mlflow"
ARTIFACTS_API = "/api/2.0/mlflow-artifacts/artifacts"
PROXY_SCHEME = "mlflow-artifacts"
_CHUNK_BYTES = 1 << 20
_DOWNLOAD_WORKERS = 8
"""Files of a model downloaded at once: a model is a handful of small files and one large one,
and each request waits a round trip to the registry."""
_PAGE_SIZE = 1000


class HttpTransport(RegistryTransport):
    """Blocking client of one MLflow tracking server's REST API."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.base_url = settings.resolved_tracking_uri.rstrip("/")
        self.uri = redact_uri(self.base_url)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=settings.registry.client_timeout_s,
            auth=_auth(settings),
            headers=_bearer(settings),
            verify=tls_context(self.base_url),
        )
        self._fallback: RegistryTransport | None = None

    @override
    def close(self) -> None:
        self._http.close()
        if self._fallback is not None:
            self._fallback.close()

    # Registered models and versions

    @override
    def get_registered_model_aliases(self, name: str) -> dict[str, str]:
        body = self._get("/registered-models/get", {"name": name})
        return wire.aliases(body.get("registered_model", {}))

    @override
    def get_model_version(self, name: str, version: str) -> rec.ModelVersionRecord:
        body = self._get("/model-versions/get", {"name": name, "version": version})
        return wire.model_version(body["model_version"])

    @override
    def get_model_version_by_alias(self, name: str, alias: str) -> rec.ModelVersionRecord:
        body = self._get("/registered-models/alias", {"name": name, "alias": alias})
        return wire.model_version(body["model_version"])

    @override
    def search_model_versions(self, name: str) -> list[rec.ModelVersionRecord]:
        query = {"filter": f"name = '{wire.quoted(name)}'", "max_results": str(_PAGE_SIZE)}
        pages = self._pages("GET", "/model-versions/search", query, "model_versions")
        return [wire.model_version(entry) for entry in pages]

    @override
    def get_model_version_download_uri(self, name: str, version: str) -> str:
        query = {"name": name, "version": version}
        return str(self._get("/model-versions/get-download-uri", query).get("artifact_uri", ""))

    @override
    def create_model_version(
        self, name: str, source: str, run_id: str, tags: dict[str, str], description: str
    ) -> rec.ModelVersionRecord:
        body = {
            "name": name,
            "source": source,
            "run_id": run_id,
            "tags": wire.pairs(tags),
            "description": description,
        }
        return wire.model_version(self._post("/model-versions/create", body)["model_version"])

    @override
    def get_logged_model(self, model_id: str) -> rec.LoggedModelRecord:
        info = self._get(f"/logged-models/{quote(model_id)}", {}).get("model", {}).get("info", {})
        return rec.LoggedModelRecord(
            model_id, info.get("source_run_id") or None, info.get("artifact_uri", "")
        )

    @override
    def transition_model_version_stage(
        self, name: str, version: str, stage: str, *, archive_existing: bool
    ) -> None:
        body = {
            "name": name,
            "version": version,
            "stage": stage,
            "archive_existing_versions": archive_existing,
        }
        self._post("/model-versions/transition-stage", body)

    @override
    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        self._post("/registered-models/alias", {"name": name, "alias": alias, "version": version})

    @override
    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        # MLflow reads a DELETE's parameters from a JSON body, as its own client sends them.
        self._call("DELETE", f"{API}/registered-models/alias", json={"name": name, "alias": alias})

    # Experiments and runs

    @override
    def get_experiment_by_name(self, name: str) -> rec.ExperimentRecord | None:
        try:
            body = self._get("/experiments/get-by-name", {"experiment_name": name})
        except RegistryError as exc:
            if wire.is_missing(exc):
                return None
            raise
        return wire.experiment(body["experiment"])

    @override
    def create_experiment(self, name: str) -> str:
        return str(self._post("/experiments/create", {"name": name})["experiment_id"])

    @override
    def create_run(
        self, experiment_id: str, run_name: str, tags: dict[str, str], start_ms: int
    ) -> rec.RunRecord:
        body = {
            "experiment_id": experiment_id,
            "run_name": run_name,
            "start_time": start_ms,
            "tags": wire.pairs({"mlflow.runName": run_name, **tags}),
        }
        return wire.run(self._post("/runs/create", body)["run"])

    @override
    def get_run(self, run_id: str) -> rec.RunRecord:
        return wire.run(self._get("/runs/get", {"run_id": run_id})["run"])

    @override
    def search_runs(
        self, experiment_ids: Sequence[str], filter_string: str, max_results: int
    ) -> list[rec.RunRecord]:
        body: dict[str, Any] = {
            "experiment_ids": list(experiment_ids),
            "filter": filter_string,
            "max_results": max_results,
            "order_by": ["attributes.start_time DESC"],
        }
        return [wire.run(entry) for entry in self._post("/runs/search", body).get("runs", [])]

    @override
    def log_batch(self, run_id: str, data: rec.RunData, timestamp_ms: int) -> None:
        body = {
            "run_id": run_id,
            "params": wire.pairs(data.params),
            "tags": wire.pairs(data.tags),
            "metrics": [
                {"key": k, "value": float(v), "timestamp": timestamp_ms, "step": 0}
                for k, v in data.metrics.items()
            ],
        }
        self._post("/runs/log-batch", body)

    @override
    def update_run(self, run_id: str, status: rec.RunStatus, end_ms: int) -> None:
        self._post("/runs/update", {"run_id": run_id, "status": str(status), "end_time": end_ms})

    @override
    def log_artifact(self, run: rec.RunRecord, source: Path, artifact_path: str = "") -> None:
        parts = urlsplit(run.artifact_uri)
        if parts.scheme != PROXY_SCHEME:
            self._other_stores().log_artifact(run, source, artifact_path)
            return
        root = "/".join(part for part in (parts.path.strip("/"), artifact_path.strip("/")) if part)
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else [source]
        for file in files:
            name = file.relative_to(source).as_posix() if source.is_dir() else file.name
            with file.open("rb") as content:
                path = quote(f"{root}/{name}")
                self._call("PUT", f"{ARTIFACTS_API}/{path}", content=content.read())

    @override
    def download_artifacts(self, uri: str, destination: Path) -> Path:
        parts = urlsplit(uri)
        if parts.scheme != PROXY_SCHEME:
            return self._other_stores().download_artifacts(uri, destination)
        if parts.netloc and parts.netloc != urlsplit(self.base_url).netloc:
            # The URI names another proxy: the artifacts live on that server.
            scheme = urlsplit(self.base_url).scheme
            other = self._settings.model_copy(update={"tracking_uri": f"{scheme}://{parts.netloc}"})
            with HttpTransport(other) as remote:
                return remote.download_artifacts(f"{PROXY_SCHEME}:{parts.path}", destination)
        self._download_tree(parts.path.strip("/"), destination)
        return destination

    # Registry webhooks

    @override
    def create_webhook(self, spec: rec.WebhookSpec) -> rec.WebhookRecord:
        body: dict[str, Any] = {
            "name": spec.name,
            "url": spec.url,
            "events": [wire.event_json(event) for event in spec.events],
            "description": spec.description,
        }
        if spec.secret:
            body["secret"] = spec.secret
        return wire.webhook(self._call("POST", f"{API}/webhooks", json=body)["webhook"])

    @override
    def list_webhooks(self) -> list[rec.WebhookRecord]:
        query = {"max_results": str(_PAGE_SIZE)}
        return [wire.webhook(entry) for entry in self._pages("GET", "/webhooks", query, "webhooks")]

    @override
    def delete_webhook(self, webhook_id: str) -> None:
        self._call("DELETE", f"{API}/webhooks/{quote(webhook_id)}")

    # Wire

    def _get(self, endpoint: str, params: dict[str, str]) -> dict[str, Any]:
        return self._call("GET", f"{API}{endpoint}", params=params)

    def _post(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        return self._call("POST", f"{API}{endpoint}", json=body)

    def _pages(
        self, method: str, endpoint: str, query: dict[str, str], key: str
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            params = {**query, **({"page_token": token} if token else {})}
            body = self._call(method, f"{API}{endpoint}", params=params)
            yield from body.get(key, [])
            token = body.get("next_page_token")
            if not token:
                return

    def _call(self, method: str, url: str, **request: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, url, **request)
        except httpx.HTTPError as exc:
            raise unreachable(str(exc) or type(exc).__name__, self.uri) from exc
        if not response.is_success:
            raise self._failure(response)
        if not response.content:
            return {}
        return _json_object(response)

    def _failure(self, response: httpx.Response) -> RegistryError:
        if response.status_code in (401, 403):
            return RegistryError(
                f"registry {self.uri} answered HTTP {response.status_code}: set "
                "MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("error_code"):
            return registry_failure(str(body["error_code"]), str(body.get("message", "")))
        text = first_line(response.text[:200]) if response.text.strip() else response.reason_phrase
        return RegistryError(f"registry {self.uri} answered HTTP {response.status_code}: {text}")

    def _download_tree(self, path: str, destination: Path) -> None:
        """Every file under ``path`` into ``destination``, several at a time."""
        files = list(self._list_files(path, destination))
        workers = max(1, min(len(files), _DOWNLOAD_WORKERS))
        with ThreadPoolExecutor(workers, thread_name_prefix="psystock-download") as pool:
            # list() waits for every file and raises the first failure.
            list(pool.map(lambda pair: self._download_file(*pair), files))

    def _list_files(self, path: str, destination: Path) -> Iterator[tuple[str, Path]]:
        """``(artifact path, local path)`` of every file under ``path``, directories made."""
        destination.mkdir(parents=True, exist_ok=True)
        for entry in self._call("GET", ARTIFACTS_API, params={"path": path}).get("files", []):
            name = os.path.basename(entry["path"])
            if entry.get("is_dir"):
                yield from self._list_files(f"{path}/{name}", destination / name)
            else:
                yield f"{path}/{name}", destination / name

    def _download_file(self, path: str, destination: Path) -> None:
        try:
            with self._http.stream("GET", f"{ARTIFACTS_API}/{quote(path)}") as response:
                if not response.is_success:
                    response.read()
                    raise self._failure(response)
                with destination.open("wb") as out:
                    for chunk in response.iter_bytes(_CHUNK_BYTES):
                        out.write(chunk)
        except httpx.HTTPError as exc:
            raise unreachable(str(exc) or type(exc).__name__, self.uri) from exc

    def _other_stores(self) -> RegistryTransport:
        """``MlflowClientTransport`` for artifact stores the server does not proxy."""
        if self._fallback is None:
            from psystock.registry.transport.mlflow_client import MlflowClientTransport

            self._fallback = MlflowClientTransport(self._settings)
        return self._fallback


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise RegistryError(
            f"expected JSON from {response.url}, got {response.text[:100]!r}"
        ) from exc
    if not isinstance(body, dict):
        raise RegistryError(f"expected a JSON object from {response.url}, got {body!r}")
    return body


def _auth(settings: Settings) -> httpx.BasicAuth | None:
    username, password = settings.tracking_username, settings.tracking_password
    if username is None or password is None:
        return None
    return httpx.BasicAuth(username, password.get_secret_value())


def _bearer(settings: Settings) -> dict[str, str]:
    token = settings.tracking_token
    return {} if token is None else {"Authorization": f"Bearer {token.get_secret_value()}"}
