"""AWS SageMaker: deploy, list, describe, invoke and delete endpoints of psystock's api image.

The only package of psystock that imports boto3 (the ``aws`` extra); every AWS failure
becomes a ``SageMakerError`` in ``aws.py``. ``local.py`` runs the image as SageMaker does,
without AWS (and without boto3: the names below are imported on first use). ``deploy`` is the
submodule; its function is ``deploy.deploy``::

    aws = Aws(settings.sagemaker)
    deployment = deploy.deploy(settings, aws, DeployRequest("psystock", "models:/m/Production"))
    delete_endpoint(aws, "psystock")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psystock.deploy.sagemaker.aws import Aws
    from psystock.deploy.sagemaker.deploy import Deployment, DeployRequest, Mode
    from psystock.deploy.sagemaker.endpoints import (
        Endpoint,
        Owned,
        delete_endpoint,
        describe_endpoint,
        list_endpoints,
    )
    from psystock.deploy.sagemaker.invoke import Invocation, invoke_endpoint
    from psystock.deploy.sagemaker.local import LocalRun, run_local

_WHERE = {
    "Aws": "aws",
    "DeployRequest": "deploy",
    "Deployment": "deploy",
    "Mode": "deploy",
    "Endpoint": "endpoints",
    "Owned": "endpoints",
    "delete_endpoint": "endpoints",
    "describe_endpoint": "endpoints",
    "list_endpoints": "endpoints",
    "Invocation": "invoke",
    "invoke_endpoint": "invoke",
    "LocalRun": "local",
    "run_local": "local",
}

__all__ = [
    "Aws",
    "DeployRequest",
    "Deployment",
    "Endpoint",
    "Invocation",
    "LocalRun",
    "Mode",
    "Owned",
    "delete_endpoint",
    "describe_endpoint",
    "invoke_endpoint",
    "list_endpoints",
    "run_local",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
