"""Registry webhooks: create, list and delete them (MLflow >= 3.3, SQL-backed registries).

A webhook makes the registry POST an event (``model_version_alias.created`` when an alias
moves, ``model_version.created``...) to a URL, signed with ``X-MLflow-Signature`` (HMAC-SHA256
of the body with the webhook's secret). By default an ``mlflow server`` only accepts
``https://`` URLs and never delivers to private addresses; ``psystock registry up`` starts its
server with ``MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https`` and
``MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true`` so a local API can subscribe.
"""

from __future__ import annotations

from collections.abc import Sequence

from psystock.registry._errors import doing
from psystock.registry.records import WebhookRecord, WebhookSpec
from psystock.registry.transport import open_transport
from psystock.settings import Settings

__all__ = ["WebhookRecord", "create_webhook", "delete_webhook", "list_webhooks"]


def create_webhook(
    settings: Settings,
    name: str,
    url: str,
    events: Sequence[str],
    secret: str | None = None,
    description: str = "",
) -> WebhookRecord:
    """Create an active webhook ``name`` that POSTs ``events`` to ``url``.

    Args:
        settings: where the registry is.
        name: the webhook's name (not unique: list and delete by id).
        url: where events are sent.
        events: ``ENTITY.ACTION`` strings, e.g. ``model_version_alias.created``.
        secret: the HMAC key of ``X-MLflow-Signature``; none signs nothing.
        description: free text shown in the registry.

    Raises:
        RegistryError: the registry refused it (URL scheme, private address, unknown event,
            a file store) or cannot be reached.
    """
    spec = WebhookSpec(name, url, tuple(events), secret, description)
    with open_transport(settings) as transport, doing(f"creating webhook {name} -> {url}"):
        return transport.create_webhook(spec)


def list_webhooks(settings: Settings) -> list[WebhookRecord]:
    """Every webhook of the registry.

    Raises:
        RegistryError: the registry failed or cannot be reached.
    """
    with open_transport(settings) as transport, doing("listing webhooks"):
        return transport.list_webhooks()


def delete_webhook(settings: Settings, webhook_id: str) -> None:
    """Delete the webhook ``webhook_id``.

    Raises:
        ResourceNotFoundError: there is no such webhook.
        RegistryError: the registry failed or cannot be reached.
    """
    with open_transport(settings) as transport, doing(f"deleting webhook {webhook_id}"):
        transport.delete_webhook(webhook_id)
