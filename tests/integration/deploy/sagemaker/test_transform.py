"""``psystock sagemaker transform`` against moto, whose extension runs the job over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import orjson

from psystock.scoring import ModelInput, ScoringRuntime
from psystock.settings import load_settings
from tests.conftest import RunCli
from tests.integration.deploy.sagemaker.conftest import BROKEN_IMAGE, BUCKET, IMAGE, Moto

JOB = "psystock-transform"
DATA = "psystock-data"
ROWS = [[1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], [0] * 14, [1] * 14, [0, 1] * 7]


def csv(rows: list[list[int]]) -> bytes:
    return "".join(",".join(map(str, row)) + "\n" for row in rows).encode()


def transform(run_cli: RunCli, moto: Moto, model_dir: Path, image: str) -> tuple[int, str, str]:
    done = run_cli(
        "sagemaker", "transform", "-j", JOB, "-m", model_dir,
        "--input", f"s3://{DATA}/input", "--output", f"s3://{DATA}/output",
        "--execution-role-arn", moto.role_arn, "--bucket", BUCKET, "--image-url", image,
    )  # fmt: skip
    return done.exit_code, done.stdout, done.said


def expected(model_dir: Path, rows: list[list[int]], home: Path) -> np.ndarray:
    model = ScoringRuntime(load_settings(home=home)).load(str(model_dir))
    return np.asarray(model.predict(model.prepare(ModelInput(np.array(rows)))), np.float32)


def test_transform_scores_every_input_object_into_output_and_removes_its_model(
    run_cli: RunCli, moto: Moto, model_dir: Path, tmp_path: Path
) -> None:
    s3 = moto.client("s3")
    s3.create_bucket(Bucket=DATA)
    s3.put_object(Bucket=DATA, Key="input/day-1.csv", Body=csv(ROWS[:3]))
    s3.put_object(Bucket=DATA, Key="input/day-2.csv", Body=csv(ROWS[3:]))
    code, out, said = transform(run_cli, moto, model_dir, IMAGE)
    assert code == 0, said
    assert re.fullmatch(
        rf"Transform job {JOB}: Completed in \d+ s \(arn:aws:sagemaker:us-east-1:\d+:"
        rf"transform-job/{JOB}\); answers under s3://{DATA}/output\n",
        out,
    ), out
    for key, rows in (("day-1.csv", ROWS[:3]), ("day-2.csv", ROWS[3:])):
        body = s3.get_object(Bucket=DATA, Key=f"output/{key}.out")["Body"].read()
        answer = orjson.loads(body)
        got = np.asarray(answer["predictions"] if isinstance(answer, dict) else answer, np.float32)
        assert np.array_equal(got, expected(model_dir, rows, tmp_path)), key
    left = moto.leftovers()
    assert left["models"] == []
    assert sorted(left["objects"]) == [
        f"{DATA}/input/day-1.csv",
        f"{DATA}/input/day-2.csv",
        f"{DATA}/output/day-1.csv.out",
        f"{DATA}/output/day-2.csv.out",
    ]
    job = moto.client("sagemaker").describe_transform_job(TransformJobName=JOB)
    assert job["TransformInput"]["ContentType"] == "text/csv"
    assert job["TransformInput"]["DataSource"]["S3DataSource"]["S3Uri"] == f"s3://{DATA}/input"


def test_a_failed_transform_reports_the_reason_and_removes_its_model(
    run_cli: RunCli, moto: Moto, model_dir: Path
) -> None:
    s3 = moto.client("s3")
    s3.create_bucket(Bucket=DATA)
    s3.put_object(Bucket=DATA, Key="input/day-1.csv", Body=csv(ROWS))
    code, _, said = transform(run_cli, moto, model_dir, BROKEN_IMAGE)
    assert (code, said) == (
        1,
        f"Error: transform job {JOB} failed: ClientError: The container did not pass the ping "
        "health check. See job logs.\n",
    )
    left = moto.leftovers()
    assert left["models"] == []
    assert left["objects"] == [f"{DATA}/input/day-1.csv"]


def test_transform_refuses_an_input_that_is_not_s3(run_cli: RunCli, moto: Moto) -> None:
    done = run_cli(
        "sagemaker", "transform", "-j", JOB, "-m", "/nowhere", "--input", "/tmp/in",
        "--output", f"s3://{DATA}/output", "--execution-role-arn", moto.role_arn,
    )  # fmt: skip
    assert (done.exit_code, done.said) == (
        2,
        "Error: expected an S3 URI s3://BUCKET/PREFIX, got '/tmp/in'\n",
    )
