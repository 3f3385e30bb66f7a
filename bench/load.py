"""Load benchmark: N desks and M kiosks against a Tresen server; latency percentiles and throughput.

::

    python bench/load.py [--server URL] [--desks 8] [--kiosks 2] [--duration 20]
                         [--db sqlite|postgres] [--kiosk-pause 0.01] [--desk-pause 0]
                         [--no-access-log] [--json FILE]

Without ``--server`` the benchmark starts its own server (``tresen server``) on a free port of
127.0.0.1 with a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL
database on 127.0.0.1:5432 with ``--db postgres``, dropped afterwards), after applying
``bench/bench_site.toml``. With ``--server`` that file must have been applied to the server's
database beforehand (``tresen admin apply bench/bench_site.toml --db URL``).

Every desk and every kiosk is its own process with its own ``requests.Session``, so the clients
do not share a GIL with each other; the server is a separate process anyway. Kiosks create
tickets (with a short pause between two); desks loop call-next -> start -> finish (with no pause
by default: a stress test, see bench/README.md). Each request
is timed wall-clock with ``time.perf_counter`` around the whole HTTP call, as a client sees it.
Only loopback traffic; every loop is bounded in time and count; the script stops by itself and
stops the server it started.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

if __package__ in (None, ""):  # run as a script: bench/ is not a package on the path then
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.ports import free_port
from tresen.health import wait_until_up

BENCH_DIR = Path(__file__).resolve().parent
SITE_FILE = BENCH_DIR / "bench_site.toml"
SITE = "bench"
API = "/api/v1"
#: What bench_site.toml provides: desks 1..8 with users desk1..desk8, kiosk tokens 1..8.
MAX_DESKS = 8
MAX_KIOSKS = 8
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
LANGUAGES = ("de", "en", "tr", "ar", "ru", "uk")
#: Upper bound of requests per worker, on top of the time bound.
MAX_REQUESTS_PER_WORKER = 1_000_000
REQUEST_TIMEOUT = 10.0
#: How long a desk waits before asking again when nobody waits for it.
EMPTY_QUEUE_PAUSE = 0.02
#: The aim stated in the issue.
AIM_OPERATION = "call-next"
AIM_P99_MS = 25.0

# Row names of the table, in this order.
OPERATIONS = (
    "create ticket",
    "call-next",
    "call-next (empty)",
    "start",
    "finish",
)


def desk_password(desk: int) -> str:
    return f"bench-desk-{desk}"


def kiosk_token(kiosk: int) -> str:
    return f"bench-kiosk-{kiosk}"


# Workers (one process each) ------------------------------------------------------------------


@dataclass
class WorkerResult:
    name: str
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0
    failure: str | None = None

    def record(self, operation: str, seconds: float) -> None:
        self.latencies.setdefault(operation, []).append(seconds)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


class Client:
    """A requests.Session with the bearer token; every change carries an Idempotency-Key."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base.rstrip("/") + API
        self.session = requests.Session()
        if token is not None:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: Any = None, idempotent: bool = True) -> requests.Response:
        headers = {"Idempotency-Key": str(uuid.uuid4())} if idempotent else None
        return self.session.post(
            self.base + path, json=body, headers=headers, timeout=REQUEST_TIMEOUT
        )

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=REQUEST_TIMEOUT)

    def timed_post(
        self, result: WorkerResult, operation: str, path: str, body: Any = None
    ) -> requests.Response | None:
        """POST and record its wall-clock time under ``operation``; None on a network error."""
        started = time.perf_counter()
        try:
            answer = self.post(path, body)
        except requests.RequestException as exc:
            result.error(f"{operation}: {type(exc).__name__}")
            return None
        result.record(operation, time.perf_counter() - started)
        return answer


def _check(answer: requests.Response, expected: int, what: str) -> None:
    if answer.status_code != expected:
        raise RuntimeError(f"{what}: HTTP {answer.status_code} {answer.text[:300]}")


def _desk_setup(base: str, desk: int) -> Client:
    login = Client(base).post(
        "/login", {"username": f"desk{desk}", "password": desk_password(desk)}, idempotent=False
    )
    _check(login, 200, f"login desk{desk}")
    client = Client(base, login.json()["token"])
    _check(
        client.post(f"/sites/{SITE}/desks/{desk}/sign-on", {"force": True}, idempotent=False),
        200,
        f"sign on at desk {desk}",
    )
    return client


def _think(mean: float) -> float:
    """A pause of random length with the given mean (exponential: independent people), so the
    clients do not march in lockstep and hit the server in bursts of ten."""
    return min(random.expovariate(1 / mean), 10 * mean)


def _desk_loop(
    client: Client, desk: int, deadline: float, pause: float, result: WorkerResult
) -> None:
    requests_made = 0
    while time.time() < deadline and requests_made < MAX_REQUESTS_PER_WORKER:
        # call-next: 200 with a ticket, or 204 when nobody waits for this desk
        started = time.perf_counter()
        try:
            answer = client.post(f"/sites/{SITE}/desks/{desk}/call-next")
        except requests.RequestException as exc:
            result.error(f"call-next: {type(exc).__name__}")
            time.sleep(EMPTY_QUEUE_PAUSE)
            continue
        elapsed = time.perf_counter() - started
        requests_made += 1
        if answer.status_code == 204:
            result.record("call-next (empty)", elapsed)
            time.sleep(max(EMPTY_QUEUE_PAUSE, pause))
            continue
        if answer.status_code != 200:
            result.error(f"call-next: HTTP {answer.status_code} {_code(answer)}")
            time.sleep(EMPTY_QUEUE_PAUSE)
            continue
        result.record("call-next", elapsed)
        ticket = answer.json()["id"]
        for operation, path, body in (
            ("start", f"/tickets/{ticket}/start", None),
            ("finish", f"/tickets/{ticket}/finish", {"outcome": "completed"}),
        ):
            answer_or_none = client.timed_post(result, operation, path, body)
            requests_made += 1
            if answer_or_none is None:
                break
            if answer_or_none.status_code != 200:
                result.error(
                    f"{operation}: HTTP {answer_or_none.status_code} {_code(answer_or_none)}"
                )
                break
        if pause > 0:
            time.sleep(_think(pause))


def _code(answer: requests.Response) -> str:
    try:
        return str(answer.json().get("code", ""))
    except ValueError:
        return ""


def _kiosk_setup(base: str, kiosk: int) -> tuple[Client, list[int]]:
    client = Client(base, kiosk_token(kiosk))
    answer = client.get(f"/sites/{SITE}/services")
    _check(answer, 200, f"services for kiosk {kiosk}")
    services = [s["id"] for s in answer.json() if s["prefix"] in ("A", "B", "C")]
    if not services:
        raise RuntimeError("the bench site has no services A, B, C")
    return client, services


def _kiosk_loop(
    client: Client,
    services: list[int],
    deadline: float,
    pause: float,
    rng: random.Random,
    result: WorkerResult,
) -> None:
    requests_made = 0
    while time.time() < deadline and requests_made < MAX_REQUESTS_PER_WORKER:
        body = {"service_id": rng.choice(services), "language": rng.choice(LANGUAGES)}
        answer = client.timed_post(result, "create ticket", f"/sites/{SITE}/tickets", body)
        requests_made += 1
        if answer is not None and answer.status_code != 201:
            result.error(f"create ticket: HTTP {answer.status_code} {_code(answer)}")
        if pause > 0:
            time.sleep(_think(pause))


def worker(
    kind: str,
    index: int,
    base: str,
    duration: float,
    pause: float,
    ready: Any,
    go: Any,
    start_time: Any,
    results: Any,
) -> None:
    """One desk or kiosk: set up, say ready, wait for the start, loop until the deadline."""
    result = WorkerResult(f"{kind}{index}")
    try:
        if kind == "desk":
            desk_client = _desk_setup(base, index)
        else:
            kiosk_client, services = _kiosk_setup(base, index)
        ready.put(result.name)
        if not go.wait(timeout=120):
            raise RuntimeError("the start signal never came")
        deadline = start_time.value + duration
        cpu_before = own_cpu_seconds()
        if kind == "desk":
            _desk_loop(desk_client, index, deadline, pause, result)
        else:
            _kiosk_loop(kiosk_client, services, deadline, pause, random.Random(index), result)
        result.cpu_seconds = own_cpu_seconds() - cpu_before
    except Exception as exc:  # reported by the parent; a worker never hangs it
        result.failure = f"{type(exc).__name__}: {exc}"
        with suppress(Exception):
            ready.put(result.name)
    results.put(result)


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


# The server under test ------------------------------------------------------------------------


def _tresen() -> list[str]:
    script = Path(sys.executable).with_name("tresen")
    if script.exists():
        return [str(script)]
    found = shutil.which("tresen")
    if found:
        return [found]
    return [sys.executable, "-m", "central_server.cli"]


# `tresen server` always logs every request (uvicorn's access log). To see what that costs, the
# benchmark can start the same app the same way with the access log switched off.
_NO_ACCESS_LOG = (
    "import logging, sys, uvicorn\n"
    "from central_server.app import create_app\n"
    "from central_server.config import ServerSettings\n"
    "from central_server.serve import tune_garbage_collection, uvicorn_config\n"
    "logging.basicConfig(level=logging.INFO)\n"
    "s = ServerSettings(db=sys.argv[1], port=int(sys.argv[2]))\n"
    "server = uvicorn.Server(uvicorn_config(create_app(s), s, access_log=False))\n"
    "tune_garbage_collection()\n"
    "server.run()\n"
)


@dataclass
class OwnServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


@contextmanager
def postgres_database(prefix: str = "tresen_bench") -> Iterator[str]:
    """A new, empty PostgreSQL database ``<prefix>_<random>`` on 127.0.0.1; dropped afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_SERVER_URL.format(name=name)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def apply_site_file(db_url: str) -> None:
    """Apply ``bench_site.toml`` to ``db_url`` (as ``tresen admin apply``); stop if it fails."""
    applied = subprocess.run(
        [*_tresen(), "admin", "apply", str(SITE_FILE), "--db", db_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if applied.returncode != 0:
        raise SystemExit(f"applying {SITE_FILE} failed:\n{applied.stdout}{applied.stderr}")


@contextmanager
def started_server(
    command: list[str], port: int, log_path: Path, timeout: float = 60
) -> Iterator[OwnServer]:
    """The server ``command`` (listening on ``port`` of 127.0.0.1) running, its output in
    ``log_path``; stopped afterwards, also after an error."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = OwnServer(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_up(server, timeout)
        yield server
    finally:
        _stop(process)


@contextmanager
def own_server(db_kind: str, access_log: bool, workdir: Path) -> Iterator[tuple[OwnServer, str]]:
    with postgres_database() if db_kind == "postgres" else _sqlite_database(workdir) as db_url:
        apply_site_file(db_url)
        port = free_port()
        command = (
            [*_tresen(), "server", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)]
            if access_log
            else [sys.executable, "-c", _NO_ACCESS_LOG, db_url, str(port)]
        )
        with started_server(command, port, workdir / "server.log") as server:
            yield server, db_url


@contextmanager
def _sqlite_database(workdir: Path) -> Iterator[str]:
    yield f"sqlite:///{workdir / 'bench.sqlite3'}"


def _wait_until_up(server: OwnServer, timeout: float = 60) -> None:
    if wait_until_up(server.url, timeout, server.process):
        return
    if server.process.poll() is not None:
        raise SystemExit(
            "the server stopped during start-up:\n"
            + server.log_path.read_text(errors="replace")[-3000:]
        )
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def process_cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def machine_busy_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU ticks of the whole machine so far, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    values = [int(v) for v in first[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


# Machine and database ------------------------------------------------------------------------


def cpu_model() -> str:
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def os_name() -> str:
    with suppress(OSError):
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return platform.platform()


def load_average() -> str:
    with suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "unknown"


def database_description(db_kind: str | None, db_url: str | None) -> str:
    if db_kind == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL)"
    if db_kind == "postgres":
        with suppress(Exception):
            import psycopg

            with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
                row = conn.execute("SHOW server_version").fetchone()
                host = urlsplit(db_url or "").hostname or "127.0.0.1"
                return f"PostgreSQL {row[0] if row else '?'} on {host}"
        return "PostgreSQL"
    return "unknown (server given with --server)"


# Figures -------------------------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(samples: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(samples)
    ms = [s * 1000 for s in ordered]
    return {
        "count": len(ms),
        "mean_ms": sum(ms) / len(ms) if ms else math.nan,
        "p50_ms": percentile(ms, 50),
        "p90_ms": percentile(ms, 90),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1] if ms else math.nan,
        "per_second": len(ms) / seconds if seconds > 0 else math.nan,
    }


def print_report(report: dict[str, Any]) -> None:
    info = report["machine"]
    setup = report["setup"]
    print()
    print(
        f"Tresen load benchmark: {setup['desks']} desks, {setup['kiosks']} kiosks, "
        f"{setup['measured_seconds']:.1f} s measured, pauses: kiosk {setup['kiosk_pause']} s, "
        f"desk {setup['desk_pause']} s; access log {'on' if setup['access_log'] else 'off'}"
    )
    print(f"machine:  {info['cores']} cores, {info['cpu']}, {info['os']}, Python {info['python']}")
    print(f"database: {info['database']}   server: {setup['server']}")
    print(
        f"load average before the run: {info['load_before']} (other work on the machine "
        "skews the figures)"
    )
    print()
    header = (
        f"{'operation':<20}{'count':>8}{'mean':>8}{'p50':>8}{'p90':>8}{'p99':>8}"
        f"{'max':>9}{'req/s':>9}"
    )
    print(header + "\n" + "-" * len(header) + "   (times in ms; p50 = median)")
    for name in [*OPERATIONS, "all requests"]:
        row = report["operations"].get(name)
        if not row or not row["count"]:
            continue
        print(
            f"{name:<20}{row['count']:>8}{row['mean_ms']:>8.1f}{row['p50_ms']:>8.1f}"
            f"{row['p90_ms']:>8.1f}{row['p99_ms']:>8.1f}{row['max_ms']:>9.1f}"
            f"{row['per_second']:>9.1f}"
        )
    print()
    served = report["operations"].get("finish", {}).get("count", 0)
    print(
        f"tickets created {report['operations'].get('create ticket', {}).get('count', 0)}, "
        f"served to the end {served} ({served / setup['measured_seconds']:.1f}/s), "
        f"still waiting at the end {report.get('waiting_at_end', '?')}"
    )
    cpu = report["cpu"]
    parts = []
    if cpu.get("server_ms_per_request") is not None:
        parts.append(
            f"server process {cpu['server_ms_per_request']:.2f} ms CPU per request "
            f"({cpu['server_cores']:.2f} cores)"
        )
    parts.append(
        f"clients {cpu['clients_ms_per_request']:.2f} ms CPU per request "
        f"({cpu['clients_cores']:.2f} cores)"
    )
    if cpu.get("machine_busy") is not None:
        parts.append(f"machine {cpu['machine_busy']:.0%} busy")
    print("CPU: " + "; ".join(parts))
    if report["errors"]:
        print("errors: " + ", ".join(f"{k} x{v}" for k, v in sorted(report["errors"].items())))
    aim = report["operations"].get(AIM_OPERATION)
    if aim and aim["count"]:
        verdict = "met" if aim["p99_ms"] < AIM_P99_MS else "MISSED"
        print(
            f"aim: {AIM_OPERATION} p99 under {AIM_P99_MS:.0f} ms: {verdict} "
            f"({aim['p99_ms']:.1f} ms)"
        )


def waiting_at_end(base: str) -> int | None:
    """How many tickets still wait (what every call-next had to look through at the end)."""
    with suppress(Exception):
        client = Client(base, kiosk_token(1))
        answer = client.get(f"/sites/{SITE}/services")
        if answer.status_code == 200:
            return sum(int(s["waiting"]) for s in answer.json())
    return None


# Running -------------------------------------------------------------------------------------


def run_load(base: str, args: argparse.Namespace, server_pid: int | None) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    start_time = ctx.Value("d", 0.0)
    roles = [("desk", i) for i in range(1, args.desks + 1)] + [
        ("kiosk", i) for i in range(1, args.kiosks + 1)
    ]
    processes = [
        ctx.Process(
            target=worker,
            name=f"{kind}{i}",
            daemon=True,
            args=(
                kind,
                i,
                base,
                args.duration,
                args.desk_pause if kind == "desk" else args.kiosk_pause,
                ready,
                go,
                start_time,
                results,
            ),
        )
        for kind, i in roles
    ]
    for process in processes:
        process.start()
    collected: list[WorkerResult] = []
    try:
        for _ in processes:
            ready.get(timeout=120)
        server_cpu_before = process_cpu_seconds(server_pid) if server_pid else None
        busy_before = machine_busy_ticks()
        start_time.value = time.time() + 0.2
        go.set()
        wall_start = start_time.value
        for _ in processes:
            collected.append(results.get(timeout=args.duration + 3 * REQUEST_TIMEOUT + 60))
        wall = time.time() - wall_start
        server_cpu_after = process_cpu_seconds(server_pid) if server_pid else None
        busy_after = machine_busy_ticks()
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
    failures = [f"{r.name}: {r.failure}" for r in collected if r.failure]
    if failures:
        raise SystemExit("workers failed:\n  " + "\n  ".join(failures))

    merged: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for result in collected:
        for operation, samples in result.latencies.items():
            merged.setdefault(operation, []).extend(samples)
        for what, count in result.errors.items():
            errors[what] = errors.get(what, 0) + count
    operations = {name: summarise(samples, wall) for name, samples in merged.items()}
    operations["all requests"] = summarise([s for v in merged.values() for s in v], wall)
    total = operations["all requests"]["count"] or 1
    client_cpu = sum(r.cpu_seconds for r in collected)
    cpu: dict[str, Any] = {
        "clients_ms_per_request": client_cpu * 1000 / total,
        "clients_cores": client_cpu / wall,
    }
    if server_cpu_before is not None and server_cpu_after is not None:
        server_cpu = server_cpu_after - server_cpu_before
        cpu["server_ms_per_request"] = server_cpu * 1000 / total
        cpu["server_cores"] = server_cpu / wall
    if busy_before and busy_after and busy_after[1] > busy_before[1]:
        cpu["machine_busy"] = (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
    return {"operations": operations, "errors": errors, "cpu": cpu, "wall": wall}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of the Tresen server: desks "
        "call, start and finish tickets while kiosks create them."
    )
    parser.add_argument(
        "--server",
        help="URL of a running server on this machine (its database "
        "must have bench/bench_site.toml applied); default: start one",
    )
    parser.add_argument(
        "--server-pid", type=int, help="with --server: its process id, to report its CPU time"
    )
    parser.add_argument("--desks", type=int, default=8, help="desks calling tickets (1-8)")
    parser.add_argument("--kiosks", type=int, default=2, help="kiosks creating tickets (1-8)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load (max 600)")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database of the server the benchmark starts",
    )
    parser.add_argument(
        "--kiosk-pause",
        type=float,
        default=0.01,
        help="seconds each kiosk waits between two tickets (default 0.01)",
    )
    parser.add_argument(
        "--desk-pause",
        type=float,
        default=0.0,
        help="seconds each desk waits after a finish (or an empty call-next) "
        "before the next call (default 0: as fast as the server answers)",
    )
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="start the server without uvicorn's access log, to see its cost",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.desks <= MAX_DESKS:
        parser.error(f"--desks must be between 1 and {MAX_DESKS} (desks in bench_site.toml)")
    if not 0 <= args.kiosks <= MAX_KIOSKS:
        parser.error(f"--kiosks must be between 0 and {MAX_KIOSKS} (tokens in bench_site.toml)")
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    for name in ("kiosk_pause", "desk_pause"):
        if not 0 <= getattr(args, name) <= 60:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 60 seconds")
    if args.server:
        host = urlsplit(args.server).hostname or ""
        if host not in ("localhost", "::1") and not host.startswith("127."):
            parser.error("--server must be on this machine (127.0.0.1, localhost or ::1)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine = {
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "os": os_name(),
        "python": platform.python_version(),
        "load_before": load_average(),
    }
    if args.server:
        base = args.server.rstrip("/")
        try:
            requests.get(base + "/healthz", timeout=5).raise_for_status()
        except requests.RequestException as exc:
            raise SystemExit(f"the server at {base} does not answer: {exc}") from None
        server_label = base
        machine["database"] = database_description(None, None)
        measured = run_load(base, args, args.server_pid)
        waiting = waiting_at_end(base)
    else:
        how = "uvicorn without access log" if args.no_access_log else "tresen server"
        print(f"starting a server ({how}) on a fresh {args.db} database ...", flush=True)
        with (
            tempfile.TemporaryDirectory(prefix="tresen-bench-") as tmp,
            own_server(args.db, not args.no_access_log, Path(tmp)) as (server, db_url),
        ):
            server_label = f"own ({how}) at {server.url}"
            machine["database"] = database_description(args.db, db_url)
            print(
                f"server up at {server.url}; {args.desks} desks and {args.kiosks} kiosks run "
                f"for {args.duration:.0f} s ...",
                flush=True,
            )
            measured = run_load(server.url, args, server.process.pid)
            waiting = waiting_at_end(server.url)
    report = {
        "machine": machine,
        "setup": {
            "desks": args.desks,
            "kiosks": args.kiosks,
            "duration": args.duration,
            "measured_seconds": measured["wall"],
            "kiosk_pause": args.kiosk_pause,
            "desk_pause": args.desk_pause,
            "access_log": not args.no_access_log,
            "server": server_label,
        },
        "operations": measured["operations"],
        "errors": measured["errors"],
        "cpu": measured["cpu"],
        "waiting_at_end": waiting,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
