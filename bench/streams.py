"""Live streams with several processes: event delivery across processes, requests beside
many open streams (issue 12).

::

    .venv/bin/python bench/streams.py [--db postgres|sqlite] [--events 150] [--rate 15]
                                      [--remote-streams 50] [--open-streams 1000]
                                      [--requests 200]

1. **Delivery across processes** (PostgreSQL only): two ``tresen server`` processes on one new
   database (demo site). ``--remote-streams`` live event streams are open on process A and as
   many on process B; a kiosk makes ``--events`` tickets on A at ``--rate`` a second. For each
   event and stream: the time from the event's time stamp (taken by A inside the write
   transaction, before the rest of the change and the commit) to its arrival at the stream, on
   this machine's one clock. The streams on A show what the change itself takes to commit and
   reach a stream; the difference to B is the way through PostgreSQL (NOTIFY, LISTEN, a read).
2. **Requests beside open streams**: one ``tresen server`` process; ``--open-streams`` event
   streams are opened and held (and read) by a helper process; then ``--requests`` requests
   (``GET /healthz`` and ``GET .../services``, alternately, paced at 50 a second) are timed
   wall-clock; the same once more with no stream open, for comparison. Last, one ticket is
   made and the time until every open stream has it is printed (the fan-out to all streams).

Aims (issue 12): p99 < 50 ms for both. Every stream is held by a separate process (not by the
timing one), so clients do not share the measuring process's GIL. Only loopback; the script
stops by itself and stops the servers it started, and drops the database it made.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import selectors
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from bench.load import (
    OwnServer,
    _tresen,
    cpu_model,
    free_port,
    load_average,
    percentile,
    postgres_database,
    started_server,
)

AIM_P99_MS = 50.0
TOKEN_DISPLAY = "demo-display"
TOKEN_KIOSK = "demo-kiosk"


@contextmanager
def server(db_url: str, workdir: Path, name: str) -> Iterator[OwnServer]:
    port = free_port()
    command = [*_tresen(), "server", "--demo", "--db", db_url, "--port", str(port)]
    with started_server(command, port, workdir / f"{name}.log") as own:
        yield own


# The stream holder (a process of its own) -----------------------------------------------------


def hold_streams(port: int, count: int, measure: bool, pipe: Connection) -> None:
    """Open ``count`` event streams, say "ready", read them until told to stop; then send the
    delivery latencies (seconds, if ``measure``) and the events received per stream."""
    request = (
        "GET /api/v1/sites/demo/events HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {TOKEN_DISPLAY}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    selector = selectors.DefaultSelector()
    buffers: dict[socket.socket, bytes] = {}
    events: dict[socket.socket, int] = {}
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.sendall(request)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        buffers[sock] = b""
        events[sock] = 0
    latencies: list[float] = []
    ready = False
    while True:
        if not ready and all(b"connected at event" in b for b in buffers.values()):
            ready = True
            pipe.send("ready")
        if pipe.poll():
            command = pipe.recv()
            if command == "stop":
                break
            pipe.send(min(events.values()))  # "count": the fewest events any stream has
            continue
        for key, _ in selector.select(timeout=0.05):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            chunk = sock.recv(262144)
            now = time.time()
            if not chunk:
                raise SystemExit("the server closed a stream")
            data = buffers[sock] + chunk
            *blocks, rest = data.split(b"\n\n")
            buffers[sock] = rest if ready else data
            if not ready:
                continue
            for block in blocks:
                for line in block.split(b"\n"):
                    if line.startswith(b"data: "):
                        events[sock] += 1
                        if measure:
                            stamp = datetime.fromisoformat(json.loads(line[6:])["at"])
                            latencies.append(now - stamp.timestamp())
    for sock in buffers:
        sock.close()
    pipe.send((latencies, min(events.values()) if events else 0))


@contextmanager
def streams(url: str, count: int, measure: bool) -> Iterator[Connection]:
    port = int(url.rsplit(":", 1)[1])
    ours, theirs = mp.Pipe()
    process = mp.Process(target=hold_streams, args=(port, count, measure, theirs), daemon=True)
    process.start()
    try:
        if not ours.poll(120) or ours.recv() != "ready":
            raise SystemExit(f"the {count} streams did not open")
        yield ours
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def stop_streams(pipe: Connection) -> tuple[list[float], int]:
    pipe.send("stop")
    latencies, fewest = pipe.recv()
    return latencies, fewest


# Figures ------------------------------------------------------------------------------------


def line(name: str, samples: list[float]) -> str:
    ordered = sorted(s * 1000 for s in samples)
    if not ordered:
        return f"  {name:<46} no samples"
    aim = "" if percentile(ordered, 99) < AIM_P99_MS else "  (above the aim)"
    return (
        f"  {name:<46} n={len(ordered):<6} p50 {percentile(ordered, 50):7.1f} ms   "
        f"p99 {percentile(ordered, 99):7.1f} ms   max {ordered[-1]:7.1f} ms{aim}"
    )


def make_tickets(url: str, count: int, rate: float) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN_KIOSK}"
    services = session.get(f"{url}/api/v1/sites/demo/services", timeout=30).json()
    service = next(s["id"] for s in services if s["prefix"] == "A")
    start = time.perf_counter()
    for n in range(count):
        pause = start + n / rate - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        answer = session.post(
            f"{url}/api/v1/sites/demo/tickets", json={"service_id": service}, timeout=30
        )
        answer.raise_for_status()


def delivery(db_url: str, workdir: Path, args: argparse.Namespace) -> None:
    with (
        server(db_url, workdir, "a") as first,
        server(db_url, workdir, "b") as second,
        streams(first.url, args.remote_streams, measure=True) as on_a,
        streams(second.url, args.remote_streams, measure=True) as on_b,
    ):
        make_tickets(first.url, args.events, args.rate)
        deadline = time.monotonic() + 30
        for pipe in (on_a, on_b):
            while time.monotonic() < deadline:
                pipe.send("count")
                if pipe.recv() >= args.events:
                    break
                time.sleep(0.1)
        same, fewest_a = stop_streams(on_a)
        other, fewest_b = stop_streams(on_b)
    print(
        f"1. delivery ({args.events} tickets made on process A at {args.rate}/s; "
        f"{args.remote_streams} streams on A and on B; each got {min(fewest_a, fewest_b)} events)"
    )
    print(line("event stamped on A -> at a stream on A", same))
    print(line("event stamped on A -> at a stream on B", other))


def timed_requests(url: str, count: int) -> list[float]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN_KIOSK}"
    paths = ["/healthz", "/api/v1/sites/demo/services"]
    samples: list[float] = []
    start = time.perf_counter()
    for n in range(count):
        pause = start + n / 50 - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        began = time.perf_counter()
        session.get(url + paths[n % 2], timeout=30).raise_for_status()
        samples.append(time.perf_counter() - began)
    return samples


def beside_streams(db_url: str, workdir: Path, args: argparse.Namespace) -> None:
    with server(db_url, workdir, "single") as own:
        quiet = timed_requests(own.url, args.requests)
        opened = time.perf_counter()
        with streams(own.url, args.open_streams, measure=False) as pipe:
            took_to_open = time.perf_counter() - opened
            busy = timed_requests(own.url, args.requests)
            make_tickets(own.url, 1, 1)
            made = time.perf_counter()
            fan_out = None
            while time.perf_counter() - made < 30:
                pipe.send("count")
                if pipe.recv() >= 1:
                    fan_out = time.perf_counter() - made
                    break
            stop_streams(pipe)
    print(
        f"2. requests on one process ({args.requests} each, 50/s; "
        f"{args.open_streams} streams opened in {took_to_open:.1f} s)"
    )
    print(line("no stream open", quiet))
    print(line(f"{args.open_streams} streams open", busy))
    if fan_out is not None:
        print(
            f"  one new ticket reached all {args.open_streams} streams "
            f"within {fan_out * 1000:.0f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--events", type=int, default=150)
    parser.add_argument("--rate", type=float, default=15.0)
    parser.add_argument("--remote-streams", type=int, default=50)
    parser.add_argument("--open-streams", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    print(
        f"{cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"database {args.db}, load average before: {load_average()}"
    )
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        workdir = Path(folder)
        if args.db == "postgres":
            db_url = stack.enter_context(postgres_database())
            delivery(db_url, workdir, args)
        else:
            db_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            print("1. delivery across processes: PostgreSQL only (SQLite runs one process)")
        beside_streams(db_url, workdir, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
