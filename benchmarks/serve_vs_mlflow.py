"""psystock serve beside KServe and mlflow models serve, one worker each, in one run.

Run: ``.venv/bin/python benchmarks/serve_vs_mlflow.py [--duration 10] [--connections 8,64]``

Starts a private registry with psystock's own CLI (SQLite, temporary directory, webhooks to
local http allowed), trains and promotes the PsyStock model (real BTC-USD prices from
../shared/data when present), then, one server at a time:

- ``mlflow models serve --env-manager local -w 1`` (``POST /invocations``);
- KServe's Python SDK, one worker, in its own venv under ``benchmarks/.work`` (V1
  ``POST /v1/models/psystock:predict``; see ``_kserve.py``);
- ``psystock serve --workers 1``: ``POST /invocations`` and the V2 route
  ``POST /v2/models/NAME/infer``;
- psystock serve beside the same app under uvicorn's stock httptools protocol, both running
  and loaded in turn (A B A B A B), to price psystock's guarded protocol (header size and time
  limits, body timeout, drain).

Each is loaded with wrk (one-row JSON, every answer must be a 2xx) at each connection count,
after a warm-up; its cold start (process start to the first 200 on its readiness route) and
peak RSS (VmHWM of its process group) are recorded. Then the rollout latency: under wrk load,
the time from ``set_registered_model_alias`` to the first /health answer naming the new
version, with the registry webhook and with polling only; and psystock's cold start and RSS
with a ``sqlite:///`` tracking URI beside the HTTP registry's. Prints a table, the machine load,
and each ratio against its target.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

if __package__ in (None, ""):  # run as a script: make `benchmarks` and `psystock` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._kserve import (
    PREDICT_PATH,
    READY_PATH,
    booster_file,
    kserve_command,
    kserve_python,
)
from benchmarks._serve_load import (
    BOOK_BODY,
    KSERVE_V1_BODY,
    V2_BODY,
    LoadResult,
    machine_load,
    peak_rss_mb,
    require_wrk,
    run_wrk,
    start_and_time,
    stop_process_group,
    wrk_script,
)
from benchmarks._setup import MODEL_NAME, environment, free_port, private_registry, register_model

REFERENCE = f"models:/{MODEL_NAME}@production"
TARGET_VS_KSERVE = 4.0
TARGET_VS_MLFLOW = 30.0
TARGET_V2_SHARE = 0.9
TARGET_COLD_S = 1.5
TARGET_RSS_MB = 150.0
TARGET_ROLLOUT_S = 2.0
ROLLOUTS = 3
WEBHOOK_ENVIRONMENT = {
    # What a registry needs so that psystock serve can subscribe (README, "Rollout").
    "MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https",
    "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS": "true",
    "MLFLOW_WEBHOOK_CACHE_TTL": "1",
}
STOCK_PROTOCOL_SERVER = """
import uvicorn
from psystock.logging import configure_logging
from psystock.serving import create_app
from psystock.settings import load_settings

settings = load_settings()
configure_logging(settings.log_level)
app = create_app(settings)
uvicorn.Server(uvicorn.Config(
    app, host=settings.serving.host, port=settings.serving.port, http="httptools",
    loop="auto", ws="none", lifespan="on", log_config=None, access_log=False,
)).run()
"""


@dataclass
class Served:
    """One server's figures."""

    name: str
    cold_s: float
    rss_mb: float
    runs: dict[str, list[LoadResult]] = field(default_factory=dict)


def psystock_command(port: int, *extra: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "psystock"), "serve", "--model", REFERENCE,
        "--workers", "1", "--host", "127.0.0.1", "--port", str(port), *extra,
    ]  # fmt: skip


def bench_server(
    name: str,
    command: list[str],
    env: dict[str, str],
    routes: dict[str, tuple[str, str]],
    args: argparse.Namespace,
    root: Path,
    ready_path: str = "/ping",
) -> Served:
    """Start ``command``, load each of ``routes`` (label -> path, body) with wrk, stop it.

    With several routes, they are loaded in turn (A B A B A B) at each connection count and
    the run with the median requests/s of each is kept, so that a change of the machine's
    load hits every route alike.
    """
    wrk = require_wrk()
    flag = next(flag for flag in ("--http_port", "--port", "-p") if flag in command)
    url = f"http://127.0.0.1:{command[command.index(flag) + 1]}"
    log = root / f"{re.sub(r'[^A-Za-z0-9]+', '-', name)}.log"
    print(f"\n== {name}: starting (load {machine_load()})", flush=True)
    process, cold_s = start_and_time(command, env, url, log, ready_path=ready_path)
    rounds = 3 if len(routes) > 1 else 1
    try:
        served = Served(name, cold_s, peak_rss_mb(process.pid))
        scripts = {}
        for label, (path, body) in routes.items():
            scripts[label] = root / f"{re.sub(r'[^A-Za-z0-9]+', '-', label)}.lua"
            scripts[label].write_text(wrk_script(body))
            check = httpx.post(
                f"{url}{path}", content=body, headers={"Content-Type": "application/json"}
            )
            if check.status_code != 200:
                raise SystemExit(f"{name} {path} answered {check.status_code}: {check.text}")
            run_wrk(wrk, url, 8, 2, scripts[label], path)  # warm-up
            served.runs[label] = []
        for connections in args.connections:
            samples: dict[str, list[LoadResult]] = {label: [] for label in routes}
            for _ in range(rounds):
                for label, (path, _body) in routes.items():
                    result = run_wrk(wrk, url, connections, args.duration, scripts[label], path)
                    print(
                        f"   {label:<14} c={connections:<3} {result.requests_per_s:8.0f} req/s"
                        f"  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:7.2f} ms"
                        f"  non-2xx {result.non_2xx}  errors {result.errors}"
                        f"  (load {machine_load()})",
                        flush=True,
                    )
                    if result.non_2xx or result.errors:
                        raise SystemExit(f"{name} answered {result.non_2xx} non-2xx; see {log}")
                    samples[label].append(result)
            for label, results in samples.items():
                ranked = sorted(results, key=lambda result: result.requests_per_s)
                served.runs[label].append(ranked[len(ranked) // 2])
        served.rss_mb = peak_rss_mb(process.pid)
        print(f"   cold start {cold_s:.2f} s, peak RSS {served.rss_mb:.0f} MB", flush=True)
        return served
    finally:
        stop_process_group(process)


def rollout_latencies(
    name: str, command: list[str], env: dict[str, str], tracking_uri: str, root: Path
) -> list[float]:
    """Seconds from ``set_registered_model_alias`` to /health naming the new version, under
    wrk load (8 connections on /invocations), ``ROLLOUTS`` times."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri)
    url = f"http://127.0.0.1:{command[command.index('--port') + 1]}"
    log = root / f"rollout-{re.sub(r'[^A-Za-z0-9]+', '-', name)}.log"
    print(f"\n== rollout, {name} (load {machine_load()})", flush=True)
    process, _ = start_and_time(command, env, url, log)
    script = root / "rollout.lua"
    script.write_text(wrk_script(BOOK_BODY))
    load = subprocess.Popen(
        [require_wrk(), "-t1", "-c8", "-d600s", "-s", str(script), f"{url}/invocations"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    latencies = []
    try:
        time.sleep(2)
        with httpx.Client(base_url=url, timeout=5) as api:
            for _ in range(ROLLOUTS):
                current = client.get_model_version_by_alias(MODEL_NAME, "production")
                source = str(current.source)
                model_id = (
                    source.removeprefix("models:/") if source.startswith("models:/m-") else None
                )
                new = client.create_model_version(
                    MODEL_NAME, source, current.run_id, model_id=model_id
                )
                _wait_ready(client, new.version)
                time.sleep(1.0)  # let any poll in flight settle
                started = time.perf_counter()
                client.set_registered_model_alias(MODEL_NAME, "production", new.version)
                while api.get("/health").json().get("version") != new.version:
                    if time.perf_counter() - started > 60:
                        raise SystemExit(f"{name}: version {new.version} not served in 60 s")
                    time.sleep(0.005)
                latencies.append(time.perf_counter() - started)
                print(f"   version {new.version} served after {latencies[-1]:.2f} s", flush=True)
    finally:
        load.terminate()
        output = load.communicate()[0]
        stop_process_group(process)
    if "Non-2xx" in output:
        raise SystemExit(f"{name}: non-2xx answers during the rollouts:\n{output}")
    return latencies


def _wait_ready(client: object, version: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = client.get_model_version(MODEL_NAME, version).status  # type: ignore[attr-defined]
        if status == "READY":
            return
        time.sleep(0.1)
    raise SystemExit(f"model version {version} not READY in {timeout_s} s")


def sqlite_registry(root: Path) -> dict[str, str]:
    """A registry read straight from a SQLite file (no server), PsyStock in Production."""
    home = root / "sqlite-home"
    home.mkdir()
    env = environment(home, free_port())
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{home / 'mlflow.db'}"
    cwd = Path.cwd()
    os.chdir(home)  # MLflow's default artifact root, ./mlruns, lands in the home
    try:
        register_model(env)
    finally:
        os.chdir(cwd)
    return env


def served_model_dir(tracking_uri: str, home: Path) -> Path:
    """The model directory psystock serves (from its cache), for KServe to load."""
    from psystock.scoring import ScoringRuntime
    from psystock.settings import load_settings

    runtime = ScoringRuntime(load_settings(home=home, tracking_uri=tracking_uri))
    return runtime.fetch(runtime.resolve(REFERENCE))


def protocol_cost(
    env: dict[str, str], args: argparse.Namespace, root: Path, rounds: int = 3
) -> dict[int, tuple[float, float]]:
    """Requests/s of psystock serve (guarded protocol) and of the same app under uvicorn's stock
    httptools protocol, both running, loaded in turn ``rounds`` times (A B A B ...) so that a
    change of the machine's load hits both alike. Returns connections -> (guarded, stock)
    medians."""
    wrk = require_wrk()
    guarded_port, stock_port = free_port(), free_port()
    stock_env = {
        **env,
        "PSYSTOCK_SCORING__MODEL_URI": REFERENCE,
        "PSYSTOCK_SERVING__PORT": str(stock_port),
        "PSYSTOCK_SERVING__WEBHOOK": "false",
    }
    print(f"\n== protocol cost: guarded vs stock, in turn (load {machine_load()})", flush=True)
    guarded, _ = start_and_time(
        psystock_command(guarded_port, "--no-webhook"),
        env,
        f"http://127.0.0.1:{guarded_port}",
        root / "protocol-guarded.log",
    )
    try:
        stock, _ = start_and_time(
            [sys.executable, "-c", STOCK_PROTOCOL_SERVER],
            stock_env,
            f"http://127.0.0.1:{stock_port}",
            root / "protocol-stock.log",
        )
    except BaseException:
        stop_process_group(guarded)
        raise
    script = root / "protocol.lua"
    script.write_text(wrk_script(BOOK_BODY))
    figures: dict[int, tuple[float, float]] = {}
    try:
        for port in (guarded_port, stock_port):
            run_wrk(wrk, f"http://127.0.0.1:{port}", 8, 2, script)  # warm-up
        for connections in args.connections:
            samples: dict[int, list[float]] = {guarded_port: [], stock_port: []}
            for _ in range(rounds):
                for port in (guarded_port, stock_port):
                    url = f"http://127.0.0.1:{port}"
                    result = run_wrk(wrk, url, connections, args.duration, script)
                    if result.non_2xx or result.errors:
                        raise SystemExit(f"{url} answered {result.non_2xx} non-2xx")
                    samples[port].append(result.requests_per_s)
            figures[connections] = (
                statistics.median(samples[guarded_port]),
                statistics.median(samples[stock_port]),
            )
            print(
                f"   c={connections:<3} guarded {samples[guarded_port]} req/s,"
                f" stock {samples[stock_port]} req/s (load {machine_load()})",
                flush=True,
            )
    finally:
        stop_process_group(stock)
        stop_process_group(guarded)
    return figures


def report(
    servers: dict[str, Served],
    rollouts: dict[str, list[float]],
    protocol: dict[int, tuple[float, float]],
) -> dict[str, object]:
    print(f"\nmachine load when done: {machine_load()} (2 cores, shared: figures are noisy)")
    print(
        "\n| server | route | connections | req/s | p50 ms | p99 ms | cold start s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for served in servers.values():
        for label, runs in served.runs.items():
            for run in runs:
                print(
                    f"| {served.name} | {label} | {run.connections} | {run.requests_per_s:.0f}"
                    f" | {run.p50_ms:.2f} | {run.p99_ms:.2f} | {served.cold_s:.2f}"
                    f" | {served.rss_mb:.0f} |"
                )
    ours = servers["psystock"].runs
    checks: dict[str, tuple[float, float, bool]] = {}
    for index, connections in enumerate(run.connections for run in ours["/invocations"]):
        invocations = ours["/invocations"][index].requests_per_s
        kserve = servers["kserve"].runs["V1 predict"][index].requests_per_s
        mlflow = servers["mlflow"].runs["/invocations"][index].requests_per_s
        v2 = ours["V2 infer"][index].requests_per_s
        guarded, stock = protocol[connections]
        for label, value, target in (
            ("/invocations vs KServe V1", invocations / kserve, TARGET_VS_KSERVE),
            ("/invocations vs mlflow models serve", invocations / mlflow, TARGET_VS_MLFLOW),
            ("V2 share of /invocations", v2 / invocations, TARGET_V2_SHARE),
            ("guarded protocol vs uvicorn's stock one (A/B)", guarded / stock, 0.0),
        ):
            checks[f"c={connections} {label}"] = (value, target, value >= target)
    for name in ("psystock", "psystock sqlite"):
        served = servers[name]
        checks[f"{name}: cold start s"] = (served.cold_s, TARGET_COLD_S, served.cold_s < 1.5)
        checks[f"{name}: peak RSS MB"] = (served.rss_mb, TARGET_RSS_MB, served.rss_mb < 150)
    for name, latencies in rollouts.items():
        median = statistics.median(latencies)
        target = TARGET_ROLLOUT_S if name == "webhook" else float("inf")
        checks[f"rollout by {name}: median s (max {max(latencies):.2f})"] = (
            median,
            target,
            median <= target,
        )
    print()
    for label, (value, target, passed) in checks.items():
        wanted = f"target {target:g}" if target and target != float("inf") else "measured"
        print(f"{label}: {value:.2f} ({wanted}) {'ok' if passed else 'NOT MET'}")
    met = all(passed for _, _, passed in checks.values())
    print("targets met" if met else "SOME TARGETS NOT MET (is the machine busy?)")
    return {label: {"value": v, "target": t, "met": p} for label, (v, t, p) in checks.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument(
        "--connections",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[8, 64],
        help="comma-separated connection counts",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    require_wrk()
    kserve_python()
    print(f"machine load at start: {machine_load()}")
    os.environ.update(WEBHOOK_ENVIRONMENT)  # the registry server inherits them
    with tempfile.TemporaryDirectory(prefix="psystock-bench-") as tmp:
        root = Path(tmp)
        with private_registry(root / "registry-home") as (registry_env, origin):
            tracking_uri = registry_env["MLFLOW_TRACKING_URI"]
            print(f"registry {tracking_uri}; trained on {origin}")
            env = {
                "MLFLOW_TRACKING_URI": tracking_uri,
                "PSYSTOCK_HOME": str(root / "home"),
                "PSYSTOCK_LOG_LEVEL": "WARNING",
                # mlflow models serve runs `uvicorn` from PATH: the venv's own.
                "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            }
            port = free_port()
            booster = booster_file(served_model_dir(tracking_uri, root / "kserve-home"))
            invocations = {"/invocations": ("/invocations", BOOK_BODY)}
            bin_dir = Path(sys.executable).parent
            mlflow_serve = [
                str(bin_dir / "mlflow"), "models", "serve", "-m", REFERENCE,
                "--env-manager", "local", "-w", "1", "-h", "127.0.0.1", "-p", str(port),
            ]  # fmt: skip
            v2 = {"V2 infer": (f"/v2/models/{MODEL_NAME}/infer", V2_BODY)}
            kserve_env = {**env, "PSYSTOCK_BENCH_BOOSTER": str(booster)}
            kserve_route = {"V1 predict": (PREDICT_PATH, KSERVE_V1_BODY)}
            servers = {
                "mlflow": bench_server(
                    "mlflow models serve", mlflow_serve, env, invocations, args, root
                ),
                "kserve": bench_server(
                    "KServe (Python SDK)", kserve_command(port, root), kserve_env, kserve_route,
                    args, root, ready_path=READY_PATH,
                ),
                "psystock": bench_server(
                    "psystock serve", psystock_command(port), env, {**invocations, **v2}, args, root
                ),
            }  # fmt: skip
            sqlite_env = {
                **env,
                "MLFLOW_TRACKING_URI": sqlite_registry(root)["MLFLOW_TRACKING_URI"],
                "PSYSTOCK_HOME": str(root / "sqlite-serve-home"),
            }
            servers["psystock sqlite"] = bench_server(
                "psystock serve, sqlite:/// registry",
                psystock_command(port, "--no-webhook"), sqlite_env, {}, args, root,
            )  # fmt: skip
            protocol = protocol_cost(env, args, root)
            rollouts = {
                "webhook": rollout_latencies(
                    "webhook", psystock_command(port), env, tracking_uri, root
                ),
                "polling every 5 s": rollout_latencies(
                    "polling", psystock_command(port, "--no-webhook"), env, tracking_uri, root
                ),
            }
        summary = report(servers, rollouts, protocol)
        if args.json:
            figures = {
                name: {
                    "cold_start_s": served.cold_s,
                    "peak_rss_mb": served.rss_mb,
                    "runs": {label: [vars(r) for r in runs] for label, runs in served.runs.items()},
                }
                for name, served in servers.items()
            }
            args.json.write_text(
                json.dumps({**figures, "rollouts": rollouts, "summary": summary}, indent=2)
            )


if __name__ == "__main__":
    main()
