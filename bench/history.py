"""History benchmark: a site with a million finished tickets of past days against a new one.

::

    python bench/history.py [--db sqlite|postgres] [--tickets 1000000] [--rounds 150]
                            [--waiting 30] [--json FILE]

Builds two databases with ``bench/bench_site.toml`` applied: a *new* site with no history, and
a *big* site that also holds ``--tickets`` finished tickets of past days (1,500 a day, so a
million reach back about 670 days; 85 % done, 10 % no-show, 5 % cancelled), each with its case
(done ones) and four events, and a pickup for one in ten (handed over, or ordered in the last two
weeks), as a site gathers them in ~2.7 years. The history is written by
the database itself (``INSERT ... SELECT`` over a number series), which takes a minute or so
for a million on SQLite. Case text older than 30 days is erased as the server's
housekeeping would have done (``TRESEN_CASE_PURGE_DAYS``), so the server finds nothing to
purge when it starts. PostgreSQL's statistics are gathered (``ANALYZE``) as autovacuum would;
SQLite gets none, like a server's file (Tresen never runs ``ANALYZE``).

Then a real server for each database (``tresen server``, its own process, on a free port of
127.0.0.1), both up at once and measured taking turns (so both meet the same load from other
work on the machine), each with one desk and one kiosk, one request at a time: ``--waiting`` tickets
wait throughout; each round creates a ticket, reads its status page (``/t/{token}/state``,
the board a display reads), calls the next one at desk 1, starts and finishes it, and reads
the queue as desk 1 does (``GET queue?desk=1``). Each request is timed wall-clock around the
whole HTTP call. The figures of both sites are printed side by side (median and p99), with
the server's CPU time per request.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load

#: Finished tickets a day at the big site, and when the first of a day is drawn (UTC).
PER_DAY = 1500
#: Case text of tickets finished longer ago is erased (the default TRESEN_CASE_PURGE_DAYS).
PURGED_AFTER_DAYS = 30

OPERATIONS = ("create ticket", "status page", "call-next", "start", "finish", "GET queue")


# Building the history ------------------------------------------------------------------------


def _site_ids(
    connection: Any, slug: str
) -> tuple[int, list[int], list[str], list[int], int, int, int]:
    """The site's id, service ids and prefixes (A, B, C), desk ids, last event seq, and
    the highest ticket and event ids so far."""
    site_id, seq = connection.execute(
        text("SELECT id, last_event_seq FROM sites WHERE slug = :slug"), {"slug": slug}
    ).one()
    services = connection.execute(
        text(
            "SELECT id, prefix FROM services WHERE site_id = :site AND prefix IN ('A','B','C') "
            "ORDER BY prefix"
        ),
        {"site": site_id},
    ).all()
    desks = [
        row[0]
        for row in connection.execute(
            text("SELECT id FROM desks WHERE site_id = :site ORDER BY code"), {"site": site_id}
        )
    ]
    max_ticket = connection.execute(text("SELECT coalesce(max(id), 0) FROM tickets")).scalar()
    max_event = connection.execute(text("SELECT coalesce(max(id), 0) FROM events")).scalar()
    return (
        site_id,
        [s[0] for s in services],
        [s[1] for s in services],
        desks,
        seq,
        max_ticket,
        max_event,
    )


def build_history(db_url: str, tickets: int, slug: str = load.SITE) -> float:
    """Write ``tickets`` finished tickets of past days (with cases and events) at the site
    ``slug`` (it needs services A, B and C and a desk); returns the seconds it took."""
    started = time.perf_counter()
    engine = create_engine(db_url)
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        site_id, services, prefixes, desks, seq, max_ticket, max_event = _site_ids(connection, slug)
        values = {
            "n": tickets - 1,
            "n4": 4 * tickets - 1,
            "site": site_id,
            "t0": max_ticket,
            "e0": max_event,
            "seq0": seq,
            "per_day": PER_DAY,
            "purge_days": PURGED_AFTER_DAYS,
        }
        for index, (service, prefix) in enumerate(zip(services, prefixes, strict=True)):
            values[f"s{index}"] = service
            values[f"p{index}"] = prefix
        for index, desk in enumerate(desks[:8]):
            values[f"d{index}"] = desk
        statements = _SQLITE if sqlite else _POSTGRES
        for statement in statements:
            connection.execute(text(_fill(statement, len(desks[:8]))), values)
        connection.execute(
            text("UPDATE sites SET last_event_seq = :seq WHERE id = :site"),
            {"seq": seq + 4 * tickets, "site": site_id},
        )
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE tickets, cases, events, pickups"))
    engine.dispose()
    return time.perf_counter() - started


def _fill(statement: str, desks: int) -> str:
    """Spell out the choices by ``i`` (service, prefix, desk) as CASE expressions."""
    service = "CASE i % 3 WHEN 0 THEN :s0 WHEN 1 THEN :s1 ELSE :s2 END"
    prefix = "CASE i % 3 WHEN 0 THEN :p0 WHEN 1 THEN :p1 ELSE :p2 END"
    desk = "CASE i % {n} {whens} END".format(
        n=desks, whens=" ".join(f"WHEN {k} THEN :d{k}" for k in range(desks))
    )
    return (
        statement.replace("{SERVICE}", service).replace("{PREFIX}", prefix).replace("{DESK}", desk)
    )


# Ticket i: day i / PER_DAY days before yesterday, drawn at 07:00 UTC + 20 s per ticket of the
# day; i % 20 < 17 done (called after 10 min, started 30 s later, finished 10 min later),
# 17 and 18 no-show (15 min), 19 cancelled (5 min). Status token "hist-<i>".
_STATUS = "CASE WHEN i % 20 < 17 THEN 'done' WHEN i % 20 < 19 THEN 'no_show' ELSE 'cancelled' END"
_FINISH_SECONDS = "CASE WHEN i % 20 < 17 THEN 1230 WHEN i % 20 < 19 THEN 900 ELSE 300 END"
_EVENT_TYPES = (
    "CASE j WHEN 0 THEN 'ticket.created' WHEN 1 THEN 'ticket.called' "
    "WHEN 2 THEN (CASE WHEN i % 20 < 17 THEN 'ticket.started' ELSE 'ticket.recalled' END) "
    "ELSE (CASE WHEN i % 20 < 17 THEN 'ticket.finished' WHEN i % 20 < 19 "
    "THEN 'ticket.no_show' ELSE 'ticket.cancelled' END) END"
)
_EVENT_SECONDS = "CASE j WHEN 0 THEN 0 WHEN 1 THEN 600 WHEN 2 THEN 630 ELSE 1230 END"

_SQLITE_SERIES = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :n) "
_SQLITE_AT = "strftime('%Y-%m-%d %H:%M:%S', date('now', '-' || (i / :per_day + 1) || ' days'), "
_SQLITE = (
    _SQLITE_SERIES
    + "INSERT INTO tickets (id, site_id, service_id, day, number, prefix, priority, language, "
    "status, status_token, desk_id, target_desk_id, created_at, queued_at, called_at, "
    "started_at, finished_at, recall_count, transfer_count, issued_offline) "
    "SELECT :t0 + i + 1, :site, {SERVICE}, date('now', '-' || (i / :per_day + 1) || ' days'), "
    "i % :per_day + 1, {PREFIX}, 'normal', 'de', " + _STATUS + ", 'hist-' || i, "
    "{DESK}, NULL, "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20) || ' seconds') || '.000000', "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20) || ' seconds') || '.000000', "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20 + 600) || ' seconds') || '.000000', "
    "CASE WHEN i % 20 < 17 THEN "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20 + 630) || ' seconds') || '.000000' END, "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20 + "
    + _FINISH_SECONDS
    + ") || ' seconds') || '.000000', "
    "CASE WHEN i % 20 >= 17 THEN 1 ELSE 0 END, 0, 0 FROM n",
    _SQLITE_SERIES + "INSERT INTO cases (ticket_id, steps_done, outcome, notes, case_reference, "
    "forward_reason, extra, updated_at, purged_at) "
    "SELECT :t0 + i + 1, '[\"id_checked\"]', 'completed', "
    "CASE WHEN i / :per_day + 1 < :purge_days THEN 'Notiz zum Anliegen ' || i ELSE '' END, "
    "CASE WHEN i / :per_day + 1 < :purge_days THEN 'AZ-' || i ELSE '' END, '', '{}', "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20 + 1230) || ' seconds') || '.000000', "
    "CASE WHEN i / :per_day + 1 >= :purge_days THEN "
    "strftime('%Y-%m-%d %H:%M:%S', 'now') || '.000000' END "
    "FROM n WHERE i % 20 < 17",
    "WITH RECURSIVE n(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM n WHERE m < :n4) "
    "INSERT INTO events (id, site_id, seq, type, at, actor, desk_code, ticket_id, data) "
    "SELECT :e0 + 4 * i + j + 1, :site, :seq0 + 4 * i + j + 1, "
    + _EVENT_TYPES
    + ", "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20 + "
    + _EVENT_SECONDS
    + ") || ' seconds') || '.000000', "
    "CASE j WHEN 0 THEN 'device:1' ELSE 'user:1' END, CASE j WHEN 0 THEN NULL ELSE '1' END, "
    ":t0 + i + 1, "
    '\'{"ticket": {"id": \' || (:t0 + i + 1) || \', "number": "A\' || (i % :per_day + 1) || '
    '\'", "status": "done", "priority": "normal", "desk": "1"}}\' '
    "FROM (SELECT m / 4 AS i, m % 4 AS j FROM n)",
    _SQLITE_SERIES
    + "INSERT INTO pickups (site_id, ticket_id, token_hash, document_kind, document_detail, "
    "case_reference, holder_name, status, created_at, created_by, ready_at, ready_by, "
    "closed_at, closed_by, purged_at) "
    "SELECT :site, :t0 + i + 1, 'hist-' || i, 'passport', '', "
    "CASE WHEN i / :per_day + 1 < 45 THEN 'AZ-' || i ELSE '' END, "
    "CASE WHEN i / :per_day + 1 < 45 THEN 'Vorname Nachname' ELSE '' END, "
    "CASE WHEN i / :per_day + 1 < 14 THEN 'ordered' ELSE 'handed_over' END, "
    + _SQLITE_AT
    + "'+7 hours', '+' || (i % :per_day * 20 + 1230) || ' seconds') || '.000000', 'user:1', "
    "CASE WHEN i / :per_day + 1 >= 14 THEN "
    + _SQLITE_AT
    + "'+7 days', '+7 hours') || '.000000' END, "
    "CASE WHEN i / :per_day + 1 >= 14 THEN 'user:1' END, "
    "CASE WHEN i / :per_day + 1 >= 14 THEN "
    + _SQLITE_AT
    + "'+14 days', '+7 hours') || '.000000' END, "
    "CASE WHEN i / :per_day + 1 >= 14 THEN 'user:1' END, "
    "CASE WHEN i / :per_day + 1 >= 45 THEN strftime('%Y-%m-%d %H:%M:%S', 'now') || '.000000' END "
    "FROM n WHERE i % 20 < 2",
)

_PG_DAY = "(current_date - (i / :per_day + 1))"
_PG_AT = "((" + _PG_DAY + " + time '07:00')::timestamp AT TIME ZONE 'UTC' + make_interval(secs => "
_POSTGRES = (
    "INSERT INTO tickets (id, site_id, service_id, day, number, prefix, priority, language, "
    "status, status_token, desk_id, target_desk_id, created_at, queued_at, called_at, "
    "started_at, finished_at, recall_count, transfer_count, issued_offline) "
    "SELECT :t0 + i + 1, :site, {SERVICE}, " + _PG_DAY + ", i % :per_day + 1, {PREFIX}, "
    "'normal', 'de', "
    + _STATUS
    + ", 'hist-' || i, {DESK}, NULL, "
    + _PG_AT
    + "i % :per_day * 20)), "
    + _PG_AT
    + "i % :per_day * 20)), "
    + _PG_AT
    + "i % :per_day * 20 + 600)), "
    "CASE WHEN i % 20 < 17 THEN "
    + _PG_AT
    + "i % :per_day * 20 + 630)) END, "
    + _PG_AT
    + "i % :per_day * 20 + "
    + _FINISH_SECONDS
    + ")), CASE WHEN i % 20 >= 17 THEN 1 ELSE 0 END, 0, false "
    "FROM generate_series(0, :n) AS i",
    "INSERT INTO cases (ticket_id, steps_done, outcome, notes, case_reference, "
    "forward_reason, extra, updated_at, purged_at) "
    "SELECT :t0 + i + 1, '[\"id_checked\"]', 'completed', "
    "CASE WHEN i / :per_day + 1 < :purge_days THEN 'Notiz zum Anliegen ' || i ELSE '' END, "
    "CASE WHEN i / :per_day + 1 < :purge_days THEN 'AZ-' || i ELSE '' END, '', '{}', "
    + _PG_AT
    + "i % :per_day * 20 + 1230)), "
    "CASE WHEN i / :per_day + 1 >= :purge_days THEN now() END "
    "FROM generate_series(0, :n) AS i WHERE i % 20 < 17",
    "INSERT INTO events (id, site_id, seq, type, at, actor, desk_code, ticket_id, data) "
    "SELECT :e0 + 4 * i + j + 1, :site, :seq0 + 4 * i + j + 1, "
    + _EVENT_TYPES
    + ", "
    + _PG_AT
    + "i % :per_day * 20 + "
    + _EVENT_SECONDS
    + ")), CASE j WHEN 0 THEN 'device:1' ELSE 'user:1' END, "
    "CASE j WHEN 0 THEN NULL ELSE '1' END, :t0 + i + 1, "
    '(\'{"ticket": {"id": \' || (:t0 + i + 1) || \', "number": "A\' || (i % :per_day + 1) || '
    '\'", "status": "done", "priority": "normal", "desk": "1"}}\')::json '
    "FROM (SELECT m / 4 AS i, m % 4 AS j FROM generate_series(0, :n4) AS m) AS x",
    "INSERT INTO pickups (site_id, ticket_id, token_hash, document_kind, document_detail, "
    "case_reference, holder_name, status, created_at, created_by, ready_at, ready_by, "
    "closed_at, closed_by, purged_at) "
    "SELECT :site, :t0 + i + 1, 'hist-' || i, 'passport', '', "
    "CASE WHEN i / :per_day + 1 < 45 THEN 'AZ-' || i ELSE '' END, "
    "CASE WHEN i / :per_day + 1 < 45 THEN 'Vorname Nachname' ELSE '' END, "
    "CASE WHEN i / :per_day + 1 < 14 THEN 'ordered' ELSE 'handed_over' END, "
    + _PG_AT
    + "i % :per_day * 20 + 1230)), 'user:1', "
    "CASE WHEN i / :per_day + 1 >= 14 THEN " + _PG_AT + "7 * 86400)) END, "
    "CASE WHEN i / :per_day + 1 >= 14 THEN 'user:1' END, "
    "CASE WHEN i / :per_day + 1 >= 14 THEN " + _PG_AT + "14 * 86400)) END, "
    "CASE WHEN i / :per_day + 1 >= 14 THEN 'user:1' END, "
    "CASE WHEN i / :per_day + 1 >= 45 THEN now() END "
    "FROM generate_series(0, :n) AS i WHERE i % 20 < 2",
    # Explicit ids above: the sequences continue after them.
    "SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))",
    "SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))",
)


# The servers ---------------------------------------------------------------------------------


@contextmanager
def _database(kind: str, workdir: Path, name: str) -> Iterator[str]:
    if kind == "postgres":
        with load.postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{workdir / (name + '.sqlite3')}"


@contextmanager
def _server(db_url: str, workdir: Path, name: str) -> Iterator[load.OwnServer]:
    port = load.free_port()
    command = [
        *load._tresen(),
        "server",
        "--db",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with load.started_server(command, port, workdir / f"{name}-server.log", timeout=300) as server:
        yield server


# Measuring -----------------------------------------------------------------------------------


def _timed(timed: dict[str, float], name: str, expected: int, call: Any, *args: Any) -> Any:
    started = time.perf_counter()
    answer = call(*args)
    timed[name] = time.perf_counter() - started
    load._check(answer, expected, name)
    return answer


class Site:
    """One server under test with its kiosk, desk and status-page clients, and its samples."""

    def __init__(self, server: load.OwnServer, waiting: int) -> None:
        import requests

        self.server = server
        self.status_page = requests.Session()
        self.kiosk, self.services = load._kiosk_setup(server.url, 1)
        self.desk = load._desk_setup(server.url, 1)
        for index in range(waiting):
            answer = self.kiosk.post(
                f"/sites/{load.SITE}/tickets", {"service_id": self.services[index % 3]}
            )
            load._check(answer, 201, "fill the queue")
        self.samples: dict[str, list[float]] = {name: [] for name in OPERATIONS}
        self.cpu_before = 0.0

    def round(self, index: int, counted: bool) -> None:
        """Create, status page, call-next, start, finish, GET queue: the queue keeps its size."""
        timed: dict[str, float] = {}
        created = _timed(
            timed,
            "create ticket",
            201,
            self.kiosk.post,
            f"/sites/{load.SITE}/tickets",
            {"service_id": self.services[index % 3]},
        )
        url = f"{self.server.url}/t/{created.json()['status_token']}/state"
        _timed(timed, "status page", 200, self.status_page.get, url)
        called = _timed(
            timed, "call-next", 200, self.desk.post, f"/sites/{load.SITE}/desks/1/call-next"
        )
        ticket = called.json()["id"]
        _timed(timed, "start", 200, self.desk.post, f"/tickets/{ticket}/start")
        finish = (f"/tickets/{ticket}/finish", {"outcome": "completed"})
        _timed(timed, "finish", 200, self.desk.post, *finish)
        _timed(timed, "GET queue", 200, self.desk.get, f"/sites/{load.SITE}/queue?desk=1")
        if counted:
            for name, seconds in timed.items():
                self.samples[name].append(seconds)

    def cpu_seconds(self) -> float:
        return load.process_cpu_seconds(self.server.process.pid) or 0.0


def measure(sites: dict[str, Site], rounds: int) -> dict[str, dict[str, Any]]:
    """``rounds`` rounds at each site, taking turns (so both meet the same load from other work
    on the machine); the first few rounds warm up and are not counted."""
    warm_up = min(10, rounds // 5)
    order = list(sites)
    for index in range(warm_up + rounds):
        if index == warm_up:
            for site in sites.values():
                site.cpu_before = site.cpu_seconds()
        for name in order if index % 2 == 0 else reversed(order):
            sites[name].round(index, counted=index >= warm_up)
    return {
        name: {
            "operations": {op: load.summarise(v, 1.0) for op, v in site.samples.items()},
            "server_cpu_ms_per_request": (site.cpu_seconds() - site.cpu_before)
            * 1000
            / (rounds * len(OPERATIONS)),
        }
        for name, site in sites.items()
    }


def _indexes_of_0006(db_url: str) -> None:
    """The big site's tables with the indexes they had before migration 0008, to compare."""
    engine = create_engine(db_url)
    with engine.begin() as connection:
        for name in (
            "ix_tickets_site_status_finished",
            "ix_tickets_desk_status",
            "ix_events_site_at",
            "ix_pickups_site_status_created",
            "ix_pickups_site_created",
        ):
            connection.execute(text(f"DROP INDEX {name}"))
        connection.execute(text("CREATE INDEX ix_tickets_site_status ON tickets (site_id, status)"))
        connection.execute(text("CREATE INDEX ix_pickups_site_status ON pickups (site_id, status)"))
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE tickets, events, pickups"))
    engine.dispose()


def run(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, dict[str, Any]]:
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        built = 0.0
        for name, tickets in (("new", 0), ("big", args.tickets)):
            urls[name] = stack.enter_context(_database(kind, workdir, name))
            load.apply_site_file(urls[name])
            if tickets:
                print(f"{name}: writing {tickets:,} finished tickets of past days ...", flush=True)
                built = build_history(urls[name], tickets)
                print(f"{name}: history written in {built:.0f} s", flush=True)
        if args.indexes_0006:
            _indexes_of_0006(urls["big"])
        servers = {
            name: stack.enter_context(_server(url, workdir, name)) for name, url in urls.items()
        }
        print(f"both servers up; {args.rounds} rounds each, taking turns ...", flush=True)
        load_now = load.load_average()
        figures = measure(
            {name: Site(server, args.waiting) for name, server in servers.items()}, args.rounds
        )
        figures["big"]["build_seconds"] = built
        figures["big"]["load_measured"] = load_now
        if kind == "sqlite":
            path = Path(urls["big"].removeprefix("sqlite:///"))
            figures["big"]["file_mb"] = path.stat().st_size / 1e6
    return figures


def print_report(report: dict[str, Any]) -> None:
    machine, setup = report["machine"], report["setup"]
    print()
    print(
        f"Tresen history benchmark: {setup['tickets']:,} finished tickets of past days at the "
        f"big site; {setup['waiting']} waiting; {setup['rounds']} rounds, one request at a time"
    )
    print(
        f"machine:  {machine['cores']} cores, {machine['cpu']}, {machine['os']}, "
        f"Python {machine['python']}"
    )
    print(f"database: {machine['database']}")
    print(
        f"load average before the run: {machine['load_before']}, when measuring: "
        f"{report['big']['load_measured']} (other work on the machine skews the figures)"
    )
    if setup["indexes_0006"]:
        print("the big site has the indexes of before migration 0008 (--indexes-0006)")
    print()
    header = f"{'operation':<16}{'new p50':>10}{'new p99':>10}{'big p50':>10}{'big p99':>10}"
    print(header + "\n" + "-" * len(header) + "   (ms)")
    new, big = report["new"]["operations"], report["big"]["operations"]
    for name in OPERATIONS:
        print(
            f"{name:<16}{new[name]['p50_ms']:>10.1f}{new[name]['p99_ms']:>10.1f}"
            f"{big[name]['p50_ms']:>10.1f}{big[name]['p99_ms']:>10.1f}"
        )
    print()
    print(
        f"server CPU per request: new {report['new']['server_cpu_ms_per_request']:.1f} ms, "
        f"big {report['big']['server_cpu_ms_per_request']:.1f} ms; history written in "
        f"{report['big']['build_seconds']:.0f} s"
        + (
            f"; big SQLite file {report['big']['file_mb']:.0f} MB"
            if "file_mb" in report["big"]
            else ""
        )
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--tickets", type=int, default=1_000_000, help="finished tickets at the big site"
    )
    parser.add_argument("--rounds", type=int, default=150, help="measured rounds per site")
    parser.add_argument("--waiting", type=int, default=30, help="tickets waiting throughout")
    parser.add_argument(
        "--indexes-0006",
        action="store_true",
        help="give the big site the indexes of before migration 0008 (to compare)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not 1 <= args.tickets <= 5_000_000:
        parser.error("--tickets must be between 1 and 5,000,000")
    if not 10 <= args.rounds <= 5000:
        parser.error("--rounds must be between 10 and 5000")
    if not 1 <= args.waiting <= 500:
        parser.error("--waiting must be between 1 and 500")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    machine = {
        "cores": os.cpu_count(),
        "cpu": load.cpu_model(),
        "os": load.os_name(),
        "python": platform.python_version(),
        "load_before": load.load_average(),
    }
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tresen-hist-")))
        figures = run(args.db, args, workdir)
        new, big = figures["new"], figures["big"]
    machine["database"] = load.database_description(args.db, None)
    report = {
        "machine": machine,
        "setup": {
            "tickets": args.tickets,
            "waiting": args.waiting,
            "rounds": args.rounds,
            "indexes_0006": args.indexes_0006,
        },
        "new": new,
        "big": big,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
