import pytest

from psystock.errors import SchemaError
from psystock.scoring.columns import plan_columns
from psystock.scoring.schema import ColumnSpec, InputSchema

INT_SCHEMA = InputSchema(tuple(ColumnSpec(i, "long") for i in range(14)))
STR_SCHEMA = InputSchema(tuple(ColumnSpec(f"f{i}", "double") for i in range(3)))


def test_plan_maps_a_headerless_row_by_position_onto_integer_names() -> None:
    plan = plan_columns(INT_SCHEMA, None, 14)
    assert plan.sources == tuple(range(14))
    assert plan.labels == tuple(range(14))
    assert plan.names == tuple(range(14))
    assert plan.types == ("long",) * 14


def test_plan_rejects_a_headerless_row_with_the_wrong_count() -> None:
    with pytest.raises(SchemaError, match=r"^row 1: expected 14 columns, got 13$"):
        plan_columns(INT_SCHEMA, None, 13)


def test_plan_matches_string_header_names_to_integer_names_in_any_order() -> None:
    given = tuple(str(i) for i in reversed(range(14)))
    plan = plan_columns(INT_SCHEMA, given, 14)
    assert plan.sources == tuple(reversed(range(14)))
    assert plan.labels == tuple(range(14))


def test_plan_ignores_extra_given_columns() -> None:
    plan = plan_columns(STR_SCHEMA, ("date", "f2", "f0", "f1"), 4)
    assert plan.sources == (2, 3, 1)
    assert plan.n_given == 4


def test_plan_names_missing_and_unknown_columns() -> None:
    given = tuple(f"f{i}" for i in range(14))
    with pytest.raises(
        SchemaError,
        match=r"^expected columns 0, 1, 2, .*, 13, got columns f0, f1, .*, f13$",
    ):
        plan_columns(INT_SCHEMA, given, 14)


def test_plan_names_the_one_missing_column_and_the_given_ones() -> None:
    with pytest.raises(SchemaError, match=r"^expected column f1, got columns f0, f2$"):
        plan_columns(STR_SCHEMA, ("f0", "f2"), 2)


def test_plan_rejects_duplicate_column_names() -> None:
    with pytest.raises(SchemaError, match=r"^expected unique column names, got column f0 twice$"):
        plan_columns(STR_SCHEMA, ("f0", "f1", "f0"), 3)


def test_plan_leaves_a_missing_optional_column_unfed() -> None:
    schema = InputSchema((ColumnSpec("a", "double"), ColumnSpec("b", "double", required=False)))
    plan = plan_columns(schema, ("a",), 1)
    assert plan.sources == (0, None)
    assert plan.required == (True, False)


def test_plan_without_signature_uses_the_model_feature_count() -> None:
    with pytest.raises(SchemaError, match=r"^row 1: expected 14 columns, got 2$"):
        plan_columns(None, ("a", "b"), 2, n_features=14)
    plan = plan_columns(None, None, 3)
    assert plan.labels == (0, 1, 2)
    assert plan.types == ("double",) * 3
    assert plan.names is None


def test_plan_with_a_header_on_a_positional_schema_maps_by_position_and_keeps_labels() -> None:
    schema = InputSchema(tuple(ColumnSpec(None, "float") for _ in range(2)), is_positional=True)
    plan = plan_columns(schema, ("x", "y"), 2)
    assert plan.sources == (0, 1)
    assert plan.labels == ("x", "y")
    assert plan.names is None


def test_plan_lists_at_most_twenty_names() -> None:
    schema = InputSchema(tuple(ColumnSpec(f"c{i}", "double") for i in range(25)))
    with pytest.raises(SchemaError, match=r"c19 and 5 more, got column x$"):
        plan_columns(schema, ("x",), 1)
