from pathlib import Path

from psystock.registry.local_server.serverlog import last_meaningful_line

TRACEBACK = """\
2024/01/01 INFO mlflow.store.db.utils: Updating database tables
Traceback (most recent call last):
  File "/venv/lib/python3.11/site-packages/alembic/script/base.py", line 239, in _catch
    raise util.CommandError(resolution) from re
alembic.util.exc.CommandError: Can't locate revision identified by 'deadbeef0000'
"""

SQLALCHEMY = """\
Traceback (most recent call last):
    cursor.execute(statement, parameters)
sqlalchemy.exc.DatabaseError: (sqlite3.DatabaseError) file is not a database
[SQL: SELECT name FROM sqlite_master WHERE type='table']
(Background on this error at: https://sqlalche.me/e/21/4xp6)

"""


def test_last_meaningful_line_is_the_exception_of_a_traceback(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text(TRACEBACK)

    assert last_meaningful_line(log) == (
        "alembic.util.exc.CommandError: Can't locate revision identified by 'deadbeef0000'"
    )


def test_last_meaningful_line_skips_sqlalchemy_hints(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text(SQLALCHEMY)

    assert last_meaningful_line(log) == (
        "sqlalchemy.exc.DatabaseError: (sqlite3.DatabaseError) file is not a database"
    )


def test_last_meaningful_line_reads_only_after_the_offset(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text(TRACEBACK)
    offset = log.stat().st_size
    with log.open("a") as more:
        more.write("INFO: Started server process [42]\n\n")

    assert last_meaningful_line(log, offset) == "INFO: Started server process [42]"


def test_last_meaningful_line_cuts_long_lines(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text("ValueError: " + "x" * 500 + "\n")

    line = last_meaningful_line(log)

    assert line is not None
    assert len(line) == 300
    assert line.startswith("ValueError: xxx")
    assert line.endswith("...")


def test_last_meaningful_line_is_none_without_output(tmp_path: Path) -> None:
    log = tmp_path / "registry.log"
    log.write_text("\n   \n")

    assert last_meaningful_line(log) is None
    assert last_meaningful_line(tmp_path / "missing.log") is None
