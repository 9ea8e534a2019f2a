import csv
from pathlib import Path

from psystock.batch.quarantine import COLUMNS, QuarantineFile, reason_of


def test_reason_of_drops_the_row_prefix() -> None:
    assert (
        reason_of("row 3, column 7: expected a number, got 'x'", 3)
        == "column 7: expected a number, got 'x'"
    )
    assert reason_of("row 12: expected 14 columns, got 3", 12) == "expected 14 columns, got 3"
    assert reason_of("something else", 1) == "something else"


def test_quarantine_file_holds_rows_reasons_and_raw_text(tmp_path: Path) -> None:
    target = tmp_path / "out.csv.quarantine.csv"
    quarantine = QuarantineFile(str(target), overwrite=False)
    quarantine.add(2, "column 7: expected a number, got 'x'", "1,0,x")
    quarantine.add(5, "expected 14 columns, got 3", '1,"a,b",3')
    assert not target.exists()
    quarantine.commit()
    with target.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        list(COLUMNS),
        ["2", "column 7: expected a number, got 'x'", "1,0,x"],
        ["5", "expected 14 columns, got 3", '1,"a,b",3'],
    ]
    assert quarantine.count == 2


def test_discarded_quarantine_file_leaves_nothing(tmp_path: Path) -> None:
    quarantine = QuarantineFile(str(tmp_path / "q.csv"), overwrite=False)
    quarantine.add(1, "r", "raw")
    quarantine.discard()
    assert list(tmp_path.iterdir()) == []
