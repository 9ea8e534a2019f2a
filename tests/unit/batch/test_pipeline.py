import io
from pathlib import Path

import pytest

from psystock.batch.csv_source import CsvSource
from psystock.batch.pipeline import BlockScorer, OutputPlan, score_source
from psystock.errors import SchemaError
from psystock.scoring.inputs import ModelInput
from psystock.scoring.loader import load_model_dir
from psystock.scoring.model import LoadedModel
from tests.unit.batch.conftest import ONES, ZEROS
from tests.unit.scoring.conftest import resolved_for, write_booster_model


def csv_source(text: str, model: LoadedModel, block: int = 1 << 16) -> CsvSource:
    return CsvSource(io.BytesIO(text.encode()), "in.csv", model, block, as_text=True)


def plan(tmp_path: Path, quarantine: bool = False) -> OutputPlan:
    target = tmp_path / "out.csv"
    return OutputPlan(str(target), "csv", f"{target}.q.csv" if quarantine else None, False, True)


def scorer(source: CsvSource, model: LoadedModel, collect: bool = False) -> BlockScorer:
    return BlockScorer(source, model, 0.5, collect=collect, keep_text=True)


def test_fixed_width_input_is_scored_to_lines_matching_the_model(
    model: LoadedModel, tmp_path: Path
) -> None:
    source = csv_source(f"{ONES}\n{ZEROS}\n", model)
    counts = score_source(scorer(source, model), plan(tmp_path), log_interval_s=60)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    expected = model.predict(model.prepare(ModelInput([[1] * 14, [0] * 14])))
    assert lines[0] == ",".join([*(str(i) for i in range(14)), "prediction", "probability"])
    for line, text, probability in zip(lines[1:], (ONES, ZEROS), expected, strict=True):
        assert line == f"{text},{int(probability > 0.5)},{probability:.8f}"
    assert (counts.rows_in, counts.rows_out, counts.quarantined) == (2, 2, 0)
    assert counts.histogram.counts.sum() == 2


def test_blocks_are_scored_in_parallel_and_written_in_order(
    model: LoadedModel, tmp_path: Path
) -> None:
    rows = [ONES if i % 3 else ZEROS for i in range(30_000)]
    rows[20_000] = " " + rows[20_000]  # one block takes pyarrow's path
    source = csv_source("\n".join(rows) + "\n", model, block=1 << 14)
    block_scorer = scorer(source, model)
    assert block_scorer.workers >= 1
    counts = score_source(block_scorer, plan(tmp_path), log_interval_s=60)
    lines = (tmp_path / "out.csv").read_text().splitlines()[1:]
    assert [line.rsplit(",", 2)[0] for line in lines] == rows
    assert counts.rows_out == 30_000


def test_bad_value_in_a_fixed_width_block_is_named(model: LoadedModel, tmp_path: Path) -> None:
    bad = ONES[:-1] + "7\n" + ONES[:-1] + "x"
    source = csv_source(f"{ONES}\n{bad}\n", model)
    with pytest.raises(SchemaError, match=r"^row 3, column 13: expected a number, got 'x'$"):
        score_source(scorer(source, model), plan(tmp_path), log_interval_s=60)
    assert list(tmp_path.iterdir()) == []


def test_the_lowest_bad_row_is_reported_first(model: LoadedModel, tmp_path: Path) -> None:
    text = f"{ONES}\n" + ONES.replace("1", "y", 1) + "\n1,0\n"
    with pytest.raises(SchemaError, match=r"^row 2, column 0: expected a number, got 'y'$"):
        score_source(scorer(csv_source(text, model), model), plan(tmp_path), 60)
    text = f"{ONES}\n1,0\n" + ONES.replace("1", "y", 1) + "\n"
    with pytest.raises(SchemaError, match=r"^row 2: expected 14 columns, got 2$"):
        score_source(scorer(csv_source(text, model), model), plan(tmp_path), 60)


def test_scores_outside_zero_to_one_are_written_by_pyarrow(tmp_path: Path) -> None:
    directory = write_booster_model(tmp_path / "reg", objective="reg:squarederror")
    model = load_model_dir(directory, resolved_for(directory))
    source = csv_source("".join(f"{ONES}\n" for _ in range(3)), model)
    score_source(scorer(source, model), plan(tmp_path), log_interval_s=60)
    lines = (tmp_path / "out.csv").read_text().splitlines()[1:]
    expected = float(model.predict(model.prepare(ModelInput([[1] * 14])))[0])
    assert not 0 <= expected <= 1
    assert [float(line.rsplit(",", 1)[1]) for line in lines] == [pytest.approx(expected)] * 3


def test_quarantine_keeps_every_row_accounted_for(model: LoadedModel, tmp_path: Path) -> None:
    text = f"{ONES}\n1,0\n{ZEROS}\n" + ZEROS.replace("0", "y", 1) + "\n"
    source = csv_source(text, model)
    output = plan(tmp_path, quarantine=True)
    counts = score_source(scorer(source, model, collect=True), output, log_interval_s=60)
    assert (counts.rows_in, counts.rows_out, counts.quarantined) == (4, 2, 2)
    assert (tmp_path / "out.csv.q.csv").read_text().splitlines()[1:] == [
        '2,"expected 14 columns, got 2","1,0"',
        '4,"column 0: expected a number, got \'y\'","' + ZEROS.replace("0", "y", 1) + '"',
    ]
    assert 0 <= counts.positives <= counts.rows_out
