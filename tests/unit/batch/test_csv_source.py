import io

import numpy as np
import pytest

from psystock.batch.csv_source import CsvSource
from psystock.errors import PayloadError, SchemaError
from psystock.scoring.model import LoadedModel
from tests.unit.batch.conftest import HEADER, ONES, ZEROS, row


def source(
    text: str, model: LoadedModel, header: bool | None = None, block: int = 1 << 16
) -> CsvSource:
    return CsvSource(io.BytesIO(text.encode()), "in.csv", model, block, header)


def test_headerless_input_is_positional_with_index_names(model: LoadedModel) -> None:
    csv = source(f"{ONES}\n{ZEROS}\n", model)
    assert csv.positional
    assert csv.names == tuple(str(i) for i in range(14))
    (batch,) = list(csv.batches())
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
    (batch,) = list(csv.batches())
    assert batch.table.num_rows == 1


def test_a_numeric_first_row_with_an_empty_field_is_data(model: LoadedModel) -> None:
    csv = source(row(*([1] * 13), "") + "\n", model)
    assert csv.positional
    with pytest.raises(SchemaError, match=r"^row 1, column 13: expected a number, got ''$"):
        model.prepare_arrow(next(csv.batches()).table, positional=True)


def test_header_flag_overrides_detection(model: LoadedModel) -> None:
    csv = source(f"{HEADER}\n{ONES}\n", model, header=False)
    assert csv.positional
    assert next(csv.batches()).table.num_rows == 2


def test_header_row_names_not_in_the_signature_are_reported(model: LoadedModel) -> None:
    names = row(*(f"f{i}" for i in range(14)))
    with pytest.raises(SchemaError, match=r"^expected columns 0, 1, .* 13, got columns f0, .*f13$"):
        source(f"{names}\n{ONES}\n", model)


def test_empty_and_blank_inputs_are_errors(model: LoadedModel) -> None:
    for text in ("", "\n\n  \n"):
        with pytest.raises(
            SchemaError, match=r"^expected at least one row, got an empty input \(in.csv\)$"
        ):
            source(text, model)


def test_rows_with_the_wrong_count_are_set_aside_with_exact_numbers(model: LoadedModel) -> None:
    text = f"{HEADER}\n{ONES}\n1,0,1\n\n{ZEROS}\n{ONES},1\n{ONES}\n"
    batch = next(source(text, model).batches())
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
    batches = list(csv.batches())
    assert len(batches) > 3
    numbers = np.concatenate([b.row_numbers for b in batches])
    invalid = [r.row for b in batches for r in b.invalid]
    assert invalid == [15_001]
    assert numbers.tolist() == [n for n in range(1, 20_001) if n != 15_001]


def test_a_block_with_a_bad_value_is_read_as_text(model: LoadedModel) -> None:
    text = f"{ONES}\n" + row(1, 1, 1, 1, 1, 1, 1, "x", 1, 1, 1, 1, 1, 1) + "\n"
    batch = next(source(text, model).batches())
    assert str(batch.table.schema.field("7").type) == "string"
    with pytest.raises(SchemaError, match=r"^row 2, column 7: expected a number, got 'x'$"):
        model.prepare_arrow(batch.table, positional=True, row_numbers=batch.row_numbers)


def test_byte_order_mark_and_crlf_are_accepted(model: LoadedModel) -> None:
    text = "\ufeff" + HEADER + "\r\n" + ONES + "\r\n"
    csv = source(text, model)
    assert csv.names[0] == "0"
    assert next(csv.batches()).table.num_rows == 1


def test_last_line_without_newline_is_read(model: LoadedModel) -> None:
    batches = list(source(f"{ONES}\n{ZEROS}", model).batches())
    assert [b.row_numbers.tolist() for b in batches] == [[1], [2]]


def test_raw_row_joins_a_parsed_row_back(model: LoadedModel) -> None:
    csv = source(f"{ONES}\n", model)
    batch = next(csv.batches())
    assert csv.raw_row(batch, 0) == ONES


def test_invalid_utf8_is_a_payload_error(model: LoadedModel) -> None:
    data = f"{ONES}\n".encode() + b"\xff" + f",{ZEROS[2:]}\n".encode()
    csv = CsvSource(io.BytesIO(data), "in.csv", model, 1 << 16)
    with pytest.raises(
        PayloadError, match=r"^input in.csv: cannot parse CSV after row 0 \(.*invalid UTF8"
    ):
        list(csv.batches())


def test_string_named_model_maps_headerless_rows_by_position(string_model: LoadedModel) -> None:
    csv = source(f"{ONES}\n", string_model)
    assert csv.positional
    batch = next(csv.batches())
    assert str(batch.table.schema.field("0").type) == "double"


def test_as_text_reads_every_column_as_text_when_all_feed_the_model(model: LoadedModel) -> None:
    csv = CsvSource(io.BytesIO(f"{ONES}\n".encode()), "in.csv", model, 1 << 16, as_text=True)
    assert csv.as_text
    batch = next(csv.batches())
    assert {str(field.type) for field in batch.table.schema} == {"string"}


def test_as_text_is_off_when_a_column_does_not_feed_the_model(model: LoadedModel) -> None:
    text = f"date,{HEADER}\n2024-01-01,{ONES}\n"
    csv = CsvSource(io.BytesIO(text.encode()), "in.csv", model, 1 << 16, as_text=True)
    assert not csv.as_text
    assert str(next(csv.batches()).table.schema.field("0").type) == "int64"
