import re

import pytest

from psystock.batch.mapping import InputColumns, map_columns
from psystock.errors import InputError, SchemaError
from psystock.scoring.model import LoadedModel

NAMES = tuple(str(i) for i in range(14))
LETTERS = tuple(f"f{i}" for i in range(14))
MODEL_COLUMNS = "columns 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13"


def test_names_map_by_name_and_by_position_when_asked(model: LoadedModel) -> None:
    reordered = tuple(reversed(NAMES))
    assert map_columns(model, InputColumns("in.csv", reordered, False)).sources[0] == 13
    assert map_columns(model, InputColumns("in.csv", LETTERS, True)).sources[0] == 0


def test_a_header_of_other_names_says_which_columns_and_every_way_out(
    model: LoadedModel,
) -> None:
    message = (
        f"input in.csv: the model expects {MODEL_COLUMNS} (by name, in any order; other "
        "columns are ignored); its header names f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, "
        "f11, f12, f13 (none of them). Rename the input's columns to the model's, pass "
        "--by-position to use its first 14 columns in order, or pass --no-header if its "
        "first row is data."
    )
    with pytest.raises(InputError, match="^" + re.escape(message) + "$"):
        map_columns(model, InputColumns("in.csv", LETTERS, False))


def test_a_header_missing_some_columns_names_them(model: LoadedModel) -> None:
    names = (*NAMES[:12], "x")
    with pytest.raises(
        InputError,
        match=r"; its header names 0, 1, .*, 11, x \(missing 12, 13\)\. Rename the input's "
        r"columns to the model's, or pass --no-header if its first row is data\.$",
    ):
        map_columns(model, InputColumns("in.csv", names, False))


def test_parquet_columns_are_not_called_a_header(model: LoadedModel) -> None:
    with pytest.raises(
        InputError,
        match=r"^input in.parquet: .*; its columns are f0, .* \(none of them\)\. Rename the "
        r"input's columns to the model's, or pass --by-position to use its first 14 columns "
        r"in order\.$",
    ):
        map_columns(model, InputColumns("in.parquet", LETTERS, False, is_csv=False))


def test_header_given_on_a_headerless_file_says_to_drop_it(model: LoadedModel) -> None:
    data = ("1", "0", "1", "1", "0", "1", "0", "1", "0", "1", "0", "1", "0", "1")
    with pytest.raises(
        InputError,
        match="^"
        + re.escape(
            "input in.csv: --header was given, but its first row (1,0,1,1,0,1,...) looks like "
            f"data, not like the model's {MODEL_COLUMNS}: drop --header to score it as a row"
        )
        + "$",
    ):
        map_columns(model, InputColumns("in.csv", data, False, header=True))


def test_a_name_twice_is_named(model: LoadedModel) -> None:
    with pytest.raises(
        InputError, match=r"^input in.csv: expected unique column names, got column 3 twice$"
    ):
        map_columns(model, InputColumns("in.csv", (*NAMES, "3"), False))


def test_without_names_only_the_count_matters(model: LoadedModel) -> None:
    with pytest.raises(SchemaError, match=r"^row 1: expected 14 columns, got 13$"):
        map_columns(model, InputColumns("in.csv", NAMES[:13], True))
