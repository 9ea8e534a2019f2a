"""The REST API: the only package that imports the web stack (Starlette, uvicorn).

Routes (``/openapi.json`` describes each, ``/docs`` renders that description):

- ``POST /invocations``, ``POST /endpoints/{name}/invocations``: predictions for MLflow 1.x,
  2 and 3 clients (JSON, CSV) and SageMaker's runtime client;
- ``GET /ping``, ``GET /health``: the served model, 503 until one is loaded;
- ``/v2/...``: the Open Inference Protocol (KServe, MLServer and Triton clients);
- ``GET /metrics``: Prometheus metrics; ``GET /version``.

Layers: ``app`` (dispatch, lifespan) -> ``invocations`` / ``routes`` (HTTP) -> ``payloads``,
``csv_payloads``, ``inference_protocol`` (bodies) -> ``state`` (limits, model, batcher) ->
``psystock.scoring`` (the runtime shared with the batch job).
"""

from psystock.serving.app import ServingApp, create_app
from psystock.serving.docs_page import curl_example
from psystock.serving.server import BackgroundServer, serve

__all__ = ["BackgroundServer", "ServingApp", "create_app", "curl_example", "serve"]
