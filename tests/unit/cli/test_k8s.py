"""``psystock k8s render``: YAML on stdout, options refused in one line."""

from __future__ import annotations

import yaml

from psystock.deploy.kubernetes import ManifestOptions, render, to_yaml
from tests.conftest import RunCli


def test_k8s_render_prints_the_manifests_of_the_package(run_cli: RunCli) -> None:
    result = run_cli(
        "k8s", "render", "batch-cronjob", "--namespace", "ml", "--schedule", "0 1 * * *",
        "--image", "r/batch:2", "--model", "models:/m/3",
    )  # fmt: skip
    assert (result.exit_code, result.said) == (0, "")
    options = ManifestOptions(
        namespace="ml", schedule="0 1 * * *", image="r/batch:2", model="models:/m/3"
    )
    assert result.stdout == to_yaml(render("batch-cronjob", options))
    kinds = [doc["kind"] for doc in yaml.safe_load_all(result.stdout)]
    assert kinds == ["Namespace", "ConfigMap", "NetworkPolicy", "CronJob"]


def test_k8s_render_refuses_a_bad_schedule_in_one_line(run_cli: RunCli) -> None:
    result = run_cli("k8s", "render", "batch-cronjob", "--schedule", "every day")
    assert (result.exit_code, result.stdout, result.said) == (
        2,
        "",
        "Error: --schedule 'every day': expected a cron schedule of 5 fields "
        "(minute hour day-of-month month day-of-week), e.g. '0 6 * * *'\n",
    )


def test_k8s_render_refuses_an_unknown_kind(run_cli: RunCli) -> None:
    result = run_cli("k8s", "render", "pod")
    assert result.exit_code == 2
    assert "Invalid value for '{api|batch-job|batch-cronjob}': 'pod' is not one of" in result.said


def test_k8s_render_help_lists_the_kinds_as_a_block(run_cli: RunCli) -> None:
    result = run_cli("k8s", "render", "--help")
    assert result.exit_code == 0
    assert "\\b" not in result.stdout
    assert "\n  batch-cronjob  the same as a CronJob on --schedule, never two runs at once\n" in (
        result.stdout
    )
