"""The list of command groups the CLI offers, one module each."""

from __future__ import annotations

import click


def all_commands() -> list[click.Command]:
    """Every top-level command and group, in the order ``--help`` lists them."""
    from psystock.cli import batch as batch_commands
    from psystock.cli import config
    from psystock.cli import data as data_commands
    from psystock.cli import docker as docker_commands
    from psystock.cli import k8s as k8s_commands
    from psystock.cli import models as model_commands
    from psystock.cli import quickstart as quickstart_commands
    from psystock.cli import registry as registry_commands
    from psystock.cli import sagemaker as sagemaker_commands
    from psystock.cli import serve as serve_commands
    from psystock.cli import train as train_commands

    return [
        quickstart_commands.quickstart,
        config.config,
        registry_commands.registry,
        data_commands.data,
        train_commands.train,
        model_commands.promote,
        model_commands.models,
        batch_commands.batch,
        serve_commands.serve,
        docker_commands.docker,
        k8s_commands.k8s,
        sagemaker_commands.sagemaker,
    ]
