import pytest

from psystock import __version__
from psystock.deploy.docker import platform_tags
from psystock.deploy.docker.wheelhouse import requirement, source_tree
from psystock.errors import DockerError
from tests.conftest import REPO_ROOT


def test_platform_tags_cover_every_older_glibc_and_the_legacy_aliases() -> None:
    tags = platform_tags("manylinux_2_28_x86_64")
    assert tags[:2] == ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64"]
    assert "manylinux_2_17_x86_64" in tags
    assert tags[-3:] == ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    assert len(tags) == 24 + 3


def test_platform_tags_refuse_what_is_not_a_manylinux_platform() -> None:
    with pytest.raises(
        DockerError, match=r"^platform 'linux_x86_64': expected manylinux_2_GLIBC_ARCH$"
    ):
        platform_tags("linux_x86_64")


def test_requirement_pins_this_version_with_sorted_extras() -> None:
    assert requirement(()) == f"psystock=={__version__}"
    assert requirement(("mlflow", "batch", "mlflow")) == f"psystock[batch,mlflow]=={__version__}"


def test_source_tree_is_this_checkout_in_development() -> None:
    assert source_tree() == REPO_ROOT
