"""A simulated city day: 30 sites, 300 desks, 30 kiosks, 60 displays against Tresen servers.

::

    python bench/city.py [--db postgres|sqlite] [--processes 1|2] [--separate-processes]
                         [--minutes 5] [--scale 10] [--start-hour 8] [--hours 10]
                         [--sites 30] [--desks 10] [--faults] [--client-processes 1]
                         [--json FILE] [--write-site-files DIR]

Every site is ``resources/examples/kundenzentrum-mitte.toml`` (services, desks) with its opening
hours taken out (the compressed day runs whatever the wall clock says), one clerk per staffed
desk, one kiosk and two displays; the passwords and tokens are fixed throw-away values, for the
benchmark's own fresh database only. Arrivals per site follow an office day from 8 to 18 o'clock
with the morning peak (``HOURLY_SHARE``), ``--scale`` times a normal day's 150 tickets, and the
day (or the part of it from ``--start-hour`` for ``--hours``) runs in ``--minutes`` real
minutes: every time of the day (arrivals, a clerk's service time, a citizen's walk to the desk)
is divided by the same compression factor.

Clients behave as the real ones: a desk holds its event stream open and, on every event except
``ticket.case_updated`` and after each of its own actions, reads its queue and the site's
desks in one request, ``GET desks/{desk}/view`` (one read at a time; events that arrive
meanwhile cause one more read, as the clerk program does); a display holds
``/display/{site}/events`` open; a kiosk creates the site's tickets one at a time on the
arrival curve. Every change carries an ``Idempotency-Key``, kept
when it is sent again after a fault; streams reconnect with ``Last-Event-ID``.

It prints p50/p99 per operation, event delivery latency (the event's ``at`` to its arrival on
each stream), the servers' CPU time per request, errors; then consistency checks against the
database. The exit code is 1 when a check fails. Only loopback; every loop is bounded in time.
See bench/README.md, "Issue 12: a city day".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: bench/ is not a package on the path then
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import (
    _tresen,
    cpu_model,
    free_port,
    load_average,
    machine_busy_ticks,
    os_name,
    own_cpu_seconds,
    percentile,
    postgres_database,
    process_cpu_seconds,
)
from central_server.queue_rules import FINAL, QUEUED
from counter_app.core.live import Backoff, parse_sse
from tresen.health import wait_until_up

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SITE = ROOT / "resources" / "examples" / "kundenzentrum-mitte.toml"
API = "/api/v1"
#: The office day: opening hour, closing hour and each hour's share of the day's arrivals
#: (a morning peak from 9 to 11, a lull at lunch, a small afternoon rise, a quiet end).
OPENING_HOUR = 8
HOURLY_SHARE = (1.0, 1.6, 1.6, 1.3, 0.8, 0.7, 0.8, 0.8, 0.6, 0.4)
DAY_SECONDS = len(HOURLY_SHARE) * 3600
#: A normal day's tickets at a site of this size; --scale multiplies it.
NORMAL_DAY_TICKETS = 150
#: The staffed desks of the example (its front office); codes "1".."10".
MAX_DESKS = 10
MAX_SITES = 99
DISPLAYS_PER_SITE = 2
#: Which concerns citizens come for (prefix: share); pickup (P) comes through receipts only.
SERVICE_SHARE = {"A": 0.30, "B": 0.25, "F": 0.12, "D": 0.08, "K": 0.15, "C": 0.10}
LANGUAGES = ("de", "de", "de", "en", "tr", "ar", "ru", "uk")
#: How often a clerk does what (the rest: finish as completed or with another outcome).
P_NO_SHOW = 0.04
P_RECALL = 0.05
P_FORWARD = 0.05
P_PARK = 0.03
P_CASE_UPDATE = 0.5
#: How busy the desks are on average over the day (the service time follows from it).
DESK_UTILISATION = 0.8
#: Fixed throw-away credentials (fresh databases only).
CLERK_PASSWORD = "city-bench-clerk"
#: The desk's read timeout as in counter_app/core/api.py; a stream's as in core/live.py.
REQUEST_TIMEOUT = 15.0
STREAM_TIMEOUT = 30.0
#: How long a client keeps retrying one change across a fault before it counts an error.
RETRY_SECONDS = 60.0
#: Event types after which the clerk program reads nothing (counter_app/clerk/controller.py).
EVENTS_THAT_CHANGE_NO_VIEW = frozenset({"ticket.case_updated", "cases.purged"})
PG_BIN = Path("/usr/lib/postgresql/15/bin")

OPERATIONS = (
    "create ticket",
    "call-next",
    "call-next (empty)",
    "recall",
    "no-show",
    "start",
    "case update",
    "park",
    "resume",
    "transfer",
    "finish",
    "GET desk view",
    "GET display state",
)


def site_slug(site: int) -> str:
    return f"city-{site:02d}"


def clerk_name(site: int, desk: int) -> str:
    return f"city-{site:02d}-clerk-{desk}"


def kiosk_token(site: int) -> str:
    return f"city-{site:02d}-kiosk-token"


def display_token(site: int, display: int) -> str:
    return f"city-{site:02d}-display-{display}-token"


# The sites --------------------------------------------------------------------------------------


def site_data(site: int, desks: int) -> dict[str, Any]:
    """The example site as a city's site number ``site``, with throw-away credentials."""
    data = tomllib.loads(EXAMPLE_SITE.read_text(encoding="utf-8"))
    data["site"]["slug"] = site_slug(site)
    data["site"]["name"] = f"Kundenzentrum {site:02d}"
    for service in data["services"]:
        service.pop("hours", None)  # open around the clock: the day is simulated
    data["users"] = [
        {
            "username": clerk_name(site, desk),
            "display_name": f"Sachbearbeitung {site:02d}/{desk}",
            "roles": ["clerk"],
            "password": CLERK_PASSWORD,
        }
        for desk in range(1, desks + 1)
    ]
    data["devices"] = [
        {"name": "lobby-kiosk", "kind": "kiosk", "token": kiosk_token(site)},
        *(
            {"name": f"display-{n}", "kind": "display", "token": display_token(site, n)}
            for n in range(1, DISPLAYS_PER_SITE + 1)
        ),
    ]
    return data


def desk_services(data: dict[str, Any], desks: int) -> dict[str, list[str]]:
    """Staffed desk code -> the prefixes it serves (the example's front office)."""
    front = [d for d in data["desks"] if d.get("kind", "front_office") == "front_office"]
    return {d["code"]: list(d["services"]) for d in front[:desks]}


def write_site_files(folder: Path, sites: int, desks: int) -> list[Path]:
    """The city's site files (TOML), as ``tresen admin apply`` reads them."""
    paths = []
    for site in range(1, sites + 1):
        path = folder / f"{site_slug(site)}.toml"
        path.write_text(_toml(site_data(site, desks)), encoding="utf-8")
        paths.append(path)
    return paths


def _toml(data: dict[str, Any]) -> str:
    """Just enough TOML for a site file: tables, arrays of tables, strings, numbers, lists."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return str(v)
        if isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        raise TypeError(type(v))

    def table(name: str, body: dict[str, Any], array: bool) -> list[str]:
        lines = [f"[[{name}]]" if array else f"[{name}]"]
        nested = []
        for k, v in body.items():
            if (
                isinstance(v, list)
                and v
                and all(isinstance(x, dict) for x in v)
                and k == "checklist"
            ):
                nested += [line for x in v for line in table(f"{name}.{k}", x, True)]
            else:
                lines.append(f"{k} = {value(v)}")
        return lines + nested

    out = [*table("site", data["site"], False), ""]
    for key in ("services", "desks", "users", "devices"):
        for entry in data.get(key, []):
            out += [*table(key, entry, True), ""]
    return "\n".join(out)


def apply_sites(db_url: str, sites: int, desks: int) -> None:
    """Create the schema and apply every site (in this process: faster than one command each).

    The clerks' password hashes are made with cheap argon2 parameters (verifying reads them from
    the hash): 300 sign-ins at the server's real cost would take minutes of CPU before the day
    starts, and sign-ins are not what this benchmark measures."""
    from argon2 import PasswordHasher

    from central_server import migrate
    from central_server.admin import site_file
    from central_server.auth import tokens
    from central_server.db import Database

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    hashed = cheap.hash(CLERK_PASSWORD)
    original = tokens.hash_password
    tokens.hash_password = lambda password: (
        hashed if password == CLERK_PASSWORD else original(password)
    )
    db = Database(db_url)
    try:
        migrate.upgrade(db.engine)
        for site in range(1, sites + 1):
            site_file.apply(db, site_file.SiteFile.model_validate(site_data(site, desks)))
    finally:
        tokens.hash_password = original
        db.engine.dispose()


# Databases -------------------------------------------------------------------------------------


class PrivateCluster:
    """A PostgreSQL cluster of our own in a temporary folder, on a free port: the fault run
    restarts it, which the shared server on 5432 must never be."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "pgdata"
        self.port = free_port()
        self.log = folder / "postgres.log"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @staticmethod
    def available() -> str | None:
        """None when a private cluster can be made here, else why not."""
        if not (PG_BIN / "initdb").exists():
            return f"no PostgreSQL programs in {PG_BIN}"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser"
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                return "no user postgres"
        return None

    def _run(self, *command: str, timeout: float = 120) -> None:
        done = subprocess.run(
            [*self.as_postgres, *command], capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command[:2])} failed:\n{done.stdout}{done.stderr}")

    def start(self) -> str:
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self.folder.chmod(0o700)
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.pg_ctl("start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, action: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c max_connections=300 -c fsync=off -c shared_buffers=64MB"
        )
        mode = ["-m", "fast"] if action in ("restart", "stop") else []
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", "60", *mode, action,
        )  # fmt: skip

    def stop(self) -> None:
        with suppress(SystemExit, subprocess.TimeoutExpired, OSError):
            self.pg_ctl("stop")


# The servers under test ------------------------------------------------------------------------


class Servers:
    """N ``tresen server`` processes on their own ports, or one ``tresen server --workers N``."""

    def __init__(self, db_url: str, processes: int, separate: bool, folder: Path) -> None:
        self.db_url = db_url
        self.folder = folder
        self.workers = processes if not separate else 1
        count = processes if separate else 1
        self.ports = [free_port() for _ in range(count)]
        self.procs: list[subprocess.Popen[bytes] | None] = [None] * count
        # CPU seconds of processes that ended (killed or restarted), and the live ones' baseline.
        self._cpu_lock = threading.Lock()
        self._cpu_last: dict[int, float] = {}
        self._cpu_base: dict[int, float] = {}
        self._cpu_gone = 0.0
        self._sampler_stop = threading.Event()
        self._sampler: threading.Thread | None = None
        self.restarts = 0

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def start_all(self) -> None:
        for index in range(len(self.ports)):
            self._start(index)
        for index in range(len(self.ports)):
            self._wait_up(index)

    def _start(self, index: int) -> None:
        command = [
            *_tresen(), "server", "--db", self.db_url, "--host", "127.0.0.1",
            "--port", str(self.ports[index]),
        ]  # fmt: skip
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        log = (self.folder / f"server-{self.ports[index]}.log").open("ab")
        self.procs[index] = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()

    def _wait_up(self, index: int, timeout: float = 90) -> None:
        process = self.procs[index]
        assert process is not None
        if wait_until_up(self.urls[index], timeout, process):
            return
        if process.poll() is not None:
            log = self.folder / f"server-{self.ports[index]}.log"
            raise SystemExit(
                "a server stopped during start-up:\n" + log.read_text(errors="replace")[-3000:]
            )
        raise SystemExit(f"the server at {self.urls[index]} did not answer within {timeout:.0f} s")

    def pids(self) -> list[int]:
        """Every process of the servers, workers (children) included."""
        found: list[int] = []
        for process in self.procs:
            if process is not None and process.poll() is None:
                found += [process.pid, *_descendants(process.pid)]
        return found

    # CPU, sampled twice a second so that a killed process's time is not lost ----------------

    def start_cpu_sampling(self) -> None:
        with self._cpu_lock:
            for pid in self.pids():
                seconds = process_cpu_seconds(pid)
                if seconds is not None:
                    self._cpu_base[pid] = self._cpu_last[pid] = seconds
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True)
        self._sampler.start()

    def _sample_loop(self) -> None:
        while not self._sampler_stop.wait(0.5):
            self.sample()

    def sample(self) -> None:
        with self._cpu_lock:
            alive = set()
            for pid in self.pids():
                seconds = process_cpu_seconds(pid)
                if seconds is None:
                    continue
                alive.add(pid)
                self._cpu_base.setdefault(pid, seconds)
                self._cpu_last[pid] = seconds
            for pid in list(self._cpu_last):
                if pid not in alive:
                    self._cpu_gone += self._cpu_last.pop(pid) - self._cpu_base.pop(pid)

    def cpu_seconds(self) -> float:
        self.sample()
        with self._cpu_lock:
            live = sum(self._cpu_last[p] - self._cpu_base[p] for p in self._cpu_last)
            return self._cpu_gone + live

    # Faults --------------------------------------------------------------------------------

    def kill_one(self) -> str:
        """``kill -9`` of the second server process (or of one worker of ``--workers``)."""
        self.sample()
        if len(self.procs) > 1:
            process = self.procs[1]
            assert process is not None
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            return f"server process {process.pid} (port {self.ports[1]})"
        process = self.procs[0]
        assert process is not None
        children = _descendants(process.pid)
        if not children:
            raise SystemExit("no worker process to kill: does --workers start child processes?")
        os.kill(children[-1], signal.SIGKILL)
        return f"worker process {children[-1]} of server {process.pid}"

    def restart_killed(self) -> None:
        """Start the killed server process again (with --workers, its supervisor's job)."""
        self.sample()
        if len(self.procs) > 1:
            self._start(1)
            self._wait_up(1)
            self.restarts += 1
        self.sample()

    def stop(self) -> None:
        self._sampler_stop.set()
        for process in self.procs:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in self.procs:
            if process is None:
                continue
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with suppress(OSError):
                for child in task.read_text().split():
                    found.append(int(child))
                    todo.append(int(child))
    return found


def workers_supported() -> bool:
    done = subprocess.run(
        [*_tresen(), "server", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return "--workers" in done.stdout


# A small HTTP/1.1 client on asyncio (keep-alive, chunked), so 700 connections cost little ------


class Unreachable(Exception):
    """No answer: the connection failed, broke or timed out."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def code(self) -> str:
        with suppress(ValueError, AttributeError, TypeError):
            return str(self.json().get("code", ""))
        return ""


class Route:
    """The servers a client may use and the one it uses now: it moves on to the next after a
    failed connection, as a reverse proxy would (``--separate-processes``)."""

    def __init__(self, ports: list[int], start: int) -> None:
        self.ports = ports
        self.index = start % len(ports)

    @property
    def port(self) -> int:
        return self.ports[self.index]

    def next(self) -> None:
        self.index = (self.index + 1) % len(self.ports)


class Connection:
    def __init__(self, route: Route) -> None:
        self.route = route
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> None:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.route.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.route.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        elif method in ("POST", "PUT"):
            lines.append("Content-Length: 0")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))

    async def _head(self) -> tuple[int, dict[str, str]]:
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionResetError("closed by the server")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                return status, headers
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()

    async def _chunks(self, headers: dict[str, str]) -> AsyncIterator[bytes]:
        assert self.reader is not None
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                data = await self.reader.readexactly(size + 2)
                if size == 0:
                    return
                yield data[:-2]
        length = int(headers.get("content-length", "0"))
        if length:
            yield await self.reader.readexactly(length)

    async def request(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None = None,
        timeout: float = REQUEST_TIMEOUT,
    ) -> Answer:
        try:
            async with asyncio.timeout(timeout):
                reused = self.writer is not None
                await self._send(method, path, headers, body)
                try:
                    status, answer_headers = await self._head()
                except (ConnectionResetError, BrokenPipeError):
                    if not reused:
                        raise
                    # The server closed the idle connection (uvicorn after 5 s) before it read
                    # this request: send it once more on a new one, as a pooled client must.
                    self.close()
                    await self._send(method, path, headers, body)
                    status, answer_headers = await self._head()
                data = b""
                if status not in (204, 304) and method != "HEAD":
                    data = b"".join([chunk async for chunk in self._chunks(answer_headers)])
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            self.close()
            raise Unreachable(type(exc).__name__) from None
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, answer_headers, data)

    async def stream(
        self, path: str, headers: dict[str, str]
    ) -> AsyncIterator[tuple[str | None, str, str]]:
        """(id, event, data) of a server-sent event stream until it ends or breaks."""
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                await self._send("GET", path, {**headers, "Accept": "text/event-stream"}, None)
                status, answer_headers = await self._head()
            if status != 200:
                raise Unreachable(f"HTTP {status}")
            buffer = ""
            chunks = self._chunks(answer_headers)
            while True:
                async with asyncio.timeout(STREAM_TIMEOUT):
                    chunk = await anext(chunks, None)
                if chunk is None:
                    raise Unreachable("stream ended")
                buffer += chunk.decode()
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    message = _sse_message(block)
                    if message is not None:
                        yield message
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            raise Unreachable(type(exc).__name__) from None
        finally:
            self.close()


def _sse_message(block: str) -> tuple[str | None, str, str] | None:
    """(id, event, data) of one message block, as the desk program parses it; the site stream's
    opening comment gives (id, "connected", "") (where the stream starts)."""
    for line in block.split("\n"):
        if line.startswith(": connected at event "):
            return line.removeprefix(": connected at event ").strip(), "connected", ""
    return next(parse_sse(iter([*block.split("\n"), ""])), None)


# The simulated day (in each client process) ----------------------------------------------------


@dataclass
class Figures:
    """What one client process measured; merged by the parent."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)
    retries: Counter[str] = field(default_factory=Counter)
    #: Why requests were sent again: "HTTP 500", "ConnectionRefusedError", "TimeoutError", ...
    retry_reasons: Counter[str] = field(default_factory=Counter)
    desk_delivery: list[float] = field(default_factory=list)
    display_delivery: list[float] = field(default_factory=list)
    stream_gaps: list[str] = field(default_factory=list)
    stream_repeats: int = 0
    stream_reconnects: int = 0
    display_reconnects: int = 0
    #: (site, stream name, last seq seen)
    stream_last: list[tuple[str, str, int]] = field(default_factory=list)
    #: (site, ticket id, number, idempotency key)
    created: list[tuple[str, int, str, str]] = field(default_factory=list)
    #: The Idempotency-Key of every create a kiosk sent (answered or not)
    create_keys: list[str] = field(default_factory=list)
    arrivals_due: int = 0
    late_arrivals: int = 0
    left_at_desk: list[str] = field(default_factory=list)
    requests: int = 0
    cpu_seconds: float = 0.0
    #: The wall-clock window whose requests and events the latencies show (set by the Day):
    #: from the end of the warm-up (every desk's first call and 300 streams connecting at the
    #: same instant, which no office does) to the end of the day (after which every desk
    #: wraps up its citizen at once).
    window: tuple[float, float] = (0.0, math.inf)
    #: Requests and events outside the window: counted, not in the latencies.
    left_out: int = 0

    def record(self, operation: str, seconds: float) -> None:
        if not self.window[0] <= time.time() - seconds < self.window[1]:
            self.left_out += 1
            return
        self.latencies.setdefault(operation, []).append(seconds)

    def delivered(self, samples: list[float], at: str) -> None:
        """An event written at ``at`` (ISO time) arrived now."""
        written = datetime.fromisoformat(at).timestamp()
        if not self.window[0] <= written < self.window[1]:
            self.left_out += 1
            return
        samples.append(time.time() - written)

    def error(self, what: str, detail: str = "") -> None:
        self.errors[what] += 1
        if len(self.first_errors) < 10:
            self.first_errors.append(f"{what} {detail}".strip())


@dataclass
class Plan:
    """What a client process runs: its sites and the day's clock."""

    sites: list[int]
    desks: int
    ports: list[int]
    compression: float
    #: The part of the day simulated: its first second (from opening) and its length.
    window_start: float
    window_seconds: float
    tickets_per_day: float
    service_seconds: float
    seed: int
    #: Real seconds at the start whose requests the latencies leave out.
    warm_up: float = 0.0


class Day:
    def __init__(self, plan: Plan, start: float) -> None:
        self.plan = plan
        self.start = start
        self.end = start + plan.window_seconds / plan.compression
        #: Until when desks keep sending a change the server has not answered (their outbox).
        self.hard_end = self.end + 3 * RETRY_SECONDS
        self.figures = Figures(window=(start + plan.warm_up, self.end))
        self.stopping = asyncio.Event()

    def real(self, day_seconds: float) -> float:
        """Real seconds for ``day_seconds`` of the simulated day."""
        return day_seconds / self.plan.compression

    def over(self) -> bool:
        return time.time() >= self.end

    async def call(
        self,
        conn: Connection,
        operation: str,
        method: str,
        path: str,
        token: str,
        body: Any = None,
        expected: tuple[int, ...] = (200,),
        key: str | None = None,
        persist: bool = False,
    ) -> Answer | None:
        """One change, sent again with the same Idempotency-Key after a fault (no answer, or
        5xx) until it is answered or RETRY_SECONDS pass (``persist``: until the desks' outbox
        gives up, ``hard_end``); its time is the whole wait."""
        key = key or uuid.uuid4().hex
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        data = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        pause = 0.2
        while True:
            self.figures.requests += 1
            try:
                answer = await conn.request(method, API + path, headers, data)
                problem = f"HTTP {answer.status}" if answer.status >= 500 else None
            except Unreachable as exc:
                answer, problem = None, str(exc)
                conn.route.next()
            if problem is None and answer is not None:
                break
            if (
                (time.time() > self.hard_end)
                if persist
                else (time.perf_counter() - started > RETRY_SECONDS)
            ):
                self.figures.error(f"{operation}: {problem}", "(gave up after retries)")
                return None
            self.figures.retries[operation] += 1
            self.figures.retry_reasons[problem or "?"] += 1
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)
        self.figures.record(
            operation if answer.status != 204 else f"{operation} (empty)",
            time.perf_counter() - started,
        )
        if answer.status not in expected:
            self.figures.error(f"{operation}: HTTP {answer.status} {answer.code()}", path)
            return None
        return answer


class DeskClient:
    """A clerk's program at one desk: actions, its event stream, and the reads after each."""

    def __init__(
        self, day: Day, site: int, code: str, prefixes: list[str], token: str, start: int
    ) -> None:
        self.day = day
        self.slug = site_slug(site)
        self.code = code
        self.prefixes = prefixes
        self.token = token
        self.route = Route(day.plan.ports, start)
        self.actions = Connection(self.route)
        self.reads = Connection(self.route)
        self.services: dict[str, int] = {}
        self.rng = random.Random(f"{day.plan.seed}-{site}-{code}")
        self.news = asyncio.Event()
        self.refreshing = False
        self.again = False
        self.etags: dict[str, tuple[str, bytes]] = {}
        self.last_seq: int | None = None
        self.reads_done = asyncio.Event()
        self.reads_done.set()
        #: How many wait for this desk, as its last queue read showed.
        self.waiting_for_me = 0

    # The reads the clerk program makes -----------------------------------------------------

    def refresh(self) -> None:
        if self.refreshing:
            self.again = True
            return
        self.refreshing = True
        self.reads_done.clear()
        asyncio.get_running_loop().create_task(self._refresh())

    async def _refresh(self) -> None:
        try:
            while True:
                self.again = False
                await self._read("GET desk view", f"/sites/{self.slug}/desks/{self.code}/view")
                if not self.again or self.day.stopping.is_set():
                    return
        finally:
            self.refreshing = False
            self.reads_done.set()

    async def _read(self, operation: str, path: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": "de"}
        cached = self.etags.get(path)
        if cached is not None:
            headers["If-None-Match"] = cached[0]
        started = time.perf_counter()
        self.day.figures.requests += 1
        try:
            answer = await self.reads.request("GET", API + path, headers)
        except Unreachable as exc:
            self.day.figures.retries[operation] += 1  # the next event reads again
            self.day.figures.retry_reasons[str(exc)] += 1
            self.reads.route.next()
            return
        self.day.figures.record(operation, time.perf_counter() - started)
        body = answer.body
        if answer.status == 200:
            etag = answer.headers.get("etag")
            if etag:
                self.etags[path] = (etag, answer.body)
        elif answer.status == 304 and cached is not None:
            body = cached[1]
        if answer.status in (200, 304):
            if operation == "GET desk view":
                self.waiting_for_me = len(json.loads(body)["queue"]["waiting"])
                if self.waiting_for_me:
                    self.news.set()
        elif answer.status >= 500:
            self.day.figures.retries[operation] += 1
            self.day.figures.retry_reasons[f"HTTP {answer.status}"] += 1
        elif answer.status != 304:
            self.day.figures.error(f"{operation}: HTTP {answer.status} {answer.code()}", path)

    # The event stream ----------------------------------------------------------------------

    async def follow(self) -> None:
        """The desk's live events, for as long as the day and the drain last."""
        conn = Connection(self.route)
        backoff = Backoff()
        first = True
        while not self.day.stopping.is_set():
            headers = {"Authorization": f"Bearer {self.token}"}
            if self.last_seq is not None:
                headers["Last-Event-ID"] = str(self.last_seq)
            try:
                opened = False
                async for event_id, event_type, data in conn.stream(
                    f"{API}/sites/{self.slug}/events", headers
                ):
                    if not opened:
                        opened = True
                        backoff.reset()
                        if not first:
                            self.refresh()  # back online: the program reads at once
                    self._on_event(event_id, event_type, data)
                    if self.day.stopping.is_set():
                        return
            except Unreachable:
                pass
            if self.day.stopping.is_set():
                return
            first = False
            self.day.figures.stream_reconnects += 1
            conn.route.next()
            # the clerk program's retry: drawn at random, growing while the server is away
            await _sleep_unless(self.day.stopping, backoff.next_delay())

    def _on_event(self, event_id: str | None, event_type: str, data: str) -> None:
        seq = int(event_id) if event_id and event_id.isdigit() else None
        if seq is None:
            return
        if event_type == "connected":
            if self.last_seq is None:
                self.last_seq = seq  # the stream's first position: gaps count from here
            return
        if self.last_seq is not None:
            if seq <= self.last_seq:
                self.day.figures.stream_repeats += 1
                return
            if seq != self.last_seq + 1:
                self.day.figures.stream_gaps.append(
                    f"{self.slug} desk {self.code}: {self.last_seq} -> {seq}"
                )
        self.last_seq = seq
        message = json.loads(data)
        self.day.figures.delivered(self.day.figures.desk_delivery, message["at"])
        if event_type not in EVENTS_THAT_CHANGE_NO_VIEW:
            self.refresh()

    # Serving citizens ------------------------------------------------------------------------

    async def act(self, operation: str, path: str, body: Any = None) -> Answer | None:
        answer = await self.day.call(
            self.actions, operation, "POST", path, self.token, body, persist=True
        )
        if answer is not None:
            self.refresh()
        return answer

    async def pause(self, day_seconds: float) -> None:
        """The clerk's and the citizen's time; at closing time the clerk wraps up at once."""
        await asyncio.sleep(min(self.day.real(day_seconds), max(0.0, self.day.end - time.time())))

    async def work(self) -> None:
        day, rng = self.day, self.rng
        while not day.over():
            called = await day.call(
                self.actions,
                "call-next",
                "POST",
                f"/sites/{self.slug}/desks/{self.code}/call-next",
                self.token,
                expected=(200, 204),
                persist=True,
            )
            if called is None or called.status == 204:
                # Nobody waits for this desk: the clerk calls when the queue on the screen
                # (the reads after each event) shows someone, or tries again after a while.
                self.news.clear()
                self.refresh()
                with suppress(TimeoutError):
                    async with asyncio.timeout(max(0.0, min(day.real(900), day.end - time.time()))):
                        await self.news.wait()
                await self.pause(rng.uniform(3, 10))
                continue
            self.refresh()
            ticket = called.json()
            await self.serve(ticket)
            await self.pause(rng.uniform(10, 30))

    async def serve(self, ticket: dict[str, Any]) -> None:
        rng, tid = self.rng, ticket["id"]
        if rng.random() < P_RECALL:
            await self.pause(rng.uniform(30, 60))
            await self.act("recall", f"/tickets/{tid}/recall")
        if rng.random() < P_NO_SHOW:
            await self.pause(rng.uniform(60, 120))
            if await self.act("no-show", f"/tickets/{tid}/no-show") is None:
                self.day.figures.left_at_desk.append(f"{self.slug}/{ticket['number']}")
            return
        await self.pause(rng.uniform(20, 60))  # the citizen walks to the desk
        if await self.act("start", f"/tickets/{tid}/start") is None:
            self.day.figures.left_at_desk.append(f"{self.slug}/{ticket['number']}")
            return
        service = self.day.plan.service_seconds * rng.uniform(0.4, 1.6)
        if rng.random() < P_CASE_UPDATE:
            await self.pause(service / 2)
            service /= 2
            await self.day.call(
                self.actions,
                "case update",
                "PUT",
                f"/tickets/{tid}/case",
                self.token,
                {"steps_done": [], "notes": "Unterlagen vollständig", "case_reference": ""},
                persist=True,
            )
        await self.pause(service)
        roll = rng.random()
        if roll < P_FORWARD:
            others = [
                sid
                for prefix, sid in self.services.items()
                if prefix != ticket["service_prefix"] and prefix in ("A", "B", "F")
            ]
            answer = await self.act(
                "transfer",
                f"/tickets/{tid}/transfer",
                {"service_id": rng.choice(others), "reason": "Weiterleitung"},
            )
        elif roll < P_FORWARD + P_PARK:
            answer = await self.act("park", f"/tickets/{tid}/park")
            if answer is not None:
                await self.pause(rng.uniform(60, 180))  # the citizen fetches a document
                answer = await self.act("resume", f"/tickets/{tid}/resume", {"desk": self.code})
                if answer is not None:
                    await self.pause(service / 3)
                    answer = await self.act(
                        "finish", f"/tickets/{tid}/finish", {"outcome": "completed"}
                    )
        else:
            outcome = rng.choices(
                ["completed", "documents_missing", "follow_up"], weights=[85, 10, 5]
            )[0]
            answer = await self.act("finish", f"/tickets/{tid}/finish", {"outcome": outcome})
        if answer is None:
            self.day.figures.left_at_desk.append(f"{self.slug}/{ticket['number']}")


async def _sleep_unless(event: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()


class KioskClient:
    def __init__(self, day: Day, site: int, services: dict[str, int], start: int) -> None:
        self.day = day
        self.slug = site_slug(site)
        self.token = kiosk_token(site)
        self.conn = Connection(Route(day.plan.ports, start))
        self.services = services
        self.rng = random.Random(f"{day.plan.seed}-kiosk-{site}")

    def arrivals(self) -> list[float]:
        """Arrival times (seconds from the start of the simulated part of the day): a Poisson
        process whose rate follows HOURLY_SHARE, ``tickets_per_day`` over the whole day."""
        plan = self.day.plan
        total = sum(HOURLY_SHARE)
        times: list[float] = []
        for hour, share in enumerate(HOURLY_SHARE):
            rate = plan.tickets_per_day * share / total / 3600  # per day second
            t = hour * 3600.0
            while len(times) < 100_000:
                t += self.rng.expovariate(rate)
                if t >= (hour + 1) * 3600:
                    break
                if plan.window_start <= t < plan.window_start + plan.window_seconds:
                    times.append(t - plan.window_start)
        return times

    async def work(self) -> None:
        prefixes = [p for p in SERVICE_SHARE if p in self.services]
        weights = [SERVICE_SHARE[p] for p in prefixes]
        schedule = self.arrivals()
        self.day.figures.arrivals_due += len(schedule)
        late = max(1.0, self.day.real(300))
        for at in schedule:
            due = self.day.start + self.day.real(at)
            if due >= self.day.end or self.day.over():
                break  # the doors close: who has no ticket yet does not get one today
            wait = due - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -late:
                self.day.figures.late_arrivals += 1
            prefix = self.rng.choices(prefixes, weights)[0]
            body = {"service_id": self.services[prefix], "language": self.rng.choice(LANGUAGES)}
            key = uuid.uuid4().hex
            self.day.figures.create_keys.append(key)
            answer = await self.day.call(
                self.conn,
                "create ticket",
                "POST",
                f"/sites/{self.slug}/tickets",
                self.token,
                body,
                expected=(201,),
                key=key,
            )
            if answer is not None:
                ticket = answer.json()
                self.day.figures.created.append((self.slug, ticket["id"], ticket["number"], prefix))


class DisplayClient:
    """The call display's page: its state stream (and ``/state`` after a broken stream)."""

    def __init__(self, day: Day, site: int, display: int, start: int) -> None:
        self.day = day
        self.slug = site_slug(site)
        self.token = display_token(site, display)
        self.route = Route(day.plan.ports, start)
        self.seen: set[int] = set()

    async def follow(self) -> None:
        conn = Connection(self.route)
        headers = {"Authorization": f"Bearer {self.token}"}
        while not self.day.stopping.is_set():
            first = True
            try:
                async for _id, event_type, data in conn.stream(
                    f"/display/{self.slug}/events", headers
                ):
                    if event_type == "state":
                        self._on_state(json.loads(data), first)
                        first = False
                    if self.day.stopping.is_set():
                        return
            except Unreachable:
                pass
            if self.day.stopping.is_set():
                return
            self.day.figures.display_reconnects += 1
            conn.route.next()
            # the page's EventSource waits what the stream named: 1 to 3 s, drawn per stream
            await _sleep_unless(self.day.stopping, random.uniform(1.0, 3.0))
            started = time.perf_counter()
            self.day.figures.requests += 1
            with suppress(Unreachable):  # the page's recover(): the state, then the stream
                answer = await conn.request("GET", f"/display/{self.slug}/state", headers)
                self.day.figures.record("GET display state", time.perf_counter() - started)
                if answer.status == 200:
                    self._on_state(answer.json(), True)

    def _on_state(self, state: dict[str, Any], first: bool) -> None:
        for call in state.get("calls", []):
            if call["seq"] in self.seen:
                continue
            self.seen.add(call["seq"])
            if not first and call["status"] == "called":
                self.day.figures.delivered(self.day.figures.display_delivery, call["at"])


async def _sign_in(route: Route, site: int, desk: int, code: str) -> str:
    conn = Connection(route)
    body = json.dumps({"username": clerk_name(site, desk), "password": CLERK_PASSWORD})
    for _ in range(20):
        try:
            answer = await conn.request("POST", API + "/login", {}, body.encode())
            if answer.status == 200:
                token = str(answer.json()["token"])
                signed = await conn.request(
                    "POST",
                    f"{API}/sites/{site_slug(site)}/desks/{code}/sign-on",
                    {"Authorization": f"Bearer {token}"},
                    b'{"force": true}',
                )
                if signed.status == 200:
                    conn.close()
                    return token
                raise SystemExit(f"sign-on at {site_slug(site)}/{code}: HTTP {signed.status}")
            raise SystemExit(f"sign-in of {clerk_name(site, desk)}: HTTP {answer.status}")
        except Unreachable:
            await asyncio.sleep(0.5)
    raise SystemExit("the server does not answer the sign-ins")


async def _services(route: Route, site: int) -> dict[str, int]:
    conn = Connection(route)
    answer = await conn.request(
        "GET",
        f"{API}/sites/{site_slug(site)}/services",
        {"Authorization": f"Bearer {kiosk_token(site)}"},
    )
    conn.close()
    if answer.status != 200:
        raise SystemExit(f"services of {site_slug(site)}: HTTP {answer.status}")
    return {s["prefix"]: s["id"] for s in answer.json()}


async def run_day(plan: Plan, ready: Any, go: Any, start_time: Any) -> Figures:
    # Set up: sign in every desk (a few at a time), read each site's services.
    desk_codes: dict[int, dict[str, list[str]]] = {}
    for site in plan.sites:
        desk_codes[site] = desk_services(site_data(site, plan.desks), plan.desks)
    limit = asyncio.Semaphore(8)
    counter = 0

    async def sign_in(site: int, index: int, code: str) -> tuple[int, str, str]:
        async with limit:
            return site, code, await _sign_in(Route(plan.ports, index), site, index, code)

    jobs = []
    for site in plan.sites:
        for index, code in enumerate(desk_codes[site], start=1):
            jobs.append(sign_in(site, index, code))
    tokens = {(s, c): t for s, c, t in await asyncio.gather(*jobs)}
    services = {site: await _services(Route(plan.ports, site), site) for site in plan.sites}
    ready.put("ready")
    loop = asyncio.get_running_loop()
    while not await loop.run_in_executor(None, go.wait, 1.0):
        pass
    day = Day(plan, start_time.value)
    cpu_before = own_cpu_seconds()
    desks: list[DeskClient] = []
    kiosks: list[KioskClient] = []
    displays: list[DisplayClient] = []
    for site in plan.sites:
        for code, prefixes in desk_codes[site].items():
            counter += 1
            desk = DeskClient(day, site, code, prefixes, tokens[(site, code)], counter)
            desk.services = services[site]
            desks.append(desk)
        kiosks.append(KioskClient(day, site, services[site], site))
        for n in range(1, DISPLAYS_PER_SITE + 1):
            displays.append(DisplayClient(day, site, n, site + n))
    await asyncio.sleep(max(0.0, day.start - time.time()))
    followers = [loop.create_task(d.follow()) for d in desks]
    followers += [loop.create_task(d.follow()) for d in displays]
    workers = [loop.create_task(d.work()) for d in desks]
    workers += [loop.create_task(k.work()) for k in kiosks]
    # The day, then what desks still do (bounded), then the streams catch up.
    await asyncio.wait(workers, timeout=day.end - time.time() + 4 * RETRY_SECONDS)
    for task in workers:
        if not task.done():
            task.cancel()
            day.figures.error("a desk or kiosk did not end in time")
    await _drain(day, desks)
    day.stopping.set()
    for desk in desks:
        with suppress(TimeoutError):
            async with asyncio.timeout(REQUEST_TIMEOUT):
                await desk.reads_done.wait()
    await asyncio.wait(followers, timeout=5)
    for task in followers:
        task.cancel()
    for desk in desks:
        day.figures.stream_last.append((desk.slug, f"desk {desk.code}", desk.last_seq or 0))
    day.figures.cpu_seconds = own_cpu_seconds() - cpu_before
    return day.figures


async def _drain(day: Day, desks: list[DeskClient], timeout: float = 20.0) -> None:
    """Wait until every desk stream of a site has reached the newest event any of them saw."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        newest: dict[str, int] = {}
        for desk in desks:
            newest[desk.slug] = max(newest.get(desk.slug, 0), desk.last_seq or 0)
        if all((d.last_seq or 0) >= newest[d.slug] for d in desks):
            await asyncio.sleep(1.0)  # and nothing newer comes
            if all((d.last_seq or 0) >= newest[d.slug] for d in desks) and newest == {
                d.slug: max((x.last_seq or 0) for x in desks if x.slug == d.slug) for d in desks
            }:
                return
        await asyncio.sleep(0.2)


def client_process(plan: Plan, ready: Any, go: Any, start_time: Any, results: Any) -> None:
    with suppress(ImportError):
        import uvloop

        uvloop.install()
    try:
        figures = asyncio.run(run_day(plan, ready, go, start_time))
        results.put(figures)
    except BaseException as exc:  # reported by the parent; a client never hangs it
        with suppress(Exception):
            ready.put(f"failed: {type(exc).__name__}: {exc}")
        results.put(f"{type(exc).__name__}: {exc}")


# The consistency checks ------------------------------------------------------------------------


def check(db_url: str, figures: Figures) -> list[tuple[str, bool, str]]:
    """(name, passed, detail) of each check, from the database and what the clients saw."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    results: list[tuple[str, bool, str]] = []
    try:
        with engine.connect() as conn:
            sites: dict[str, int] = dict(conn.execute(text("SELECT slug, id FROM sites")).all())
            rows = conn.execute(
                text("SELECT t.id, s.slug, t.prefix, t.number, t.status FROM tickets t "
                     "JOIN sites s ON s.id = t.site_id")
            ).all()  # fmt: skip
            tickets = {row[0]: row for row in rows}
            # 1. no ticket lost: every ticket a kiosk was given is there, ended or waiting
            given = {tid: (slug, number) for slug, tid, number, _prefix in figures.created}
            missing = [f"{s}/{n}" for tid, (s, n) in given.items() if tid not in tickets]
            open_at_desk = [
                f"{tickets[tid][1]}/{tickets[tid][2]}{tickets[tid][3]:03d} {tickets[tid][4]}"
                for tid in given
                if tid in tickets and tickets[tid][4] not in FINAL | QUEUED
            ]
            # Which create (Idempotency-Key) made which ticket, as the server remembers it.
            keys = set(figures.create_keys)
            made_by: Counter[int] = Counter()
            for key, body in conn.execute(
                text("SELECT key, body FROM idempotency_records WHERE status_code = 201")
            ).all():
                if key in keys:
                    made_by[int((json.loads(body) if isinstance(body, str) else body)["id"])] += 1
            unknown = [tid for tid in tickets if made_by[tid] == 0]
            twice = [tid for tid, n in made_by.items() if n > 1]
            unanswered = len(keys) - len(given)
            statuses = Counter(row[4] for row in rows)
            results.append(
                (
                    "no ticket lost",
                    not missing and not open_at_desk,
                    f"{len(given)} created, {len(missing)} missing, {len(open_at_desk)} left at a"
                    f" desk; {', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}"
                    + (f"; e.g. {(missing + open_at_desk)[:5]}" if missing or open_at_desk else ""),
                )
            )
            results.append(
                (
                    "no ticket made twice by a retried create",
                    not unknown and not twice,
                    f"{len(keys)} creates sent, {unanswered} of them never answered (the kiosk "
                    f"gave up); {len(unknown)} tickets made by no create, {len(twice)} by two",
                )
            )
            # 2. none called twice without a recall or a re-queue in between
            waiting: dict[int, bool] = {}
            called_twice: list[str] = []
            events = conn.execute(
                text("SELECT e.site_id, e.seq, e.type, e.ticket_id FROM events e "
                     "WHERE e.type LIKE 'ticket.%' ORDER BY e.site_id, e.seq")
            ).all()  # fmt: skip
            for site_id, seq, kind, ticket_id in events:
                if kind in ("ticket.created", "ticket.transferred"):
                    waiting[ticket_id] = True
                elif kind == "ticket.called":
                    if not waiting.get(ticket_id, False):
                        called_twice.append(f"site {site_id} seq {seq} ticket {ticket_id}")
                    waiting[ticket_id] = False
            called = sum(1 for e in events if e[2] == "ticket.called")
            results.append(
                (
                    "none called twice",
                    not called_twice,
                    f"{called} calls, {len(called_twice)} of a ticket not waiting"
                    + (f"; e.g. {called_twice[:5]}" if called_twice else ""),
                )
            )
            # 3. no number given twice per site, prefix and day
            doubles = conn.execute(
                text("SELECT site_id, prefix, day, number, COUNT(*) FROM tickets "
                     "GROUP BY site_id, prefix, day, number HAVING COUNT(*) > 1")
            ).all()  # fmt: skip
            seen_numbers: dict[tuple[str, str], int] = {}
            client_doubles = []
            for slug, tid, number, _prefix in figures.created:
                other = seen_numbers.setdefault((slug, number), tid)
                if other != tid:
                    client_doubles.append(f"{slug}/{number}")
            results.append(
                (
                    "no number given twice",
                    not doubles and not client_doubles,
                    f"{len(doubles)} in the database, {len(client_doubles)} seen by kiosks",
                )
            )
            # 4. every desk stream gap-free and complete up to the site's last event
            last: dict[int, int] = dict(
                conn.execute(text("SELECT site_id, MAX(seq) FROM events GROUP BY site_id")).all()
            )
            behind = [
                f"{slug} {name}: {seen} of {last.get(sites.get(slug, -1), 0)}"
                for slug, name, seen in figures.stream_last
                if seen != last.get(sites.get(slug, -1), 0)
            ]
            results.append(
                (
                    "every stream gap-free",
                    not figures.stream_gaps and not behind,
                    f"{len(figures.stream_last)} desk streams, {len(figures.stream_gaps)} gaps, "
                    f"{len(behind)} not at the site's last event, {figures.stream_repeats} "
                    f"repeated events skipped, {figures.stream_reconnects} reconnects"
                    + (
                        f"; e.g. {(figures.stream_gaps + behind)[:5]}"
                        if figures.stream_gaps or behind
                        else ""
                    ),
                )
            )
    finally:
        engine.dispose()
    return results


# Running ---------------------------------------------------------------------------------------


def merge(parts: list[Figures]) -> Figures:
    total = Figures()
    for part in parts:
        for operation, samples in part.latencies.items():
            total.latencies.setdefault(operation, []).extend(samples)
        total.errors.update(part.errors)
        total.first_errors += part.first_errors[: 10 - len(total.first_errors)]
        total.retries.update(part.retries)
        total.retry_reasons.update(part.retry_reasons)
        total.left_out += part.left_out
        total.desk_delivery += part.desk_delivery
        total.display_delivery += part.display_delivery
        total.stream_gaps += part.stream_gaps
        total.stream_repeats += part.stream_repeats
        total.stream_reconnects += part.stream_reconnects
        total.display_reconnects += part.display_reconnects
        total.stream_last += part.stream_last
        total.created += part.created
        total.create_keys += part.create_keys
        total.arrivals_due += part.arrivals_due
        total.late_arrivals += part.late_arrivals
        total.left_at_desk += part.left_at_desk
        total.requests += part.requests
        total.cpu_seconds += part.cpu_seconds
    return total


def _row(samples: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {
        "count": len(ms),
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "max_ms": ms[-1] if ms else math.nan,
    }


def run(args: argparse.Namespace, folder: Path, db_url: str, cluster: PrivateCluster | None) -> int:
    began = time.monotonic()
    window_start = (args.start_hour - OPENING_HOUR) * 3600
    window_seconds = args.hours * 3600
    compression = window_seconds / (args.minutes * 60)
    tickets_per_day = NORMAL_DAY_TICKETS * args.scale
    # A desk's cycle (service plus walking and calling) so that the desks are DESK_UTILISATION
    # busy over the day: 10 desks and 1,500 tickets in 10 hours make 4 minutes a citizen.
    cycle = args.desks * DAY_SECONDS / tickets_per_day * DESK_UTILISATION
    # (what the clerk does besides serving: calling, the walk, a breath; ~80 s) and no shorter
    # than 2 or longer than 15 minutes of service.
    service_seconds = min(900.0, max(120.0, cycle - 80.0))
    print(
        f"setting up {args.sites} sites on {args.db} ({args.sites * args.desks} desks, "
        f"{args.sites} kiosks, {args.sites * DISPLAYS_PER_SITE} displays) ...",
        flush=True,
    )
    apply_sites(db_url, args.sites, args.desks)
    servers = Servers(db_url, args.processes, args.separate_processes, folder)
    servers.start_all()
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    start_time = ctx.Value("d", 0.0)
    groups = [
        list(range(1, args.sites + 1))[i :: args.client_processes]
        for i in range(args.client_processes)
    ]
    plans = [
        Plan(
            sites=group,
            desks=args.desks,
            ports=servers.ports,
            compression=compression,
            window_start=window_start,
            window_seconds=window_seconds,
            tickets_per_day=tickets_per_day,
            service_seconds=service_seconds,
            seed=args.seed,
            warm_up=args.warm_up,
        )
        for group in groups
        if group
    ]
    clients = [
        ctx.Process(target=client_process, args=(plan, ready, go, start_time, results), daemon=True)
        for plan in plans
    ]
    faults: list[str] = []
    try:
        for process in clients:
            process.start()
        for _ in clients:
            message = ready.get(timeout=600)
            if message != "ready":
                raise SystemExit(f"a client failed to set up: {message}")
        load_before = load_average()
        busy_before = machine_busy_ticks()
        servers.start_cpu_sampling()
        start_time.value = time.time() + 1.0
        go.set()
        day_seconds = window_seconds / compression
        print(
            f"the day ({_clock(args.start_hour)}-{_clock(args.start_hour + args.hours)}) runs "
            f"{day_seconds:.0f} s (1 real second = {compression:g} s of the day; set up in "
            f"{time.monotonic() - began:.0f} s) ...",
            flush=True,
        )
        if args.faults:
            faults = inject_faults(servers, cluster, start_time.value, day_seconds)
        parts: list[Figures] = []
        for _ in clients:
            part = results.get(timeout=day_seconds + 8 * RETRY_SECONDS + 120)
            if isinstance(part, str):
                raise SystemExit(f"a client failed: {part}")
            parts.append(part)
        wall = time.time() - start_time.value
        server_cpu = servers.cpu_seconds()
        busy_after = machine_busy_ticks()
    finally:
        for process in clients:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
        servers.stop()
    figures = merge(parts)
    checks = check(db_url, figures)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "os": os_name(),
            "python": platform.python_version(),
            "load_before": load_before,
        },
        "setup": {
            "db": args.db + (" (private cluster)" if cluster else ""),
            "processes": args.processes,
            "how": "separate processes"
            if args.separate_processes or args.processes == 1
            else "--workers",
            "sites": args.sites,
            "desks": args.sites * args.desks,
            "kiosks": args.sites,
            "displays": args.sites * DISPLAYS_PER_SITE,
            "minutes": args.minutes,
            "window": f"{_clock(args.start_hour)}-{_clock(args.start_hour + args.hours)}",
            "scale": args.scale,
            "compression": compression,
            "tickets_per_site_day": tickets_per_day,
            "wall_seconds": wall,
            "faults": faults,
            "client_processes": len(plans),
        },
        "operations": {op: _row(figures.latencies.get(op, [])) for op in OPERATIONS},
        "delivery": {
            "desk streams": _row(figures.desk_delivery),
            "displays (calls)": _row(figures.display_delivery),
        },
        "requests": figures.requests,
        "left_out": figures.left_out,
        "warm_up_seconds": args.warm_up,
        "cpu": {
            "server_seconds": server_cpu,
            "server_ms_per_request": server_cpu * 1000 / max(1, figures.requests),
            "server_cores": server_cpu / wall,
            "clients_cores": figures.cpu_seconds / wall,
            "clients_ms_per_request": figures.cpu_seconds * 1000 / max(1, figures.requests),
            "machine_busy": (
                (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
                if busy_before and busy_after and busy_after[1] > busy_before[1]
                else None
            ),
        },
        "errors": dict(figures.errors),
        "first_errors": figures.first_errors,
        "retries": dict(figures.retries),
        "retry_reasons": dict(figures.retry_reasons),
        "arrivals": {
            "due": figures.arrivals_due,
            "created": len(figures.created),
            "late": figures.late_arrivals,
        },
        "streams": {
            "desk_reconnects": figures.stream_reconnects,
            "display_reconnects": figures.display_reconnects,
        },
        "checks": [{"name": n, "passed": p, "detail": d} for n, p, d in checks],
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if all(passed for _n, passed, _d in checks) else 1


def inject_faults(
    servers: Servers, cluster: PrivateCluster | None, start: float, day_seconds: float
) -> list[str]:
    """Mid-day: kill -9 one server process and start it again; later restart PostgreSQL."""
    done: list[str] = []

    def at(fraction: float) -> None:
        time.sleep(max(0.0, start + fraction * day_seconds - time.time()))

    at(0.35)
    what = servers.kill_one()
    done.append(f"{time.time() - start:.1f} s: kill -9 {what}")
    print(f"fault: {done[-1]}", flush=True)
    time.sleep(min(3.0, day_seconds / 20))
    servers.restart_killed()
    done.append(f"{time.time() - start:.1f} s: started again")
    print(f"fault: {done[-1]}", flush=True)
    if cluster is not None:
        at(0.6)
        began = time.time()
        cluster.pg_ctl("restart")
        done.append(
            f"{began - start:.1f} s: PostgreSQL restarted (took {time.time() - began:.1f} s)"
        )
        print(f"fault: {done[-1]}", flush=True)
    return done


def print_report(report: dict[str, Any]) -> None:
    m, s = report["machine"], report["setup"]
    print()
    print(
        f"Tresen city day: {s['sites']} sites, {s['desks']} desks, {s['kiosks']} kiosks, "
        f"{s['displays']} displays; {s['tickets_per_site_day']:.0f} tickets per site and day "
        f"(scale {s['scale']:g}); {s['window']} of the day in {s['minutes']:g} min "
        f"(compression {s['compression']:g}x)"
    )
    print(
        f"servers:  {s['processes']} process(es) ({s['how']}) on {s['db']}; "
        f"clients: {s['client_processes']} process(es)"
    )
    print(f"machine:  {m['cores']} cores, {m['cpu']}, {m['os']}, Python {m['python']}")
    print(f"load average before the day: {m['load_before']} (other work skews the figures)")
    for fault in s["faults"]:
        print(f"fault:    {fault}")
    print()
    print(
        f"latencies from {report['warm_up_seconds']:g} s after the day's start to its end; "
        f"{report['left_out']} requests and events of the warm-up and of the wrap-up after the "
        "end are left out of them (not of the errors, retries and checks)"
    )
    header = f"{'operation':<22}{'count':>8}{'p50':>9}{'p99':>9}{'max':>9}"
    print(header + "   (ms)\n" + "-" * len(header))
    for name, row in report["operations"].items():
        if row["count"]:
            print(
                f"{name:<22}{row['count']:>8}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
                f"{row['max_ms']:>9.1f}"
            )
    print()
    for name, row in report["delivery"].items():
        if row["count"]:
            print(
                f"event delivery, {name}: {row['count']} events, p50 {row['p50_ms']:.1f} ms, "
                f"p99 {row['p99_ms']:.1f} ms, max {row['max_ms']:.1f} ms"
            )
    a = report["arrivals"]
    print(
        f"tickets: {a['created']} created of {a['due']} arrivals due "
        f"({a['late']} sent over 5 minutes of the day, at least 1 s, late)"
    )
    cpu = report["cpu"]
    busy = f", machine {cpu['machine_busy']:.0%} busy" if cpu["machine_busy"] is not None else ""
    print(
        f"CPU: servers {cpu['server_ms_per_request']:.2f} ms per request "
        f"({cpu['server_cores']:.2f} cores, {report['requests']} requests); clients "
        f"{cpu['clients_ms_per_request']:.2f} ms per request ({cpu['clients_cores']:.2f} cores)"
        f"{busy}"
    )
    st = report["streams"]
    print(
        f"reconnects: desk streams {st['desk_reconnects']}, displays {st['display_reconnects']}; "
        f"retried requests: {sum(report['retries'].values())}"
        + (
            f" ({', '.join(f'{k} {v}' for k, v in sorted(report['retries'].items()))})"
            if report["retries"]
            else ""
        )
    )
    if report["retry_reasons"]:
        reasons = sorted(report["retry_reasons"].items(), key=lambda kv: -kv[1])
        print("  because of: " + ", ".join(f"{k} {v}" for k, v in reasons))
    errors = sum(report["errors"].values())
    print(f"errors: {errors}")
    for line in report["first_errors"][:5]:
        print(f"  {line}")
    call = report["operations"]["call-next"]
    delivery = report["delivery"]["desk streams"]
    if call["count"] and delivery["count"]:
        met = call["p99_ms"] < 50 and delivery["p99_ms"] < 100 and errors == 0
        print(
            f"goal (call-next p99 < 50 ms, event delivery p99 < 100 ms, 0 errors): "
            f"{'met' if met else 'MISSED'}"
        )
    print()
    for item in report["checks"]:
        print(f"check: {item['name']}: {'ok' if item['passed'] else 'FAILED'} ({item['detail']})")


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A simulated city day against Tresen servers.")
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--processes", type=int, default=1, help="server processes (1 or more)")
    parser.add_argument(
        "--separate-processes",
        action="store_true",
        help="start N `tresen server` processes on their own ports (the clients spread over "
        "them and move to the next on a failed connection) instead of `--workers N`",
    )
    parser.add_argument("--minutes", type=float, default=5.0, help="real minutes of the day")
    parser.add_argument(
        "--scale", type=float, default=10.0, help="times a normal day's 150 tickets per site"
    )
    parser.add_argument(
        "--start-hour",
        type=float,
        default=OPENING_HOUR,
        help=f"simulate the day from this hour (default {OPENING_HOUR}, the opening) ...",
    )
    parser.add_argument(
        "--hours",
        type=float,
        default=len(HOURLY_SHARE),
        help=f"... for this many hours of it (default {len(HOURLY_SHARE)}, to the closing); "
        "e.g. --start-hour 10 --hours 0.0333 --minutes 2: two minutes of the peak in real time",
    )
    parser.add_argument("--sites", type=int, default=30)
    parser.add_argument("--desks", type=int, default=MAX_DESKS, help="staffed desks per site")
    parser.add_argument(
        "--faults",
        action="store_true",
        help="kill -9 one of the server processes mid-day and start it again, then restart "
        "PostgreSQL (a private cluster of this run, never the shared one)",
    )
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument(
        "--warm-up",
        type=float,
        default=10.0,
        help="real seconds at the start left out of the latencies (every desk's first call "
        "and every stream's connection at one instant); 0 keeps them",
    )
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--write-site-files", type=Path, metavar="DIR", help="only write the site files to DIR"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sites <= MAX_SITES:
        parser.error(f"--sites must be between 1 and {MAX_SITES}")
    if not 1 <= args.desks <= MAX_DESKS:
        parser.error(f"--desks must be between 1 and {MAX_DESKS} (the example's front office)")
    if not 0.1 <= args.minutes <= 600:
        parser.error("--minutes must be between 0.1 and 600")
    closing = OPENING_HOUR + len(HOURLY_SHARE)
    if (
        not OPENING_HOUR <= args.start_hour < closing
        or not 0 < args.hours <= closing - args.start_hour
    ):
        parser.error(f"the simulated hours must lie between {OPENING_HOUR} and {closing}")
    if not 0 < args.scale <= 100:
        parser.error("--scale must be above 0 and at most 100")
    if not 1 <= args.processes <= 8:
        parser.error("--processes must be between 1 and 8")
    if not 1 <= args.client_processes <= 8:
        parser.error("--client-processes must be between 1 and 8")
    if args.db == "sqlite" and args.processes > 1:
        parser.error("SQLite is for one server process; use --db postgres for several")
    if args.faults and args.processes < 2:
        parser.error("--faults kills one of two server processes: give --processes 2")
    if args.faults and args.db != "postgres":
        parser.error("--faults restarts PostgreSQL: give --db postgres")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.write_site_files:
        args.write_site_files.mkdir(parents=True, exist_ok=True)
        for path in write_site_files(args.write_site_files, args.sites, args.desks):
            print(path)
        return 0
    if args.processes > 1 and not args.separate_processes and not workers_supported():
        raise SystemExit(
            "this `tresen server` has no --workers option yet: add --separate-processes"
        )
    with tempfile.TemporaryDirectory(prefix="tresen-city-") as tmp:
        folder = Path(tmp)
        if args.faults:
            why_not = PrivateCluster.available()
            if why_not:
                raise SystemExit(f"--faults needs a private PostgreSQL cluster: {why_not}")
            pg_folder = Path(tempfile.mkdtemp(prefix="tresen-city-pg-"))
            cluster = PrivateCluster(pg_folder)
            try:
                db_url = cluster.start()
                return run(args, folder, db_url, cluster)
            finally:
                cluster.stop()
                shutil.rmtree(pg_folder, ignore_errors=True)
        if args.db == "postgres":
            with postgres_database("tresen_city") as db_url:
                return run(args, folder, db_url, None)
        return run(args, folder, f"sqlite:///{folder / 'city.sqlite3'}", None)


if __name__ == "__main__":
    sys.exit(main())
