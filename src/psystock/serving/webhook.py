"""Promotions at once: an MLflow registry webhook tells the API that an alias moved.

``registered_webhook`` (around the server's life, in the main process) registers one webhook
for the served model's alias events with a fresh secret, and deletes it when the server stops.
When the registry cannot take it (MLflow < 3.3, a file store, a URL it refuses), the server
says so and keeps polling every ``poll_interval_s``.

``WebhookReceiver`` answers ``POST /registry/events``: it checks ``X-MLflow-Signature``
(HMAC-SHA256 of ``delivery-id.timestamp.body`` with the secret, as MLflow signs) and the
timestamp (replays older than ``MAX_AGE_S`` are refused), then asks the registry watcher to
check now. With several workers the one that got the event also touches a signal file in the
workers' shared directory; every worker watches that file and checks too, so all of them roll
the new version out, not only the one the registry happened to reach.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from psystock.errors import AuthenticationError, PayloadError, PsystockError
from psystock.settings import Settings

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/registry/events"
EVENTS = ("model_version_alias.created", "model_version_alias.deleted")
SIGNATURE_HEADER = b"x-mlflow-signature"
TIMESTAMP_HEADER = b"x-mlflow-timestamp"
DELIVERY_HEADER = b"x-mlflow-delivery-id"
MAX_AGE_S = 300
"""Events signed longer ago than this are refused (replay protection, as MLflow advises)."""
SIGNAL_FILE = "rollout.signal"
SIGNAL_POLL_S = 0.05


def webhook_url(settings: Settings, port: int) -> str:
    """Where the registry reaches this API: ``serving.public_url``, else ``http://HOST:PORT``."""
    serving = settings.serving
    base = serving.public_url
    if base is None:
        host = "127.0.0.1" if serving.host in ("0.0.0.0", "::", "") else serving.host
        base = f"http://{host}:{port}"
    return base.rstrip("/") + WEBHOOK_PATH


@contextlib.contextmanager
def registered_webhook(settings: Settings, port: int, secret: str) -> Iterator[bool]:
    """Register the served model's webhook, signed with ``secret``, for the duration.

    Yields whether a webhook is registered: not when turned off, when the reference names no
    registered model, or when the registry refuses (promotions then arrive by polling).
    """
    name = watched_model_name(settings)
    if name is None:
        yield False
        return
    from psystock.registry.webhooks import create_webhook, delete_webhook

    url = webhook_url(settings, port)
    try:
        record = create_webhook(
            settings, f"psystock-serve-{name}", url, EVENTS, secret, f"psystock serve of {name}"
        )
    except PsystockError as exc:
        interval = settings.serving.poll_interval_s
        logger.warning(
            "no registry webhook (%s); promotions arrive by polling every %g s", exc, interval
        )
        yield False
        return
    logger.info(
        "registry webhook %s -> %s: promotions of %s apply at once", record.webhook_id, url, name
    )
    try:
        yield True
    finally:
        try:
            delete_webhook(settings, record.webhook_id)
            logger.info("registry webhook %s removed", record.webhook_id)
        except PsystockError as exc:
            logger.warning("could not remove registry webhook %s: %s", record.webhook_id, exc)


def new_secret() -> str:
    """A fresh HMAC secret for one server's webhook."""
    return secrets.token_urlsafe(32)


def watched_model_name(settings: Settings) -> str | None:
    """The registered model whose alias events matter, or None when no webhook applies.

    Only a tracking server delivers webhooks: with a database URI (``sqlite:///``...) the
    registry is polled, and mlflow stays out of the server.
    """
    serving = settings.serving
    if not serving.webhook or serving.poll_interval_s <= 0:
        return None
    from psystock.registry._uris import is_http_uri
    from psystock.registry.references import parse_reference

    if not is_http_uri(settings.resolved_tracking_uri):
        return None

    return parse_reference(settings.scoring.reference).name


def verify_signature(secret: str, headers: dict[bytes, bytes], body: bytes, now: float) -> None:
    """Check MLflow's signature and timestamp of a webhook delivery.

    Raises:
        AuthenticationError: a header is missing, the timestamp is stale, or the signature
            does not match.
    """
    signature = headers.get(SIGNATURE_HEADER)
    timestamp = headers.get(TIMESTAMP_HEADER)
    delivery = headers.get(DELIVERY_HEADER)
    if signature is None or timestamp is None or delivery is None:
        raise AuthenticationError(
            "unsigned webhook delivery: expected X-MLflow-Signature, X-MLflow-Timestamp and"
            " X-MLflow-Delivery-Id"
        )
    try:
        age = abs(now - int(timestamp))
    except ValueError:
        raise AuthenticationError("X-MLflow-Timestamp: expected Unix seconds") from None
    if age > MAX_AGE_S:
        raise AuthenticationError(f"stale webhook delivery: signed {age:.0f} s ago")
    signed = b".".join([delivery, timestamp, body])
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    expected = b"v1," + base64.b64encode(digest)
    if not hmac.compare_digest(expected, signature.strip()):
        raise AuthenticationError("webhook delivery: the signature does not match")


class WebhookReceiver:
    """Handles the registry's deliveries for one worker."""

    def __init__(self, secret: str, model_name: str, on_event: Callable[[], None]) -> None:
        self._secret = secret
        self._model_name = model_name
        self._on_event = on_event
        self.last_event_at: datetime | None = None

    def receive(self, headers: dict[bytes, bytes], body: bytes) -> dict[str, Any]:
        """Verify one delivery and act on it; return the answer's body.

        Raises:
            AuthenticationError: the signature or timestamp is wrong (HTTP 401).
            PayloadError: the body is not an MLflow event.
        """
        verify_signature(self._secret, headers, body, time.time())
        try:
            event = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise PayloadError(f"webhook body is not valid JSON: {exc}") from exc
        data = event.get("data") if isinstance(event, dict) else None
        if not isinstance(data, dict):
            raise PayloadError("webhook body: expected an MLflow event with data")
        if data.get("name") != self._model_name:
            return {"status": "ignored", "reason": "another model"}
        self.last_event_at = datetime.now(UTC)
        logger.info(
            "registry event %s.%s: %s@%s -> version %s; checking now",
            event.get("entity"),
            event.get("action"),
            data.get("name"),
            data.get("alias"),
            data.get("version"),
        )
        self._on_event()
        return {"status": "accepted"}


class SiblingSignal:
    """A file the workers of one server share: touching it makes every worker check now."""

    def __init__(self, directory: Path, on_signal: Callable[[], None]) -> None:
        self.path = directory / SIGNAL_FILE
        self._on_signal = on_signal
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="psystock-signal", daemon=True)
        self._seen = self._mtime()

    def touch(self) -> None:
        """Tell every worker (this one included) to check the registry."""
        self.path.touch()
        os.utime(self.path, ns=(time.time_ns(), time.time_ns()))

    def start(self) -> None:
        """Start watching the file."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        self._thread.join(1.0)

    def _mtime(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return 0

    def _watch(self) -> None:
        while not self._stop.wait(SIGNAL_POLL_S):
            current = self._mtime()
            if current != self._seen:
                self._seen = current
                self._on_signal()
