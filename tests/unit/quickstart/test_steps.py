from pathlib import Path

import pytest

from psystock.errors import RegistryError
from psystock.quickstart import QuickstartOptions, QuickstartRun
from psystock.quickstart.steps import start_registry
from psystock.settings import Settings
from tests.conftest import free_port


def test_an_explicit_registry_that_does_not_answer_stops_the_quickstart_first(
    tmp_path: Path,
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    said: list[str] = []
    run = QuickstartRun(
        Settings(home=tmp_path, tracking_uri=dead), QuickstartOptions(), said.append
    )

    with pytest.raises(
        RegistryError,
        match=rf"^the registry {dead} does not answer: start the local one with "
        r"`psystock registry up`, or set MLFLOW_TRACKING_URI$",
    ):
        start_registry(run)

    assert said == []
    assert run.registry is None


def test_the_import_graph_of_the_quickstart_has_no_circle() -> None:
    import ast

    package = Path(__file__).resolve().parents[3] / "src" / "psystock" / "quickstart"
    imports = {
        module.stem: {
            node.module.rsplit(".", 1)[-1]
            for node in ast.walk(ast.parse(module.read_text()))
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("psystock.quickstart.")
        }
        for module in package.glob("*.py")
    }

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            step == target or (step not in seen and reaches(step, target, seen | {step}))
            for step in imports.get(start, set())
        )

    assert imports["pipeline"] >= {"run", "steps", "scoring"}
    assert not [name for name in imports if name != "__init__" and reaches(name, name)]
