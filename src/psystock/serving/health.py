"""Health answers: ``/health`` and ``/ping`` (SageMaker's probe), 503 until a model is loaded."""

from __future__ import annotations

from typing import Any

from psystock.serving.state import ServingState


def health_answer(state: ServingState) -> tuple[int, dict[str, Any]]:
    """Status and body of a health check: the served model, or why there is none."""
    model = state.holder.model
    if model is None:
        body: dict[str, Any] = {"status": "unavailable", "reference": state.watcher.reference}
        if state.holder.last_error:
            body["message"] = state.holder.last_error
        else:
            body["message"] = "loading the model"
        return 503, body
    info = model.info
    return 200, {
        "status": "ok",
        "model": info.name,
        "version": info.version,
        "loaded_at": info.loaded_at.isoformat(),
        "reference": info.reference,
        "flavor": info.flavor,
    }
