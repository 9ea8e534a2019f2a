"""``psystock quickstart`` as a user runs it: the real executable, a fresh home, a free port.

Each test has a home of its own. In the first, the quickstart starts the registry, trains on a
BTC-USD file and promotes version 1. In the second, a registry already runs (``registry up``):
the quickstart reuses it, finds Yahoo Finance unreachable (a dead proxy makes that certain
with or without internet), falls back to synthetic prices, serves until Ctrl-C and stops the
registry.
"""

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import MODEL_NAME, free_port

PSYSTOCK = Path(sys.executable).parent / "psystock"
RUN_TIMEOUT_S = 240


@dataclass(frozen=True)
class ServedQuickstart:
    """A foreground quickstart run: its exit, output, and what its curl command answered."""

    returncode: int
    stdout: str
    stderr: str
    curl_answer: str


@dataclass(frozen=True)
class Sandbox:
    """A psystock home and registry port of its own."""

    home: Path
    port: int
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_quickstart(self, *args: str) -> ServedQuickstart:
        """Run the quickstart in the foreground, call its curl command, then press Ctrl-C."""
        process = subprocess.Popen(
            [str(PSYSTOCK), "quickstart", *args],
            env=self.env,
            cwd=self.home.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        lines: list[str] = []
        try:
            for line in process.stdout:
                lines.append(line)
                if line.startswith("Serving the API at"):
                    break
            summary = summary_of("".join(lines))
            assert "Try it" in summary, "".join(lines) + (
                process.stderr.read() if process.stderr else ""
            )
            at = next(i for i, line in enumerate(lines) if line.startswith("  Try it:"))
            curl = summary["Try it"] + "\n" + lines[at + 1].strip()
            answer = subprocess.run(
                ["bash", "-c", curl], capture_output=True, text=True, timeout=30, check=True
            ).stdout
            process.send_signal(signal.SIGINT)
            rest, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        return ServedQuickstart(process.returncode, "".join(lines) + rest, err, answer)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PSYSTOCK), *args],
            env=self.env,
            cwd=self.home.parent,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    root = tmp_path
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PSYSTOCK_", "MLFLOW_"))
    }
    env |= {
        "PSYSTOCK_HOME": str(root / "home"),
        "PSYSTOCK_REGISTRY__PORT": str(port),
        "MLFLOW_DISABLE_TELEMETRY": "true",
        "DO_NOT_TRACK": "true",
    }
    box = Sandbox(home=root / "home", port=port, env=env)
    yield box
    box.run("registry", "down")  # whatever a test started or left running


@pytest.fixture
def running_registry(sandbox: Sandbox) -> Sandbox:
    """The sandbox with its registry started by ``psystock registry up``."""
    up = sandbox.run("registry", "up")
    assert up.returncode == 0, up.stderr
    return sandbox


def summary_of(stdout: str) -> dict[str, str]:
    """The ``  Label: text`` lines after ``PsyStock quickstart: done.``."""
    _, _, tail = stdout.partition("PsyStock quickstart: done.\n")
    lines = (re.fullmatch(r"  ([^:]+):\s+(.*)", line) for line in tail.splitlines())
    return {match.group(1): match.group(2) for match in lines if match}


def test_quickstart_on_a_price_file_starts_the_registry_and_ends_with_version_1_in_production(
    sandbox: Sandbox, btc_csv: Path
) -> None:
    from mlflow import MlflowClient

    done = sandbox.run("quickstart", "--source", "csv", str(btc_csv), "--no-serve", "--port", "0")

    assert done.returncode == 0, done.stderr
    assert f"Registry: starting the local MLflow registry on 127.0.0.1:{sandbox.port}..." in (
        done.stdout
    )
    summary = summary_of(done.stdout)
    assert summary["MLflow UI"] == f"{sandbox.url}/#/models/{MODEL_NAME}"
    assert summary["Data"] == (
        f"3,484 days of BTC-USD prices from csv:{btc_csv.resolve()}, 2014-09-17 to 2024-03-31 "
        f"(0 rows with missing values dropped) -> {sandbox.home / 'data' / 'prices.csv'}"
    )
    assert re.fullmatch(rf"\w{{32}}  {re.escape(sandbox.url)}/#/experiments/\d+/runs/\w{{32}}",
                        summary["Run"])  # fmt: skip
    assert re.fullmatch(
        r"accuracy 0\.\d{3}, f1 0\.\d{3}, roc_auc 0\.\d{3}, mcc -?0\.\d{3}",
        summary["Test metrics"],
    )
    assert summary["Model"] == f"{MODEL_NAME} version 1: stage Production, alias production"
    assert re.fullmatch(
        r"200 rows scored by version 1 \(\d+% predicted up\) -> "
        + re.escape(str(sandbox.home / "batch" / "output.csv")),
        summary["Batch job"],
    )
    assert summary["API"].startswith("answered, then stopped (--no-serve); `psystock serve`")
    assert "Try it" not in summary  # no curl command that could not work
    assert summary["Registry"] == (
        f"running at {sandbox.url}; stop it with `psystock --home {sandbox.home} registry down`"
    )
    client = MlflowClient(sandbox.url)
    version = client.get_model_version_by_alias(MODEL_NAME, "production")
    assert (version.version, version.current_stage) == ("1", "Production")
    assert version.tags["data_source"] == f"csv:{btc_csv.resolve()}"
    assert summary["Run"].startswith(str(version.run_id))


def test_quickstart_reuses_a_running_registry_falls_back_to_synthetic_serves_and_stops(
    running_registry: Sandbox,
) -> None:
    from mlflow import MlflowClient

    sandbox = running_registry
    assert httpx.get(f"{sandbox.url}/health", timeout=5).status_code == 200
    env = {**sandbox.env, "PSYSTOCK_DATA__YAHOO_PROXY": f"http://127.0.0.1:{free_port()}"}
    offline = Sandbox(home=sandbox.home, port=sandbox.port, env=env)

    api_port = free_port()
    done = offline.serve_quickstart("--stop-registry", "--port", str(api_port))

    assert done.returncode == 0, done.stderr
    summary = summary_of(done.stdout)
    assert summary["API"] == (
        f"http://127.0.0.1:{api_port}  (docs http://127.0.0.1:{api_port}/docs, "
        f"metrics http://127.0.0.1:{api_port}/metrics)"
    )
    assert re.fullmatch(r'\{"predictions":\[0\.\d+\]\}', done.curl_answer)
    assert done.stdout.rstrip().endswith("API stopped.\nRegistry stopped.")
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"Registry: reusing the registry already running at {sandbox.url} "
        f"(backend sqlite:///{sandbox.home / 'mlflow.db'})."
    )
    assert lines[1].startswith("Data: cannot fetch BTC-USD from Yahoo Finance: ConnectionError:")
    assert lines[2] == "Data: falling back to SYNTHETIC prices (generated, not market data)."
    summary = summary_of(done.stdout)
    assert summary["Data"].startswith(
        "1,500 days of BTC-USD SYNTHETIC prices (not market data) from synthetic(seed=42), "
        "2014-09-17 to 2018-10-25"
    )
    assert summary["Model"] == (
        f"{MODEL_NAME} version 1: stage Production, alias production (trained on SYNTHETIC prices)"
    )
    assert summary["Registry"] == (
        "stopped when the API stops (start it again with "
        f"`psystock --home {sandbox.home} registry up`)"
    )
    assert "the loaded model keeps serving" not in done.stderr  # the registry outlived the API
    assert "could not remove registry webhook" not in done.stderr
    with pytest.raises(httpx.ConnectError, match="Connection refused"):
        httpx.get(f"{sandbox.url}/health", timeout=5)
    # The registry is down; its SQLite store still says what the run left behind.
    client = MlflowClient(f"sqlite:///{sandbox.home / 'mlflow.db'}")
    versions = {str(v.version): v for v in client.search_model_versions(f"name = '{MODEL_NAME}'")}
    assert [(number, v.current_stage) for number, v in versions.items()] == [("1", "Production")]
    assert versions["1"].tags["data_source"] == "synthetic(seed=42)"
    assert str(client.get_model_version_by_alias(MODEL_NAME, "production").version) == "1"
