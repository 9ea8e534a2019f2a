import io
from pathlib import Path

import numpy as np
import pytest

from psystock.batch.csv_source import CsvSource
from psystock.batch.source import SourceBatch
from psystock.errors import InputError, PayloadError, SchemaError
from psystock.scoring import score_arrow
from psystock.scoring.loader import load_model_dir
from psystock.scoring.model import LoadedModel
from tests.unit.batch.conftest import HEADER, ONES, ZEROS, row
from tests.unit.scoring.conftest import resolved_for, write_booster_model


def arrow_batches(csv: CsvSource) -> list[SourceBatch]:
    return list(csv.batches())


def source(
    text: str, model: LoadedModel, header: bool | None = None, block: int = 1 << 16
) -> CsvSource:
    return CsvSource(io.BytesIO(text.encode()), "in.csv", model, block, header)


def test_headerless_input_is_positional_with_index_names(model: LoadedModel) -> None:
    csv = source(f"{ONES}\n{ZEROS}\n", model)
    assert csv.positional
    assert csv.names == tuple(str(i) for i in range(14))
    (batch,) = arrow_batches(csv)
    assert batch.table.num_rows == 2
    assert batch.row_numbers.tolist() == [1, 2]
    assert str(batch.table.schema.field("0").type) == "int64"


@pytest.mark.parametrize(
    "first_line",
    [HEADER, "date," + HEADER, " 0 , 1 ,2,3,4,5,6,7,8,9,10,11,12,13"],
)
def test_header_is_detected_from_text_or_the_signature_names(
    model: LoadedModel, first_line: str
) -> None:
    csv = source(
        f"{first_line}\n" + (f"x,{ONES}" if first_line.startswith("date") else ONES) + "\n", model
    )
    assert not csv.positional
    (batch,) = arrow_batches(csv)
    assert batch.table.num_rows == 1


def test_a_numeric_first_row_with_an_empty_field_is_data(model: LoadedModel) -> None:
    csv = source(row(*([1] * 13), "") + "\n", model)
    assert csv.positional
    with pytest.raises(SchemaError, match=r"^row 1, column 13: expected a number, got ''$"):
        score_arrow(model, arrow_batches(csv)[0].table, 0.5, positional=True)


def test_header_flag_overrides_detection(model: LoadedModel) -> None:
    csv = source(f"{HEADER}\n{ONES}\n", model, header=False)
    assert csv.positional
    assert arrow_batches(csv)[0].table.num_rows == 2


def test_header_row_names_not_in_the_signature_say_how_to_map_them(model: LoadedModel) -> None:
    names = row(*(f"f{i}" for i in range(14)))
    with pytest.raises(InputError, match=r"^input in.csv: the model expects columns 0, 1, "):
        source(f"{names}\n{ONES}\n", model)
    by_position = CsvSource(
        io.BytesIO(f"{names}\n{ONES}\n".encode()), "in.csv", model, 1 << 16, by_position=True
    )
    assert by_position.positional
    assert by_position.names[0] == "f0"
    (batch,) = arrow_batches(by_position)
    assert batch.table.num_rows == 1


def test_empty_and_blank_inputs_are_errors(model: LoadedModel) -> None:
    for text in ("", "\n\n  \n"):
        with pytest.raises(
            SchemaError, match=r"^expected at least one row, got an empty input \(in.csv\)$"
        ):
            source(text, model)


def test_rows_with_the_wrong_count_are_set_aside_with_exact_numbers(model: LoadedModel) -> None:
    text = f"{HEADER}\n{ONES}\n1,0,1\n\n{ZEROS}\n{ONES},1\n{ONES}\n"
    batch = arrow_batches(source(text, model))[0]
    assert batch.row_numbers.tolist() == [1, 3, 5]
    assert [(r.row, r.expected_columns, r.actual_columns, r.text) for r in batch.invalid] == [
        (2, 14, 3, "1,0,1"),
        (4, 14, 15, f"{ONES},1"),
    ]
    assert batch.rows_in == 5


def test_row_numbers_continue_across_blocks(model: LoadedModel) -> None:
    lines = [ONES if i % 3 else ZEROS for i in range(20_000)]
    lines[15_000] = "1,2"
    csv = source("\n".join(lines) + "\n", model, block=1 << 16)
    batches = arrow_batches(csv)
    assert len(batches) > 3
    numbers = np.concatenate([b.row_numbers for b in batches])
    invalid = [r.row for b in batches for r in b.invalid]
    assert invalid == [15_001]
    assert numbers.tolist() == [n for n in range(1, 20_001) if n != 15_001]


def test_a_block_with_a_bad_value_is_read_as_text(model: LoadedModel) -> None:
    text = f"{ONES}\n" + row(1, 1, 1, 1, 1, 1, 1, "x", 1, 1, 1, 1, 1, 1) + "\n"
    batch = arrow_batches(source(text, model))[0]
    assert str(batch.table.schema.field("7").type) == "string"
    with pytest.raises(SchemaError, match=r"^row 2, column 7: expected a number, got 'x'$"):
        score_arrow(model, batch.table, 0.5, positional=True, row_numbers=batch.row_numbers)


def test_byte_order_mark_and_crlf_are_accepted(model: LoadedModel) -> None:
    text = "\ufeff" + HEADER + "\r\n" + ONES + "\r\n"
    csv = source(text, model)
    assert csv.names[0] == "0"
    assert arrow_batches(csv)[0].table.num_rows == 1


def test_last_line_without_newline_is_read(model: LoadedModel) -> None:
    batches = arrow_batches(source(f"{ONES}\n{ZEROS}", model))
    assert [b.row_numbers.tolist() for b in batches] == [[1], [2]]


def test_raw_row_joins_a_parsed_row_back(model: LoadedModel) -> None:
    csv = source(f"{ONES}\n", model)
    batch = arrow_batches(csv)[0]
    assert csv.raw_row(batch, 0) == ONES


def test_invalid_utf8_is_a_payload_error(model: LoadedModel) -> None:
    data = f"{ONES}\n".encode() + b"\xff" + f",{ZEROS[2:]}\n".encode()
    csv = CsvSource(io.BytesIO(data), "in.csv", model, 1 << 16)
    with pytest.raises(
        PayloadError, match=r"^input in.csv, from row 1 on: cannot parse CSV \(.*invalid UTF8"
    ):
        list(csv.batches())


def test_string_named_model_maps_headerless_rows_by_position(string_model: LoadedModel) -> None:
    csv = source(f"{ONES}\n", string_model)
    assert csv.positional
    batch = arrow_batches(csv)[0]
    assert str(batch.table.schema.field("0").type) == "double"


def test_fixed_width_blocks_are_read_by_numpy_with_the_same_values(model: LoadedModel) -> None:
    text = f"{ONES}\n{ZEROS}\n"
    fast = arrow_batches(source(text, model))[0]
    assert fast.table.schema.field("0").type == "int64"
    assert fast.table.to_pylist() == [
        {str(i): 1 for i in range(14)},
        {str(i): 0 for i in range(14)},
    ]
    assert fast.row_numbers.tolist() == [1, 2]
    as_text = CsvSource(io.BytesIO(text.encode()), "in.csv", model, 1 << 16, as_text=True)
    (digits,) = list(as_text.batches())
    assert digits.table.schema.field("0").type == "uint8"
    assert digits.table.column("13").to_pylist() == [1, 0]


def test_as_text_keeps_the_text_of_blocks_that_are_not_fixed_width(model: LoadedModel) -> None:
    text = f"{ONES}\n 1{ZEROS[1:]}\n"
    uneven = CsvSource(io.BytesIO(text.encode()), "in.csv", model, 1 << 16, as_text=True)
    assert uneven.as_text
    (batch,) = list(uneven.batches())
    assert {str(field.type) for field in batch.table.schema} == {"string"}
    assert batch.table.column("0").to_pylist() == ["1", " 1"]


def test_a_boolean_column_with_another_digit_takes_the_general_path(tmp_path: Path) -> None:
    signature = [{"type": "boolean", "name": f"b{i}"} for i in range(14)]
    directory = write_booster_model(tmp_path / "bool", signature)
    model = load_model_dir(directory, resolved_for(directory))
    good = CsvSource(io.BytesIO(f"{ONES}\n".encode()), "in.csv", model, 1 << 16)
    assert arrow_batches(good)[0].table.schema.field("0").type == "bool"
    bad = ONES[:-1] + "7"
    csv = CsvSource(io.BytesIO(f"{bad}\n".encode()), "in.csv", model, 1 << 16)
    (batch,) = arrow_batches(csv)
    assert batch.table.schema.field("13").type == "string"
    with pytest.raises(SchemaError, match=r"^row 1, column b13: expected 0 or 1, got '7'$"):
        score_arrow(model, batch.table, 0.5, positional=True)


def test_as_text_is_off_when_a_column_does_not_feed_the_model(model: LoadedModel) -> None:
    text = f"date,{HEADER}\n2024-01-01,{ONES}\n"
    csv = CsvSource(io.BytesIO(text.encode()), "in.csv", model, 1 << 16, as_text=True)
    assert not csv.as_text
    assert str(arrow_batches(csv)[0].table.schema.field("0").type) == "int64"
