"""The batch Job and CronJob."""

from __future__ import annotations

from psystock.deploy.kubernetes import ManifestOptions, render


def test_batch_job_limits_retries_time_and_history() -> None:
    job = render("batch-job", ManifestOptions())[-1]
    assert job["kind"] == "Job"
    spec = job["spec"]
    assert (
        spec["backoffLimit"],
        spec["activeDeadlineSeconds"],
        spec["ttlSecondsAfterFinished"],
    ) == (
        2,
        3600,
        86400,
    )
    rule = spec["podFailurePolicy"]["rules"][0]
    assert (rule["action"], rule["onExitCodes"]["values"]) == ("FailJob", [2])
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["containers"][0]["args"] == [
        "/data/input/input.csv",
        "/data/output/output.csv",
        "--overwrite",
    ]
    claims = {
        v["name"]: v["persistentVolumeClaim"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    }
    assert claims == {
        "input": {"claimName": "psystock-batch-input", "readOnly": True},
        "output": {"claimName": "psystock-batch-output"},
    }


def test_batch_cronjob_runs_on_its_schedule_never_twice_at_once() -> None:
    options = ManifestOptions(schedule="*/15 * * * 1-5")
    cronjob = render("batch-cronjob", options)[-1]
    assert (cronjob["kind"], cronjob["spec"]["schedule"], cronjob["spec"]["concurrencyPolicy"]) == (
        "CronJob",
        "*/15 * * * 1-5",
        "Forbid",
    )
    assert cronjob["spec"]["jobTemplate"]["spec"] == render("batch-job", options)[-1]["spec"]


def test_batch_settings_leave_the_api_token_out() -> None:
    data = render("batch-job", ManifestOptions())[1]["data"]
    assert not any(key.startswith("PSYSTOCK_SERVING__") for key in data)
