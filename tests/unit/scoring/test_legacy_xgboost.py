import struct
from pathlib import Path

import numpy as np
import pytest

from psystock.errors import ModelLoadError
from psystock.scoring.legacy_xgboost import (
    LEARNER_PARAM_BYTES,
    TREE_PARAM_BYTES,
    is_legacy_binary,
    read_legacy_booster,
    sniff_legacy_binary,
)
from tests.legacy_xgboost.cases import COMMITTED_BOOK_VERSIONS, committed_case

OBJECTIVE_JSON = '{"name":"binary:logistic","reg_loss_param":{"scale_pos_weight":"1"}}'
# binf + learner parameters + "binary:logistic" + "gbtree" + the gbtree parameters
FIRST_TREE_AT = 4 + LEARNER_PARAM_BYTES + (8 + 15) + (8 + 6) + 160


def book_bytes(version: str = "1.3.3") -> bytes:
    return committed_case(version).legacy_file.read_bytes()


@pytest.mark.parametrize(
    ("version", "written_by", "base_score", "attributes", "metrics"),
    [
        ("0.90", "XGBoost < 1.0", 0.0, {}, ("logloss",)),
        ("1.3.3", "XGBoost 1.3", 0.5, {"objective": OBJECTIVE_JSON}, ()),
        (
            "1.7.6",
            "XGBoost 1.7",
            0.5,
            {"best_iteration": "19", "best_ntree_limit": "20", "objective": OBJECTIVE_JSON},
            (),
        ),
        ("2.1.4", "XGBoost 2.1", 0.5223731398582458, {"objective": OBJECTIVE_JSON}, ()),
    ],
)
def test_reads_the_books_model_as_each_xgboost_wrote_it(
    version: str,
    written_by: str,
    base_score: float,
    attributes: dict[str, str],
    metrics: tuple[str, ...],
) -> None:
    booster = read_legacy_booster(book_bytes(version), "model.xgb")

    assert booster.written_by == written_by
    assert booster.objective == "binary:logistic"
    assert booster.base_score == base_score  # 0.90 stored the margin of 0.5: 0
    assert (booster.num_feature, booster.num_class, booster.num_target) == (14, 0, 1)
    assert len(booster.trees) == 20
    assert booster.tree_info == (0,) * 20
    assert booster.attributes == attributes
    assert booster.eval_metrics == metrics
    first = booster.trees[0]
    assert first.nodes["left"][0] == 1
    assert first.nodes["parent"][0] == -1
    assert all(tree.num_feature == 14 and tree.num_deleted == 0 for tree in booster.trees)


def test_each_node_is_a_split_with_two_children_or_a_leaf() -> None:
    for tree in read_legacy_booster(book_bytes(), "model.xgb").trees:
        nodes = tree.nodes
        is_leaf = nodes["left"] == -1
        assert np.array_equal(is_leaf, nodes["right"] == -1)
        assert (nodes["sindex"][~is_leaf] & 0x7FFFFFFF < 14).all()
        children = np.concatenate([nodes["left"][~is_leaf], nodes["right"][~is_leaf]])
        assert sorted(children.tolist()) == list(range(1, len(nodes)))


@pytest.mark.parametrize("version", COMMITTED_BOOK_VERSIONS)
def test_sniffs_every_version_as_legacy_binary(version: str) -> None:
    assert is_legacy_binary(committed_case(version).legacy_file)


@pytest.mark.parametrize(
    "head",
    [b'{"learner": {}}', b"{U\x07learner", b"", b"\x00" * 200, b"x" * 400],
    ids=["json", "ubjson", "empty", "zeros", "text"],
)
def test_does_not_sniff_other_files_as_legacy_binary(head: bytes) -> None:
    assert not sniff_legacy_binary(head)


def test_refuses_a_json_model() -> None:
    with pytest.raises(
        ModelLoadError, match=r"^model.json is a JSON or UBJSON model, not a legacy binary one$"
    ):
        read_legacy_booster(b'{"learner": {}}', "model.json")


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (10, "expected 36 bytes of the learner parameters at byte 4, found 6"),
        (150, "expected 15 bytes of the objective's name at byte 148, found 2"),
        (170, "expected 8 bytes of the length of the booster's name at byte 163, found 7"),
        (400, "expected 124 bytes of the parameters of tree 0 at byte 361, found 39"),
        (14275, "expected 68 bytes of attribute 'objective' at byte 14210, found 65"),
    ],
)
def test_truncated_file_names_what_is_missing_and_where(cut: int, message: str) -> None:
    with pytest.raises(ModelLoadError, match=rf"^model.xgb is truncated: {message}$"):
        read_legacy_booster(book_bytes()[:cut], "model.xgb")


def test_every_truncation_is_a_load_error() -> None:
    data = book_bytes()
    for cut in range(0, len(data), 97):
        with pytest.raises(ModelLoadError, match=r"^model.xgb is truncated: expected \d+ bytes"):
            read_legacy_booster(data[:cut], "model.xgb")


def patched(data: bytes, offset: int, layout: str, *values: int) -> bytes:
    buffer = bytearray(data)
    struct.pack_into(layout, buffer, offset, *values)
    return bytes(buffer)


def test_child_outside_the_tree_is_named_with_its_node() -> None:
    first_node = FIRST_TREE_AT + TREE_PARAM_BYTES
    data = patched(book_bytes(), first_node + 4, "<i", 99)  # node 0's left child
    with pytest.raises(
        ModelLoadError,
        match=r"^model.xgb: tree 0, node 0: expected a left child in 1..14 or -1, got 99$",
    ):
        read_legacy_booster(data, "model.xgb")


def test_tree_without_nodes_is_refused() -> None:
    data = patched(book_bytes(), FIRST_TREE_AT + 4, "<i", 0)
    with pytest.raises(
        ModelLoadError,
        match=r"^model.xgb: tree 0 claims 0 nodes of which 0 deleted: expected at least 1 node, "
        r"fewer deleted$",
    ):
        read_legacy_booster(data, "model.xgb")


def test_negative_tree_count_is_refused() -> None:
    data = patched(book_bytes(), FIRST_TREE_AT - 160, "<i", -3)
    with pytest.raises(
        ModelLoadError, match=r"^model.xgb: expected a tree count of 0 or more, got -3$"
    ):
        read_legacy_booster(data, "model.xgb")


def test_name_that_is_not_utf8_is_refused() -> None:
    data = patched(book_bytes(), 4 + LEARNER_PARAM_BYTES + 8, "<2B", 0xFF, 0xFE)
    with pytest.raises(
        ModelLoadError, match=r"^model.xgb: the objective's name is not UTF-8 text$"
    ):
        read_legacy_booster(data, "model.xgb")


@pytest.mark.parametrize("booster", ["gblinear", "dart"])
def test_refuses_boosters_other_than_gbtree_naming_what_it_found(booster: str) -> None:
    data = committed_case("1.3.3", booster).legacy_file.read_bytes()
    with pytest.raises(
        ModelLoadError,
        match=rf"^model.xgb holds a '{booster}' booster \(objective binary:logistic, written by "
        r"XGBoost 1.3\): only 'gbtree' boosters can be converted; load it with that XGBoost "
        r"and save it with save_model\('model.ubj'\)$",
    ):
        read_legacy_booster(data, "model.xgb")


def test_is_legacy_binary_reads_only_the_head_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "model.xgb"
    path.write_bytes(book_bytes()[:300])  # truncated, yet recognisably legacy
    assert is_legacy_binary(path)
