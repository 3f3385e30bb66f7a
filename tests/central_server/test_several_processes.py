"""Several server processes on one database: a city's server (issue 12).

On PostgreSQL every process hears every commit (LISTEN/NOTIFY), so a change made through one
process reaches the live streams of every other at once; ``tresen server --workers N`` runs N
processes on one port and stops them all; processes starting together migrate once. SQLite
refuses several processes. Open streams cost the database nothing while nothing happens: each
process reads a site's change once for all its streams.
"""

from __future__ import annotations

import os
import re
import selectors
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests
from sqlalchemy import event

from tests.conftest import _pg_execute, _pg_url
from tests.support.api import new_ticket
from tests.support.live_server import ApiClient, LiveServer, free_port
from tests.support.server_process import ServerProcess, run_tresen, tresen_env
from tests.support.sse import EventStream
from tests.support.waits import ANSWER_S

POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)]
)
#: Long enough that only a wake-up (never the feeds' safety poll) can bring an event in time.
SLOW_POLL = {"TRESEN_EVENT_POLL_SECONDS": "600"}


def _kiosk(url: str) -> ApiClient:
    return ApiClient(url, "demo-kiosk")


def _service(url: str, prefix: str = "A") -> int:
    return _kiosk(url).service_id(prefix)


@pytest.fixture
def two_servers(database_url: str, tmp_path: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    env = tresen_env(TRESEN_DB=database_url, **SLOW_POLL)
    with (
        ServerProcess(folder=tmp_path, env=env) as first,
        ServerProcess(folder=tmp_path, env=env) as second,
    ):
        yield first, second


@POSTGRES
def test_a_ticket_made_on_one_process_reaches_the_streams_of_another_at_once(two_servers):
    first, second = two_servers
    service = _service(first.url)
    with EventStream(second.url, "demo-display") as stream:
        assert stream.status_code == 200
        for _ in range(3):
            ticket = new_ticket(_kiosk(first.url), service)
            made = time.monotonic()
            arrived = stream.next()  # fails after ANSWER_S
            took = time.monotonic() - made
            assert arrived.type == "ticket.created"
            assert arrived.data["ticket"]["id"] == ticket["id"]
            # The other process polls only every 600 s: this was LISTEN/NOTIFY.
            assert took < 1.0, f"the event took {took:.3f} s to reach the other process"


@POSTGRES
def test_last_event_id_replays_on_another_process_what_one_process_wrote(two_servers):
    first, second = two_servers
    service = _service(first.url)
    with EventStream(first.url, "demo-display") as on_first:
        start = on_first.connected_at
        assert start is not None
        tickets = [new_ticket(_kiosk(first.url), service) for _ in range(3)]
        assert [e.id for e in on_first.take(3)] == [start + 1, start + 2, start + 3]
    with EventStream(second.url, "demo-display", last_event_id=start + 1) as on_second:
        replayed = on_second.take(2)
        assert [e.id for e in replayed] == [start + 2, start + 3]
        assert [e.data["ticket"]["id"] for e in replayed] == [t["id"] for t in tickets[1:]]
        # And from there on live, without a gap, whichever process writes.
        new_ticket(_kiosk(second.url), service)
        new_ticket(_kiosk(first.url), service)
        assert [e.id for e in on_second.take(2)] == [start + 4, start + 5]


_STARTED = re.compile(r"\[(\d+)\] Application startup complete")
_WORKER_LINE = re.compile(r"\[(\d+)\] 127\.0\.0\.1:\d+ - \"GET /healthz")


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


@POSTGRES
def test_workers_serve_on_one_port_and_stop_cleanly(database_url: str, tmp_path: Path):
    env = tresen_env(TRESEN_DB=database_url)
    server = ServerProcess("--workers", "2", folder=tmp_path, env=env)
    with server:
        # The server answers once one worker is up; the other may still be starting.
        deadline = time.monotonic() + ANSWER_S
        while time.monotonic() < deadline and len(_STARTED.findall(server.log())) < 2:
            time.sleep(0.1)
        started = {int(pid) for pid in _STARTED.findall(server.log())}
        assert len(started) == 2, server.log()
        # Fresh connections until both workers have answered (the kernel picks the worker).
        workers: set[int] = set()
        deadline = time.monotonic() + ANSWER_S
        while len(workers) < 2 and time.monotonic() < deadline:
            with ThreadPoolExecutor(8) as pool:
                answers = list(
                    pool.map(
                        lambda _: requests.get(f"{server.url}/healthz", timeout=ANSWER_S), range(16)
                    )
                )
            assert all(a.status_code == 200 for a in answers)
            time.sleep(0.2)  # the access log is written just after the answer
            workers = {int(pid) for pid in _WORKER_LINE.findall(server.log())}
        assert workers == started, server.log()
        assert server.pid not in workers
        assert server.log().count("database schema upgraded") <= 1
        # Both are whole servers: the API answers through the shared port.
        assert _kiosk(server.url).get("/sites/demo/services").status_code == 200
    assert server.returncode == 0, server.log()
    assert all(_gone(pid) for pid in workers), server.log()
    assert _port_is_free(server.port)


@pytest.mark.parametrize("how", ["option", "environment"])
def test_several_workers_are_refused_on_sqlite_with_the_reason(tmp_path: Path, how: str):
    database = str(tmp_path / "tresen.sqlite3")
    if how == "option":
        done = run_tresen("server", "--db", database, "--workers", "2", "--port", str(free_port()))
    else:
        env = tresen_env(TRESEN_DB=database, TRESEN_WORKERS="2", TRESEN_PORT=str(free_port()))
        done = run_tresen("server", env=env)
    assert done.returncode == 2, done
    assert "SQLite" in done.stderr and "PostgreSQL" in done.stderr, done.stderr
    assert "one office" in done.stderr, done.stderr
    assert not Path(database).exists()  # refused before anything was made


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    pytest.importorskip("psycopg")
    from tests.conftest import _PG_REASON

    if _PG_REASON is not None:
        pytest.skip(_PG_REASON)
    name = f"tresen_t_{uuid.uuid4().hex[:12]}"
    _pg_execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
def test_processes_starting_together_on_an_empty_database_migrate_once(
    empty_postgres: str, tmp_path: Path
):
    env = tresen_env(TRESEN_DB=empty_postgres)
    servers = [ServerProcess(folder=tmp_path, env=env) for _ in range(3)]
    with ThreadPoolExecutor(len(servers)) as pool:
        started = list(pool.map(lambda s: s.__enter__(), servers))  # all at the same moment
    try:
        logs = [s.log() for s in started]
        for text in logs:
            assert "Traceback" not in text and " ERROR " not in text, text
        assert sum("database schema upgraded from nothing" in text for text in logs) == 1, logs
        assert sum("database schema is up to date" in text for text in logs) == 2, logs
        for server in started:
            assert requests.get(f"{server.url}/healthz", timeout=ANSWER_S).status_code == 200
    finally:
        for server in servers:
            server.stop()
    with psycopg.connect(empty_postgres.replace("postgresql+psycopg", "postgresql")) as conn:
        assert len(conn.execute("SELECT version_num FROM alembic_version").fetchall()) == 1


# Many streams, no polling --------------------------------------------------------------------


class RawStreams:
    """``count`` event streams of the demo site on plain sockets: light enough for hundreds."""

    def __init__(self, port: int, count: int) -> None:
        self.selector = selectors.DefaultSelector()
        self.received: dict[socket.socket, bytes] = {}
        request = (
            "GET /api/v1/sites/demo/events HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\n"
            "Authorization: Bearer demo-display\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_S)
            sock.sendall(request)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
            self.received[sock] = b""

    def wait_until_all_have(self, text: bytes) -> None:
        deadline = time.monotonic() + ANSWER_S
        while time.monotonic() < deadline:
            if all(text in data for data in self.received.values()):
                return
            for key, _ in self.selector.select(timeout=0.5):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                chunk = sock.recv(65536)
                assert chunk, "the server closed a stream"
                self.received[sock] += chunk
        missing = sum(text not in data for data in self.received.values())
        raise AssertionError(f"{missing} of {len(self.received)} streams lack {text!r}")

    def close(self) -> None:
        for sock in self.received:
            self.selector.unregister(sock)
            sock.close()
        self.selector.close()


def test_open_streams_cost_the_database_nothing_while_nothing_happens(server: LiveServer):
    """200 open streams: no reads of the log while nothing happens, and one change is read
    once for all of them (the feeds' safety poll may add one read per site)."""
    assert server.db is not None
    log_reads: list[str] = []

    def _on_statement(_conn, _cursor, statement, *_args) -> None:
        if "FROM events" in statement and "events.seq >" in statement:
            log_reads.append(statement)

    event.listen(server.db.engine, "before_cursor_execute", _on_statement)
    streams = RawStreams(server.port, 200)
    try:
        streams.wait_until_all_have(b": connected at event")
        log_reads.clear()
        time.sleep(3)  # an observation window, not a wait for something
        assert len(log_reads) <= 1, f"{len(log_reads)} reads of the log in 3 s of quiet"
        assert requests.get(f"{server.url}/healthz", timeout=ANSWER_S).status_code == 200

        log_reads.clear()
        new_ticket(_kiosk(server.url), _service(server.url))
        streams.wait_until_all_have(b"event: ticket.created")
        assert len(log_reads) <= 2, f"{len(log_reads)} reads of the log for one change"
    finally:
        streams.close()
        event.remove(server.db.engine, "before_cursor_execute", _on_statement)


@POSTGRES
def test_a_process_that_lost_its_listening_connection_listens_again_and_misses_nothing(
    two_servers, database_url: str
):
    first, second = two_servers
    service = _service(first.url)
    with EventStream(second.url, "demo-display") as stream:
        start = stream.connected_at
        assert start is not None
        # As if PostgreSQL restarted under the listeners: their connections end.
        with psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql")) as conn:
            ended = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'tresen-listen'"
            ).fetchall()
        assert len(ended) == 2
        # Made while the second process may not listen yet: it reads it once it listens again
        # (the feeds' own poll comes only every 600 s).
        new_ticket(_kiosk(first.url), service)
        assert stream.next().id == start + 1
        deadline = time.monotonic() + ANSWER_S
        while "listening for events again" not in second.log() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "listening for events again" in second.log()
        new_ticket(_kiosk(first.url), service)
        assert stream.next().id == start + 2
