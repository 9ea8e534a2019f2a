"""Build the api image and push it to ECR (or the registry that stands in for it).

ECR: the repository is created when missing, and ``GetAuthorizationToken`` gives the login
that ``docker push`` uses (kept in a temporary Docker config, never in the user's). The
registry host is the repository's own (``ACCOUNT.dkr.ecr.REGION.amazonaws.com``) unless the
``registry_uri`` setting names another, e.g. a pull-through cache or a local registry.
"""

from __future__ import annotations

import base64
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from psystock import __version__
from psystock.deploy.docker.build import BuildRequest, build_image, default_tag
from psystock.deploy.docker.engine import DockerEngine
from psystock.deploy.docker.images import ImageKind
from psystock.deploy.sagemaker.aws import Aws
from psystock.errors import SageMakerError
from psystock.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushedImage:
    """An image in ECR (or its stand-in).

    Attributes:
        uri: ``REGISTRY/REPOSITORY:TAG``, what ``deploy --image-url`` takes.
        digest: the registry's digest of it.
        repository_created: whether the ECR repository was created now.
        duration_s: how long build and push took.
    """

    uri: str
    digest: str
    repository_created: bool
    duration_s: float


def ensure_repository(aws: Aws, repository: str) -> tuple[str, bool]:
    """The ECR repository's URI; it is created when missing (second value True then)."""
    try:
        found = aws.call("ecr", "describe_repositories", repositoryNames=[repository])
        return str(found["repositories"][0]["repositoryUri"]), False
    except SageMakerError as exc:
        if exc.code != "RepositoryNotFoundException":
            raise
    created = aws.call(
        "ecr",
        "create_repository",
        repositoryName=repository,
        imageScanningConfiguration={"scanOnPush": True},
    )
    logger.info("created ECR repository %s", repository)
    return str(created["repository"]["repositoryUri"]), True


def ecr_login(aws: Aws) -> tuple[str, str]:
    """User name and password of an ECR authorization token (valid for 12 hours)."""
    data = aws.call("ecr", "get_authorization_token")["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    return user, password


def build_and_push(
    settings: Settings, aws: Aws, repository: str | None = None, tag: str | None = None
) -> PushedImage:
    """Build the api image, then push it to ``repository`` (default: the settings') in ECR.

    Raises:
        DockerError: the build, the login or the push failed.
        SageMakerError: ECR refused a call.
    """
    started = time.monotonic()
    name = repository or settings.sagemaker.repository
    built = build_image(
        settings, BuildRequest(ImageKind.API, tag=default_tag(settings, ImageKind.API))
    )
    repository_uri, created = ensure_repository(aws, name)
    registry = settings.sagemaker.registry_uri or repository_uri.partition("/")[0]
    target = f"{registry}/{name}:{tag or __version__}"
    engine = DockerEngine(settings.docker)
    user, password = ecr_login(aws)
    with tempfile.TemporaryDirectory(prefix="psystock-docker-config-") as config:
        engine.login(registry, user, password, Path(config))
        logger.info("logged in to %s with an ECR token", registry)
        engine.tag(built.tag, target)
        logger.info("pushing %s", target)
        digest = engine.push(target, Path(config))
    return PushedImage(target, digest, created, time.monotonic() - started)
