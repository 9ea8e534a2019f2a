"""The book's flow: ``mlflow run deploy/kubernetes/mlproject --backend kubernetes``.

An MLflow project whose entry point runs the batch job in the batch image (``docker_env``),
the backend configuration and the Job template MLflow fills in: it builds an image FROM the
batch image with the project's files, pushes it to ``repository-uri``, sets the template's
``metadata.name``, its first container's ``name``, ``image`` (by digest) and ``command`` (the
entry point's), appends ``MLFLOW_*`` variables to its ``env``, and creates the Job.
"""

from __future__ import annotations

import json
from typing import Any

from psystock.deploy.kubernetes.batch import ARGS, job
from psystock.deploy.kubernetes.options import ManifestOptions

PROJECT_NAME = "psystock-batch"
PLACEHOLDER = "{replaced with MLflow Project name}"
REPOSITORY_URI = "registry.example.com/psystock/psystock-batch-mlproject"
"""Where MLflow pushes the project's image: your registry, which the cluster pulls from."""

INPUT, OUTPUT, _ = ARGS
DEFAULT_MODEL = "models:/training-model-psystock/Production"


def mlproject(options: ManifestOptions) -> dict[str, Any]:
    """The ``MLproject`` file: the batch image, one entry point running the batch job."""
    return {
        "name": PROJECT_NAME,
        "docker_env": {"image": options.image_of("batch")},
        "entry_points": {
            "main": {
                "parameters": {
                    "input": {"type": "string", "default": INPUT},
                    "output": {"type": "string", "default": OUTPUT},
                    "model": {"type": "string", "default": options.model or DEFAULT_MODEL},
                },
                "command": "psystock batch score {input} {output} --model {model} --overwrite",
            }
        },
    }


def job_template(options: ManifestOptions) -> dict[str, Any]:
    """The rendered batch Job with MLflow's placeholders; MLflow sets the command."""
    template = job(options)
    template["metadata"]["name"] = PLACEHOLDER
    container = template["spec"]["template"]["spec"]["containers"][0]
    container["name"] = PLACEHOLDER
    container["image"] = PLACEHOLDER
    del container["args"]  # MLflow's command is the whole command line
    return template


def kubernetes_config() -> str:
    """``kubernetes_config.json``: the book's three keys."""
    config = {
        "kube-context": "psystock",
        "repository-uri": REPOSITORY_URI,
        "kube-job-template-path": "kubernetes_job_template.yaml",
    }
    return json.dumps(config, indent=2) + "\n"
