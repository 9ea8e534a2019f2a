"""``psystock sagemaker deploy|list|describe|delete`` end to end against moto over HTTP."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli
from tests.integration.deploy.sagemaker.conftest import (
    BROKEN_IMAGE,
    BUCKET,
    IMAGE,
    SLOW_IMAGE,
    Moto,
)

NAME = "psystock-test"
EMPTY: dict[str, list[str]] = {"endpoints": [], "configs": [], "models": [], "objects": []}


def deploy(run_cli: RunCli, moto: Moto, model: Path, *options: str) -> tuple[int, str, str]:
    done = run_cli(
        "sagemaker", "deploy", "-a", NAME, "-m", model,
        "--execution-role-arn", moto.role_arn, "--bucket", BUCKET, "--image-url", IMAGE,
        *options,
    )  # fmt: skip
    return done.exit_code, done.stdout, done.said


def describe(run_cli: RunCli) -> dict[str, Any]:
    done = run_cli("sagemaker", "describe", "-a", NAME)
    assert done.exit_code == 0, done.stderr
    described: dict[str, Any] = json.loads(done.stdout)
    return described


def test_deploy_creates_model_config_and_endpoint_in_service(
    run_cli: RunCli, moto: Moto, model_dir: Path
) -> None:
    code, out, said = deploy(run_cli, moto, model_dir, "--instance-type", "ml.m5.xlarge")
    assert (code, said) == (0, "")
    assert re.match(rf"Created endpoint {NAME}: InService in \d+ s \(arn:aws:sagemaker:", out)
    endpoint = describe(run_cli)
    assert endpoint["status"] == "InService"
    [variant] = endpoint["variants"]
    assert variant["instance_type"] == "ml.m5.xlarge"
    assert variant["instance_count"] == 1
    sagemaker = moto.client("sagemaker")
    model = sagemaker.describe_model(ModelName=variant["model"])
    assert model["PrimaryContainer"]["Image"] == IMAGE
    assert model["ExecutionRoleArn"] == moto.role_arn
    url = model["PrimaryContainer"]["ModelDataUrl"]
    assert url == f"s3://{BUCKET}/{NAME}/{variant['model']}/model.tar.gz"
    body = moto.client("s3").get_object(Bucket=BUCKET, Key=url.split("/", 3)[3])["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
        names = archive.getnames()
    assert {"MLmodel", "model.ubj"} <= set(names), names
    listed = run_cli("sagemaker", "list")
    assert listed.exit_code == 0
    assert re.match(rf"^{NAME} +InService +\d{{4}}-", listed.stdout)


def test_deploy_logs_progress_until_in_service(
    run_cli: RunCli, moto: Moto, model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="psystock")
    assert deploy(run_cli, moto, model_dir)[0] == 0
    statuses = [r.getMessage() for r in caplog.records if r.getMessage().startswith("endpoint ")]
    assert [s.split(": ")[1].split(" ")[0] for s in statuses] == ["Creating", "InService"]


def test_deploy_in_create_mode_refuses_an_existing_endpoint(
    run_cli: RunCli, moto: Moto, model_dir: Path
) -> None:
    assert deploy(run_cli, moto, model_dir)[0] == 0
    before = moto.leftovers()
    code, _, said = deploy(run_cli, moto, model_dir)
    assert (code, said) == (
        2,
        f"Error: endpoint {NAME} already exists (InService): deploy with --mode replace or "
        "--mode add to update it, or delete it first\n",
    )
    assert moto.leftovers() == before


def test_replace_serves_the_new_model_and_removes_the_old_config_model_and_archive(
    run_cli: RunCli, moto: Moto, model_dir: Path
) -> None:
    assert deploy(run_cli, moto, model_dir)[0] == 0
    old = describe(run_cli)
    code, out, _ = deploy(run_cli, moto, model_dir, "--mode", "replace")
    assert code == 0
    assert out.startswith(f"Updated (replace) endpoint {NAME}: InService")
    new = describe(run_cli)
    [old_variant], [new_variant] = old["variants"], new["variants"]
    assert new["config"] != old["config"]
    assert new_variant["model"] != old_variant["model"]
    left = moto.leftovers()
    assert left["configs"] == [new["config"]]
    assert left["models"] == [new_variant["model"]]
    assert left["objects"] == [f"{BUCKET}/{NAME}/{new_variant['model']}/model.tar.gz"]
    assert f"Removed {old['config']}, {old_variant['model']}" in out


def test_add_puts_a_weighted_variant_beside_the_old_one(
    run_cli: RunCli, moto: Moto, model_dir: Path
) -> None:
    assert deploy(run_cli, moto, model_dir)[0] == 0
    old = describe(run_cli)
    code, _, _ = deploy(run_cli, moto, model_dir, "--mode", "add", "--variant-weight", "0.25")
    assert code == 0
    new = describe(run_cli)
    variants = new["variants"]
    assert variants[0]["model"] == old["variants"][0]["model"]
    assert [v["weight"] for v in variants] == [1.0, 0.25]
    left = moto.leftovers()
    assert left["configs"] == [new["config"]]
    assert sorted(left["models"]) == sorted(v["model"] for v in variants)
    assert len(left["objects"]) == 2


def test_delete_removes_endpoint_configs_models_and_archives(
    run_cli: RunCli, moto: Moto, model_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert deploy(run_cli, moto, model_dir)[0] == 0
    assert deploy(run_cli, moto, model_dir, "--mode", "add")[0] == 0
    # An --async replace leaves the old config and model behind: delete finds them by tag.
    code, out, _ = deploy(run_cli, moto, model_dir, "--mode", "replace", "--async")
    assert code == 0
    assert out.startswith(f"Updated (replace) endpoint {NAME}: Updating")
    while describe(run_cli)["status"] != "InService":
        pass
    caplog.clear()
    done = run_cli("sagemaker", "delete", "-a", NAME)
    assert done.exit_code == 0, done.stderr
    assert done.stdout == (
        f"Deleted endpoint {NAME}, 2 endpoint config(s) and 3 model(s) with their S3 archives\n"
    )
    logged = [r.getMessage() for r in caplog.records]
    assert sum(m.startswith("deleted S3 object s3://") for m in logged) == 3
    assert sum(m.startswith("deleted model ") for m in logged) == 3
    assert sum(m.startswith("deleted endpoint config ") for m in logged) == 2
    assert moto.leftovers() == EMPTY


def test_failed_replace_reports_the_reason_keeps_the_old_endpoint_and_leaves_nothing(
    run_cli: RunCli, moto: Moto, model_dir: Path
) -> None:
    assert deploy(run_cli, moto, model_dir)[0] == 0
    before = moto.leftovers()
    old = describe(run_cli)
    done = run_cli(
        "sagemaker", "deploy", "-a", NAME, "-m", model_dir, "--mode", "replace",
        "--execution-role-arn", moto.role_arn, "--bucket", BUCKET, "--image-url", BROKEN_IMAGE,
    )  # fmt: skip
    assert done.exit_code == 1
    assert re.fullmatch(
        rf"Error: endpoint {NAME} did not take config {NAME}-c-[0-9a-f]{{12}} and still serves "
        rf"{old['config']}: The primary container for production variant {NAME}-m-[0-9a-f]{{12}} "
        r"did not pass the ping health check\. Please check CloudWatch logs for this endpoint\.\n",
        done.said,
    ), done.said
    after = describe(run_cli)
    assert (after["status"], after["config"]) == ("InService", old["config"])
    assert moto.leftovers() == before
    assert run_cli("sagemaker", "delete", "-a", NAME).exit_code == 0
    assert moto.leftovers() == EMPTY


def test_failed_create_rolls_back_everything(run_cli: RunCli, moto: Moto, model_dir: Path) -> None:
    done = run_cli(
        "sagemaker", "deploy", "-a", NAME, "-m", model_dir,
        "--execution-role-arn", moto.role_arn, "--bucket", BUCKET, "--image-url", BROKEN_IMAGE,
    )  # fmt: skip
    assert done.exit_code == 1
    assert done.said.startswith(f"Error: endpoint {NAME} failed: The primary container for ")
    assert moto.leftovers() == EMPTY


def test_deploy_times_out_and_rolls_back(run_cli: RunCli, moto: Moto, model_dir: Path) -> None:
    done = run_cli(
        "sagemaker", "deploy", "-a", NAME, "-m", model_dir, "--timeout", "1",
        "--execution-role-arn", moto.role_arn, "--bucket", BUCKET, "--image-url", SLOW_IMAGE,
    )  # fmt: skip
    assert (done.exit_code, done.said) == (
        1,
        f"Error: endpoint {NAME} is still Creating after 1 s (--timeout, "
        "PSYSTOCK_SAGEMAKER__TIMEOUT_S)\n",
    )
    assert moto.leftovers() == EMPTY


def test_describe_of_a_missing_endpoint_is_one_error_line(run_cli: RunCli, moto: Moto) -> None:
    for command in ("describe", "delete"):
        done = run_cli("sagemaker", command, "-a", "nope")
        assert (done.exit_code, done.said) == (
            1,
            "Error: no SageMaker endpoint 'nope' in us-east-1\n",
        )


def test_aws_errors_carry_the_operation_code_and_request_id(
    run_cli: RunCli, moto: Moto, model_dir: Path
) -> None:
    code, _, said = deploy(run_cli, moto, model_dir, "--instance-count", "1", "--bucket", "x")
    assert code == 1
    assert re.fullmatch(
        r"Error: s3 CreateBucket failed: .+ \(AWS InvalidBucketName, request id \w+\)\n", said
    ), said
    assert moto.leftovers() == EMPTY


def test_missing_credentials_and_region_are_settings_errors(
    run_cli: RunCli, moto: Moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    done = run_cli("sagemaker", "list")
    assert (done.exit_code, done.said) == (
        2,
        "Error: no AWS region: pass --region-name, or set AWS_DEFAULT_REGION or "
        "PSYSTOCK_SAGEMAKER__REGION_NAME\n",
    )
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    done = run_cli("sagemaker", "list", "--region-name", "eu-west-1")
    assert (done.exit_code, done.said) == (
        2,
        "Error: sagemaker ListEndpoints: no AWS credentials: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or PSYSTOCK_SAGEMAKER__PROFILE) to a configured "
        "profile\n",
    )
