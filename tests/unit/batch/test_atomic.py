import io
from pathlib import Path

import pytest

from psystock.batch.atomic import TEMP_MARKER, AtomicFile, check_writable
from psystock.errors import InputError, OutputExistsError


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_MARKER in p.name)


def test_commit_moves_a_recognisable_temporary_file_into_place(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    atomic = AtomicFile(str(target), overwrite=False)
    assert atomic.temp.parent == tmp_path
    assert atomic.temp.name.startswith(f".out.csv{TEMP_MARKER}")
    atomic.temp.write_text("a,b\n")
    assert not target.exists()
    atomic.commit()
    assert target.read_text() == "a,b\n"
    assert temp_files(tmp_path) == []


def test_discard_leaves_nothing(tmp_path: Path) -> None:
    atomic = AtomicFile(str(tmp_path / "out.csv"), overwrite=False)
    atomic.temp.write_text("partial")
    atomic.discard()
    atomic.discard()  # twice is fine
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_refused_without_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("keep me")
    with pytest.raises(
        OutputExistsError, match=r"^output .*out.csv already exists: pass --overwrite"
    ):
        AtomicFile(str(target), overwrite=False)
    assert target.read_text() == "keep me"


def test_output_appearing_during_the_job_is_not_clobbered(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    atomic = AtomicFile(str(target), overwrite=False)
    atomic.temp.write_text("new")
    target.write_text("written meanwhile")
    with pytest.raises(OutputExistsError, match="already exists"):
        atomic.commit()
    assert target.read_text() == "written meanwhile"
    atomic.discard()
    assert temp_files(tmp_path) == []


def test_overwrite_replaces_the_output(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    atomic = AtomicFile(str(target), overwrite=True)
    atomic.temp.write_text("new")
    atomic.commit()
    assert target.read_text() == "new"


def test_stdout_is_spooled_and_copied_at_commit(tmp_path: Path) -> None:
    stdout = io.BytesIO()
    atomic = AtomicFile("-", overwrite=False, stdout=stdout)
    atomic.temp.write_bytes(b"x,y\n")
    assert stdout.getvalue() == b""
    atomic.commit()
    assert stdout.getvalue() == b"x,y\n"
    assert not atomic.temp.exists()


def test_missing_output_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(
        InputError,
        match=r"^output .*out.csv: expected an existing directory .*nowhere, found none$",
    ):
        check_writable(tmp_path / "nowhere" / "out.csv", overwrite=False)


def test_a_left_over_temporary_file_is_removed_and_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    left = tmp_path / f".out.csv{TEMP_MARKER}deadbeef"
    left.write_text("partial output of a killed job")
    other = tmp_path / f".other.csv{TEMP_MARKER}deadbeef"
    other.write_text("another target's")
    with caplog.at_level("WARNING"):
        atomic = AtomicFile(str(tmp_path / "out.csv"), overwrite=False)
    assert temp_files(tmp_path) == sorted([atomic.temp.name, other.name])
    assert [record.getMessage() for record in caplog.records] == [
        f"removed {left}, left behind by a job that was killed"
    ]
    atomic.discard()


def test_the_temporary_file_of_a_running_job_is_left_alone(tmp_path: Path) -> None:
    running = AtomicFile(str(tmp_path / "out.csv"), overwrite=False)
    second = AtomicFile(str(tmp_path / "out.csv"), overwrite=False)
    assert running.temp.exists()
    running.discard()
    third = AtomicFile(str(tmp_path / "out.csv"), overwrite=False)  # second still holds its own
    assert second.temp.exists()
    for atomic in (second, third):
        atomic.discard()
    assert temp_files(tmp_path) == []


def test_a_directory_as_output_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"^output .* is a directory: expected the path of a file to write$"
    ):
        AtomicFile(str(tmp_path), overwrite=True)
