import dataclasses
import json
import math
from typing import Any

import numpy as np
import pytest

from psystock.errors import ModelLoadError
from psystock.scoring.legacy_conversion import JSON_SCHEMA_VERSION, to_json_model
from psystock.scoring.legacy_xgboost import LegacyBooster, read_legacy_booster
from psystock.scoring.xgboost_model import import_xgboost
from tests.legacy_xgboost.cases import COMMITTED_BOOK_VERSIONS, committed_case, comparable


def book(version: str = "1.3.3") -> LegacyBooster:
    return read_legacy_booster(committed_case(version).legacy_file.read_bytes(), "model.xgb")


def load(document: dict[str, Any]) -> Any:
    booster = import_xgboost().Booster()
    booster.load_model(bytearray(json.dumps(document).encode()))
    return booster


@pytest.mark.parametrize("version", COMMITTED_BOOK_VERSIONS)
def test_converted_book_model_predicts_what_the_old_xgboost_predicted(version: str) -> None:
    case = committed_case(version)
    booster = load(to_json_model(book(version), "model.xgb"))

    predicted = booster.inplace_predict(case.inputs())

    np.testing.assert_array_equal(predicted, case.predictions())


@pytest.mark.parametrize("version", ["1.3.3", "1.7.6", "2.1.4"])
def test_converted_document_is_the_old_xgboosts_own_json_export(version: str) -> None:
    document = to_json_model(book(version), "model.xgb")

    assert comparable(document) == comparable(committed_case(version).reference())
    assert document["version"] == list(JSON_SCHEMA_VERSION)


def test_model_before_1_0_gets_its_base_score_back_through_the_link_function() -> None:
    old = book("0.90")
    assert old.base_score == 0.0  # the margin of 0.5
    param = to_json_model(old, "m")["learner"]["learner_model_param"]
    assert param["base_score"] == "0.5"

    margin = math.log(0.3 / 0.7)
    shifted = to_json_model(dataclasses.replace(old, base_score=margin), "m")
    assert float(shifted["learner"]["learner_model_param"]["base_score"]) == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("reg:linear", {"name": "reg:squarederror", "reg_loss_param": {"scale_pos_weight": "1"}}),
        (
            "multi:softprob",
            {"name": "multi:softprob", "softmax_multiclass_param": {"num_class": "3"}},
        ),
    ],
)
def test_model_before_1_0_gets_a_default_objective_configuration(
    objective: str, expected: dict[str, Any]
) -> None:
    old = dataclasses.replace(book("0.90"), objective=objective, num_class=3, base_score=0.25)
    learner = to_json_model(old, "m")["learner"]

    assert learner["objective"] == expected
    assert learner["learner_model_param"]["base_score"] == "0.25"  # no link to undo


def test_internal_attributes_are_dropped_and_the_users_are_kept() -> None:
    attributes = {**book("1.7.6").attributes, "metrics": "logloss;"}
    model = dataclasses.replace(book("1.7.6"), attributes=attributes)

    kept = to_json_model(model, "m")["learner"]["attributes"]

    assert kept == {"best_iteration": "19", "best_ntree_limit": "20"}


def test_refuses_an_objective_it_does_not_convert_naming_it() -> None:
    poisson = committed_case("1.3.3", "poisson").legacy_file.read_bytes()
    with pytest.raises(
        ModelLoadError,
        match=r"^model.xgb has the objective 'count:poisson' \(written by XGBoost 1.3\): "
        r"psystock converts binary:logistic, multi:softmax, multi:softprob, reg:linear, "
        r"reg:squarederror; load it with that XGBoost and save it with "
        r"save_model\('model.ubj'\)$",
    ):
        to_json_model(read_legacy_booster(poisson, "model.xgb"), "model.xgb")


def test_refuses_multi_target_models() -> None:
    with pytest.raises(
        ModelLoadError, match=r"^m has 2 targets: only single-target models are supported$"
    ):
        to_json_model(dataclasses.replace(book(), num_target=2), "m")


def test_refuses_vector_leaves() -> None:
    model = book()
    trees = (dataclasses.replace(model.trees[0], size_leaf_vector=3), *model.trees[1:])
    with pytest.raises(
        ModelLoadError,
        match=r"^m: tree 0 has vector leaves of size 3: only scalar leaves are supported$",
    ):
        to_json_model(dataclasses.replace(model, trees=trees), "m")


def test_refuses_tree_info_that_does_not_match_the_trees() -> None:
    model = book()
    with pytest.raises(
        ModelLoadError, match=r"^m: expected one tree_info entry per tree \(20\), got 19$"
    ):
        to_json_model(dataclasses.replace(model, tree_info=model.tree_info[1:]), "m")
    with pytest.raises(
        ModelLoadError,
        match=r"^m: tree_info names output group 2, expected 0..0 for 1 output groups$",
    ):
        to_json_model(dataclasses.replace(model, tree_info=(2,) * 20), "m")


@pytest.mark.parametrize(
    ("saved", "message"),
    [
        ("{not json", r"^m: the attribute 'objective' is not JSON \(Expecting .* at 1\)$"),
        (
            '{"name": "reg:squarederror"}',
            r"^m: the attribute 'objective' describes '\{\"name\": \"reg:squarederror\"\}', "
            r"expected the configuration of binary:logistic$",
        ),
    ],
)
def test_refuses_an_objective_attribute_that_contradicts_the_file(saved: str, message: str) -> None:
    model = dataclasses.replace(book(), attributes={"objective": saved})
    with pytest.raises(ModelLoadError, match=message):
        to_json_model(model, "m")
