import re
import sys
from importlib.metadata import packages_distributions, requires

import pytest

from psystock.errors import MissingExtraError
from psystock.extras import EXTRAS, is_installed, missing_extra, require_extra


def _requirements_of(extra: str) -> set[str]:
    """Distribution names the extra installs, following psystock[...] self-references."""
    names: set[str] = set()
    for requirement in requires("psystock") or []:
        match = re.match(r"([A-Za-z0-9_.-]+)(\[([^\]]+)\])?.*extra == \"([^\"]+)\"", requirement)
        if match is None or match.group(4) != extra:
            continue
        name, nested = match.group(1).lower(), match.group(3)
        if name == "psystock" and nested:
            for inner in nested.split(","):
                names |= _requirements_of(inner.strip())
        else:
            names.add(name)
    return names


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_every_module_of_an_extra_comes_from_a_distribution_that_extra_requires(
    extra: str,
) -> None:
    required = _requirements_of(extra)
    providers = packages_distributions()
    for module in EXTRAS[extra]:
        distributions = {name.lower() for name in providers[module]}
        assert distributions & required or module == "botocore", (extra, module, required)


def test_the_core_install_requires_no_library_of_an_extra() -> None:
    core = {
        re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower()  # type: ignore[union-attr]
        for r in requires("psystock") or []
        if "extra ==" not in r
    }
    assert core.isdisjoint({"mlflow", "pandas", "matplotlib", "scikit-learn"})


def test_require_extra_passes_when_everything_is_installed() -> None:
    require_extra("train", "psystock train")


def test_require_extra_names_the_extra_of_a_missing_library(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # an install without it looks like this
    assert not is_installed("matplotlib.figure")
    with pytest.raises(
        MissingExtraError,
        match=re.escape(
            "psystock batch score needs matplotlib, which is not installed: "
            "pip install 'psystock[batch]' (the batch extra)"
        ),
    ) as caught:
        require_extra("batch", "psystock batch score")
    assert caught.value.details == {"module": "matplotlib", "extra": "batch"}
    assert caught.value.http_status == 503


@pytest.mark.parametrize(
    ("module", "extra"),
    [
        ("mlflow.pyfunc", "mlflow"),
        ("matplotlib", "batch"),
        ("pandas.core.frame", "train"),
        ("sklearn", "train"),
        ("yfinance", "yahoo"),
        ("boto3", "aws"),
        ("psycopg2", "registry-server"),
    ],
)
def test_missing_extra_maps_a_module_to_the_extra_that_installs_it(module: str, extra: str) -> None:
    error = missing_extra(ModuleNotFoundError(f"No module named {module!r}", name=module), "it")
    assert error is not None
    assert error.message == (
        f"it needs {module.partition('.')[0]}, which is not installed: "
        f"pip install 'psystock[{extra}]' (the {extra} extra)"
    )


def test_missing_extra_ignores_modules_no_extra_installs() -> None:
    assert missing_extra(ModuleNotFoundError("No module named 'nope'", name="nope"), "it") is None
    assert missing_extra(ModuleNotFoundError("no name"), "it") is None
