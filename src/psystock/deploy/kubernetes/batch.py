"""The batch job: a Job (one run) and a CronJob (on a schedule) of ``psystock batch score``.

The batch image's entry point is ``psystock batch score ARGS``; the input is read from the
``NAME-batch-input`` PersistentVolumeClaim (read-only) and the output written, atomically,
to ``NAME-batch-output``. Exit code 2 (bad input or paths) fails the Job at once: retrying
cannot help. Each run is recorded in the registry (``MLFLOW_TRACKING_URI``).
"""

from __future__ import annotations

from typing import Any

from psystock.deploy.kubernetes import pod
from psystock.deploy.kubernetes.options import ManifestOptions
from psystock.deploy.kubernetes.pod import (
    container,
    labels,
    manifest,
    pod_spec,
    settings_config_map,
)

COMPONENT = "batch"
INPUT_DIR = "/data/input"
OUTPUT_DIR = "/data/output"
ARGS = [f"{INPUT_DIR}/input.csv", f"{OUTPUT_DIR}/output.csv", "--overwrite"]
"""The book's layout: input.csv scored into output.csv, replaced at each run."""

BAD_INPUT_EXIT_CODE = 2


def job_manifests(options: ManifestOptions) -> list[dict[str, Any]]:
    """The Job's objects: settings, NetworkPolicy, Job."""
    return [config_map(options), network_policy(options), job(options)]


def cronjob_manifests(options: ManifestOptions) -> list[dict[str, Any]]:
    """The CronJob's objects: settings, NetworkPolicy, CronJob."""
    return [config_map(options), network_policy(options), cronjob(options)]


def name(options: ManifestOptions) -> str:
    """Name of the batch objects."""
    return f"{options.name}-{COMPONENT}"


def claim_names(options: ManifestOptions) -> tuple[str, str]:
    """The PersistentVolumeClaims of the input and the output."""
    return f"{name(options)}-input", f"{name(options)}-output"


def config_map(options: ManifestOptions) -> dict[str, Any]:
    """The batch job's settings."""
    return settings_config_map(options, COMPONENT, {})


def pod_template(options: ManifestOptions) -> dict[str, Any]:
    """The pod of one run: the batch image on the mounted input and output."""
    mounts: list[dict[str, Any]] = [
        {"name": "input", "mountPath": INPUT_DIR, "readOnly": True},
        {"name": "output", "mountPath": OUTPUT_DIR},
    ]
    batch = container(options, COMPONENT, mounts) | {
        "args": ARGS,
        "resources": {
            "requests": {"cpu": "500m", "memory": "512Mi"},
            "limits": {"cpu": "2", "memory": "2Gi"},
        },
    }
    input_claim, output_claim = claim_names(options)
    volumes = [
        {"name": "input", "persistentVolumeClaim": {"claimName": input_claim, "readOnly": True}},
        {"name": "output", "persistentVolumeClaim": {"claimName": output_claim}},
    ]
    spec = pod_spec(options, [batch], volumes) | {"restartPolicy": "Never"}
    return {"metadata": {"labels": labels(options, COMPONENT)}, "spec": spec}


def job_spec(options: ManifestOptions) -> dict[str, Any]:
    """A run's spec: two retries, one hour at most, kept a day for its logs."""
    return {
        "backoffLimit": 2,
        "activeDeadlineSeconds": 3600,
        "ttlSecondsAfterFinished": 86400,
        "podFailurePolicy": {
            "rules": [
                {
                    "action": "FailJob",
                    "onExitCodes": {
                        "operator": "In",
                        "values": [BAD_INPUT_EXIT_CODE],
                    },
                }
            ]
        },
        "template": pod_template(options),
    }


def job(options: ManifestOptions) -> dict[str, Any]:
    """One run of the batch job."""
    return manifest(options, "Job", name(options), COMPONENT, spec=job_spec(options))


def cronjob(options: ManifestOptions) -> dict[str, Any]:
    """The batch job on ``options.schedule``, never two runs at once."""
    spec = {
        "schedule": options.schedule,
        "timeZone": "Etc/UTC",
        "concurrencyPolicy": "Forbid",
        "startingDeadlineSeconds": 600,
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 3,
        "jobTemplate": {
            "metadata": {"labels": labels(options, COMPONENT)},
            "spec": job_spec(options),
        },
    }
    return manifest(options, "CronJob", name(options), COMPONENT, spec=spec)


def network_policy(options: ManifestOptions) -> dict[str, Any]:
    """In: nothing. Out: DNS and the registry's port only."""
    return pod.network_policy(options, name(options), COMPONENT, ingress_port=None)
