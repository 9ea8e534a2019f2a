"""Health answers: ``/health`` and ``/ping`` (SageMaker's probe), 503 until a model is loaded.

Once a model is loaded the answer stays 200 whatever the registry does (the model keeps
serving); ``registry`` tells when the registry last answered and how many checks have failed
in a row since, so an outage shows without failing the probe.
"""

from __future__ import annotations

from typing import Any

from psystock.serving.state import ServingState


def health_answer(state: ServingState) -> tuple[int, dict[str, Any]]:
    """Status and body of a health check: the served model, or why there is none."""
    model = state.holder.model
    registry = registry_answer(state)
    if model is None:
        body: dict[str, Any] = {"status": "unavailable", "reference": state.watcher.reference}
        body["message"] = state.holder.last_error or "loading the model"
        body["registry"] = registry
        return 503, body
    info = model.info
    return 200, {
        "status": "ok",
        "model": info.name,
        "version": info.version,
        "loaded_at": info.loaded_at.isoformat(),
        "reference": info.reference,
        "flavor": info.flavor,
        "registry": registry,
    }


def registry_answer(state: ServingState) -> dict[str, Any]:
    """The registry's state as the watcher sees it."""
    registry = state.watcher.registry_state
    last = registry.last_success_at
    answer: dict[str, Any] = {
        "last_success_at": last.isoformat() if last is not None else None,
        "consecutive_failures": registry.consecutive_failures,
        "webhook": state.webhook_status(),
    }
    if registry.last_error is not None:
        answer["last_error"] = registry.last_error
    return answer
