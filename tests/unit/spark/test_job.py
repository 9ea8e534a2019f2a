"""What the Spark engine checks before it starts Spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from psystock.errors import InputError, OutputExistsError
from psystock.spark.job import check_local_paths


def test_a_missing_local_input_fails_before_spark(tmp_path: Path) -> None:
    missing = tmp_path / "in.csv"
    for source in (str(missing), f"file://{missing}"):
        with pytest.raises(InputError, match=r"expected a file or directory, found none$"):
            check_local_paths(source, str(tmp_path / "out"), None, overwrite=False)


@pytest.mark.parametrize("existing", ["out", "out.quarantine.csv"])
def test_an_existing_local_output_or_quarantine_needs_overwrite(
    tmp_path: Path, existing: str
) -> None:
    source = tmp_path / "in.csv"
    source.write_text("1\n")
    (tmp_path / existing).mkdir()
    target, quarantine = str(tmp_path / "out") + "/", str(tmp_path / "out.quarantine.csv")
    with pytest.raises(OutputExistsError, match=rf"^output {tmp_path / existing} already exists"):
        check_local_paths(str(source), target, quarantine, overwrite=False)
    check_local_paths(str(source), target, quarantine, overwrite=True)


def test_paths_on_another_filesystem_are_left_to_spark(tmp_path: Path) -> None:
    check_local_paths("s3a://bucket/in.csv", "hdfs://nn/out", "gs://b/q", overwrite=False)
