"""The restricted Pod Security Standard, applied to every pod and container psystock renders.

The images run as uid/gid 10001 and write only to their home (``/var/lib/psystock``) and
``/tmp``, both emptyDir volumes here: the root filesystem is read-only.
"""

from __future__ import annotations

from typing import Any

UID = 10001
"""The images' user and group (``psystock docker build``)."""

POD_SECURITY_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}
"""Namespace labels that make the API server refuse any pod below ``restricted``."""


def pod_security_context() -> dict[str, Any]:
    """The pod's securityContext: non-root, the images' uid/gid, seccomp RuntimeDefault."""
    return {**_run_as_image_user(), "fsGroup": UID, **_seccomp()}


def container_security_context() -> dict[str, Any]:
    """A container's securityContext: no privilege, no capability, read-only root."""
    return {
        **_run_as_image_user(),
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        **_seccomp(),
    }


def _run_as_image_user() -> dict[str, Any]:
    return {"runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID}


def _seccomp() -> dict[str, Any]:
    return {"seccompProfile": {"type": "RuntimeDefault"}}
