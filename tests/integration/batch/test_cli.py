"""``psystock batch score`` through the CLI's real entry point (in-process)."""

import re
from pathlib import Path

import pyarrow.csv as pcsv

from tests.conftest import RegisteredModel, RunCli
from tests.integration.batch.conftest import book_rows, write_csv

HEADER = ",".join(str(i) for i in range(14))


def test_score_prints_a_summary_on_stderr(psystock: RunCli, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(5))
    result = psystock("batch", "score", source, tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert re.search(
        r"^Scored 5 of 5 rows with models:/training-model-psystock/Production \(version \d+\) "
        r"in [\d.]+ s \([\d,]+ rows/s\); positive rate [01]\.\d{3}$",
        result.stderr,
        re.MULTILINE,
    )
    assert re.search(r"^MLflow run: [0-9a-f]{32}$", result.stderr, re.MULTILINE)
    assert pcsv.read_csv(tmp_path / "out.csv").num_rows == 5


def test_bad_value_exits_2_with_the_row_and_column(psystock: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("1,0,1,0,1,0,1,0,1,0,1,0,1,0\n1,0,1,0,1,0,1,x,1,0,1,0,1,0\n")
    result = psystock("batch", "score", source, tmp_path / "out.csv")
    assert result.exit_code == 2
    assert (
        result.stderr.strip().splitlines()[-1]
        == "Error: row 2, column 7: expected a number, got 'x'"
    )
    assert not (tmp_path / "out.csv").exists()


def test_empty_file_exits_2(psystock: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("")
    result = psystock("batch", "score", source, tmp_path / "out.csv")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: expected at least one row, got an empty input ({source})"
    )


def test_quarantine_reports_counts_and_the_side_file(psystock: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        f"{HEADER}\n" + "1,0,1,0,1,0,1,0,1,0,1,0,1,0\n1,0,1\n1,1,1,1,1,1,1,1,1,1,1,1,1,?\n"
    )
    result = psystock(
        "batch", "score", source, tmp_path / "out.csv", "--on-error", "quarantine",
        "--quarantine", tmp_path / "bad.csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Scored 1 of 3 rows, 2 quarantined with" in result.stderr
    assert f"Bad rows: {tmp_path / 'bad.csv'}" in result.stderr
    assert (tmp_path / "bad.csv").read_text().splitlines() == [
        "row,reason,raw",
        '2,"expected 14 columns, got 3","1,0,1"',
        '3,"column 13: expected a number, got \'?\'","1,1,1,1,1,1,1,1,1,1,1,1,1,?"',
    ]


def test_existing_output_exits_2_unless_overwrite(psystock: RunCli, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(2))
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    refused = psystock("batch", "score", source, target)
    assert refused.exit_code == 2
    assert refused.stderr.strip().splitlines()[-1] == (
        f"Error: output {target} already exists: pass --overwrite to replace it"
    )
    assert target.read_text() == "old\n"
    assert psystock("batch", "score", source, target, "--overwrite").exit_code == 0
    assert target.read_text().startswith(HEADER)


def test_no_header_scores_a_first_row_equal_to_the_column_names(
    psystock: RunCli, tmp_path: Path
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(f"{HEADER}\n" + ",".join(["1"] * 14) + "\n")
    detected = psystock("batch", "score", source, tmp_path / "a.csv")
    forced = psystock("batch", "score", source, tmp_path / "b.csv", "--no-header")
    assert (detected.exit_code, forced.exit_code) == (0, 0)
    assert "Scored 1 of 1 rows" in detected.stderr
    assert "Scored 2 of 2 rows" in forced.stderr


def test_model_and_threshold_options_override_settings(
    psystock: RunCli, registered_model: RegisteredModel, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(8))
    result = psystock(
        "batch", "score", source, tmp_path / "out.csv",
        "--model", f"models:/{registered_model.name}@production", "--threshold", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"with models:/{registered_model.name}@production (version" in result.stderr
    assert "positive rate 0.000" in result.stderr


def test_malformed_model_reference_exits_2(psystock: RunCli, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(1))
    result = psystock("batch", "score", source, tmp_path / "out.csv", "--model", "models:/m/Prod")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: invalid model reference 'models:/m/Prod': expected a version number, 'latest' "
        "or a stage (None, Staging, Production, Archived), got 'Prod'"
    )


def test_quarantine_to_stdout_needs_a_quarantine_path(psystock: RunCli, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "in.csv", book_rows(1))
    result = psystock("batch", "score", source, "-", "--on-error", "quarantine")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: with OUTPUT '-' and --on-error quarantine, expected --quarantine PATH for the "
        "bad rows"
    )


def test_missing_input_exits_2(psystock: RunCli, tmp_path: Path) -> None:
    result = psystock("batch", "score", tmp_path / "nope.csv", tmp_path / "out.csv")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: input {tmp_path / 'nope.csv'}: expected a file, found none"
    )
