"""AWS SageMaker: deploy, list, describe and delete endpoints of psystock's api image.

The only package of psystock that imports boto3 (the ``aws`` extra); every AWS failure
becomes a ``SageMakerError`` in ``aws.py``::

    aws = Aws(settings.sagemaker)
    deployment = deploy(settings, aws, DeployRequest("psystock", "models:/m/Production"))
    delete_endpoint(aws, "psystock")
"""

from psystock.deploy.sagemaker.aws import Aws
from psystock.deploy.sagemaker.deploy import Deployment, DeployRequest, Mode, deploy
from psystock.deploy.sagemaker.endpoints import (
    Endpoint,
    Owned,
    delete_endpoint,
    describe_endpoint,
    list_endpoints,
)

__all__ = [
    "Aws",
    "DeployRequest",
    "Deployment",
    "Endpoint",
    "Mode",
    "Owned",
    "delete_endpoint",
    "deploy",
    "describe_endpoint",
    "list_endpoints",
]
