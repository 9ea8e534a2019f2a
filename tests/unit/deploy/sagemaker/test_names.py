import pytest

from psystock.deploy.sagemaker.names import check_endpoint_name, resource_names, tags
from psystock.errors import InputError


@pytest.mark.parametrize("name", ["psystock", "a", "my-endpoint-2", "x" * 63])
def test_check_endpoint_name_accepts_what_sagemaker_accepts(name: str) -> None:
    assert check_endpoint_name(name) == name


@pytest.mark.parametrize("name", ["", "-a", "a-", "a_b", "a.b", "x" * 64])
def test_check_endpoint_name_refuses_the_rest(name: str) -> None:
    with pytest.raises(InputError, match=r"^invalid endpoint name .*: expected 1 to 63 letters"):
        check_endpoint_name(name)


def test_resource_names_fit_63_characters_and_differ_each_time() -> None:
    model, config = resource_names("e" * 63)
    assert len(model) <= 63
    assert len(config) <= 63
    assert model.removeprefix("e" * 48) != model
    assert resource_names("psystock") != resource_names("psystock")


def test_tags_name_the_endpoint_first() -> None:
    assert tags("psystock", **{"psystock:model-uri": "models:/m/1"}) == [
        {"Key": "psystock:endpoint", "Value": "psystock"},
        {"Key": "psystock:model-uri", "Value": "models:/m/1"},
    ]
