"""Statistics benchmark: a generated year of a city's 30 sites, then statistics requests and
reports timed against it (issue 14).

::

    python bench/stats_year.py [--db sqlite|postgres] [--tickets 1500000] [--rounds 9]
                               [--keep | --existing URL] [--json FILE]

Builds a fresh database (a SQLite file in a temporary folder, or a new PostgreSQL database on
127.0.0.1:5432 that is dropped afterwards) with 30 sites in three organisations ("koeln": 20
sites, "bonn": 6, "krefeld": 4), each with six services, eight desks and a clerk per desk, and
writes the tickets of one year straight into it: ``--tickets`` finished tickets over the working
days (Monday to Friday) of 2025-12-01 .. 2026-11-30, 7:00-18:00 local time with a morning peak;
70 % walk-ins, 25 % appointments, 3 % urgent, 1 % issued offline; waits around 12 minutes with
a long tail, handling around 9 minutes; 85 % done (with an outcome), 8 % no-shows, 4 % cancelled
in the queue, 3 % transferred once; an estimate at issue for the online ones; feedback for
8 % of the done ones. Cases and feedback rows as the server writes them.

Then it measures, in this process, what the endpoint does without HTTP: the service layer's
answer as the endpoint asks for it (``written=True``: the groups by day and service as their rows
wrote them) and its JSON as the endpoint writes it (``StatisticsResponse``), with the garbage
collector set up as in a server process (``tune_garbage_collection``); ``bench/stats_http.py``
asks a real server over HTTP:

1. **summing up** every site's year once (what the first statistics request after the upgrade
   does, site by site, in transactions of 31 days);
2. **requests** for a year, each ``--rounds`` times: one site and the organisation "koeln" (20
   sites, two thirds of the tickets), totals, group day / hour / weekday_hour, by service,
   by desk, group hour by service; median and p99 (of few rounds: about the slowest);
3. **the report** (``tresen admin report``: four views) as XLSX for one site and for "koeln".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text

from central_server import migrate
from central_server.admin import site_file
from central_server.auth.principal import Principal, Role
from central_server.db import Database
from central_server.models import (
    Case,
    Desk,
    Service,
    Site,
    Ticket,
    TicketFeedback,
    User,
    user_sites,
)
from central_server.serve import tune_garbage_collection
from central_server.statistics import report, service
from central_server.statistics.endpoints import StatisticsResponse
from resources.i18n import CITIZEN_LANGUAGES

FIRST_DAY = date(2025, 12, 1)
LAST_DAY = date(2026, 11, 30)
ZONE = ZoneInfo("Europe/Berlin")
ORGANISATIONS = (
    ("koeln", "Stadt Köln", 20),
    ("bonn", "Bundesstadt Bonn", 6),
    ("krefeld", "Stadt Krefeld", 4),
)
SERVICES = (("A", 20, 8), ("B", 20, 12), ("C", 30, 20), ("D", 15, 6), ("E", 20, 10), ("F", 25, 15))
DESKS = 8
OUTCOMES = (
    ("completed", 0.8),
    ("documents_missing", 0.1),
    ("referred", 0.05),
    ("follow_up", 0.04),
    ("withdrawn", 0.01),
)
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _names(text_: str) -> dict[str, str]:
    return {lang: text_ for lang in CITIZEN_LANGUAGES}


def _spec(number: int, organisation: tuple[str, str]) -> dict[str, Any]:
    slug = f"site-{number:02d}"
    return {
        "site": {
            "slug": slug,
            "name": f"Bürgeramt {number:02d}",
            "staff_statistics": number % 2 == 0,
        },
        "organisation": {"slug": organisation[0], "name": organisation[1]},
        "services": [
            {
                "key": f"s{prefix.lower()}",
                "prefix": prefix,
                "names": _names(f"Dienstleistung {prefix}"),
                "target_wait_minutes": target,
                "default_service_minutes": minutes,
            }
            for prefix, target, minutes in SERVICES
        ],
        "desks": [
            {"code": str(d), "name": f"Platz {d}", "services": [p for p, _t, _m in SERVICES]}
            for d in range(1, DESKS + 1)
        ],
        "users": [
            {"username": f"{slug}-c{d}", "roles": ["clerk"], "password": "bench-password"}
            for d in range(1, DESKS + 1)
        ],
    }


def build(db: Database, tickets: int, seed: int = 14) -> dict[str, Any]:
    """The 30 sites and the year's tickets; returns counts."""
    number = 0
    for org_slug, org_name, count in ORGANISATIONS:
        for _ in range(count):
            number += 1
            site_file.apply(
                db, site_file.SiteFile.model_validate(_spec(number, (org_slug, org_name)))
            )
    rng = random.Random(seed)
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    days = [d for d in days if d.isoweekday() <= 5]
    with db.read_session() as session:
        sites = list(session.scalars(select(Site).order_by(Site.id)))
        services = {
            s.id: [x for x in session.scalars(select(Service).where(Service.site_id == s.id))]
            for s in sites
        }
        desks = {
            s.id: [d.id for d in session.scalars(select(Desk).where(Desk.site_id == s.id))]
            for s in sites
        }
        clerks = {
            s.id: [
                u
                for u in session.scalars(
                    select(User.id).join(user_sites).where(user_sites.c.site_id == s.id)
                )
            ]
            for s in sites
        }
    per_site_day = tickets / (len(sites) * len(days))
    ticket_id = 0
    written = {"tickets": 0, "cases": 0, "feedback": 0}
    engine = db.engine
    for site in sites:
        rows: list[dict[str, Any]] = []
        cases: list[dict[str, Any]] = []
        feedback: list[dict[str, Any]] = []
        weights = [6, 5, 2, 3, 2, 1]
        for day in days:
            n = max(1, int(rng.gauss(per_site_day, per_site_day * 0.15)))
            numbers: dict[str, int] = {}
            for _ in range(n):
                ticket_id += 1
                service_row = rng.choices(services[site.id], weights)[0]
                prefix = service_row.prefix
                numbers[prefix] = numbers.get(prefix, 0) + 1
                # arrivals 7:00-18:00, peak around 9-11
                minute_of_day = min(659, max(0, int(rng.gauss(200, 140)))) + 7 * 60
                issued = datetime.combine(day, datetime.min.time(), ZONE) + timedelta(
                    minutes=minute_of_day, seconds=rng.randrange(60)
                )
                issued = issued.astimezone(UTC)
                r = rng.random()
                priority = "normal" if r < 0.72 else ("appointment" if r < 0.97 else "urgent")
                offline = rng.random() < 0.01
                wait = (
                    rng.expovariate(1 / 12) * 60
                    if priority == "normal"
                    else rng.expovariate(1 / 4) * 60
                )
                handling = (
                    math.exp(rng.gauss(math.log(service_row.default_service_minutes), 0.5)) * 60
                )
                fate = rng.random()
                status = (
                    "done"
                    if fate < 0.85
                    else ("no_show" if fate < 0.93 else ("cancelled" if fate < 0.97 else "done"))
                )
                transferred = fate >= 0.97
                called = issued + timedelta(seconds=wait) if status != "cancelled" else None
                started = called + timedelta(seconds=30) if status == "done" and called else None
                finished = (
                    started + timedelta(seconds=handling)
                    if started
                    else (
                        called + timedelta(minutes=3) if called else issued + timedelta(minutes=40)
                    )
                )
                desk = rng.choice(desks[site.id]) if called else None
                estimate = None if offline else max(0, int(wait / 60 + rng.gauss(0, 5)))
                rows.append(
                    {
                        "id": ticket_id,
                        "site_id": site.id,
                        "service_id": service_row.id,
                        "day": day,
                        "number": numbers[prefix],
                        "prefix": prefix,
                        "priority": priority,
                        "language": "de",
                        "status": status,
                        "status_token": f"b{ticket_id}",
                        "desk_id": desk,
                        "target_desk_id": None,
                        "created_at": issued,
                        "queued_at": issued,
                        "called_at": called,
                        "first_called_at": called,
                        "started_at": started,
                        "finished_at": finished,
                        "recall_count": 0,
                        "transfer_count": 1 if transferred else 0,
                        "issued_offline": offline,
                        "estimated_wait_minutes": estimate,
                        "served_by_user_id": rng.choice(clerks[site.id]) if called else None,
                    }
                )
                if status == "done":
                    outcome = rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0]
                    cases.append(
                        {
                            "ticket_id": ticket_id,
                            "steps_done": [],
                            "outcome": outcome,
                            "notes": "",
                            "case_reference": "",
                            "forward_reason": "",
                            "cancel_reason": "",
                            "extra": {},
                            "updated_at": finished,
                        }
                    )
                    if rng.random() < 0.08:
                        feedback.append(
                            {
                                "ticket_id": ticket_id,
                                "site_id": site.id,
                                "service_id": service_row.id,
                                "day": day,
                                "score": rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 4, 6])[0],
                                "given_at": finished,
                            }
                        )
        with engine.begin() as connection:
            for start in range(0, len(rows), 20000):
                connection.execute(insert(Ticket.__table__), rows[start : start + 20000])
            for start in range(0, len(cases), 20000):
                connection.execute(insert(Case.__table__), cases[start : start + 20000])
            if feedback:
                connection.execute(insert(TicketFeedback.__table__), feedback)
        written["tickets"] += len(rows)
        written["cases"] += len(cases)
        written["feedback"] += len(feedback)
        print(f"  {site.slug}: {len(rows)} tickets", flush=True)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                text("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))")
            )
    return written


def _timed(function: Callable[[], Any], rounds: int) -> tuple[float, float, Any]:
    times = []
    result = None
    for _ in range(rounds):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, math.ceil(0.99 * len(times)) - 1)]
    return times[len(times) // 2], p99, result


ADMIN = Principal(kind="user", id=0, name="bench", roles=frozenset({Role.ADMIN}), site_ids=None)


def measure(db: Database, rounds: int, out_dir: Path) -> dict[str, Any]:
    tune_garbage_collection()  # as a server process does
    figures: dict[str, Any] = {}
    with db.read_session() as session:
        sites = list(session.scalars(select(Site).order_by(Site.id)))
    start = time.perf_counter()
    for site in sites:
        service.bring_up_to_date(db, site, LAST_DAY)
    figures["sum up the year (all 30 sites, once)"] = round((time.perf_counter() - start) * 1000)
    with db.read_session() as session:
        counts = {
            table: session.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("tickets", "figures")
        }
    figures["rows"] = counts
    print(
        f"summed up in {figures['sum up the year (all 30 sites, once)']} ms; rows: {counts}",
        flush=True,
    )
    first, last = FIRST_DAY.isoformat(), LAST_DAY.isoformat()
    requests = [
        ("totals", None, None),
        ("group=day", "day", None),
        ("group=week", "week", None),
        ("group=hour", "hour", None),
        ("group=weekday_hour", "weekday_hour", None),
        ("by=service", None, "service"),
        ("by=desk", None, "desk"),
        ("group=hour&by=service", "hour", "service"),
        ("group=day&by=service", "day", "service"),
        # the supervisor's charts split by desk (summed up since migration 0018)
        ("group=day&by=desk", "day", "desk"),
        ("group=hour&by=desk", "hour", "desk"),
        ("group=weekday_hour&by=desk", "weekday_hour", "desk"),
        ("group=weekday_hour&by=service", "weekday_hour", "service"),
        ("group=week&by=service", "week", "service"),
    ]
    timings: list[dict[str, Any]] = []
    #: A year of whole months, and two that are not (the days around the months from day
    #: rows): a few days off each end, and half a month (the heaviest: a supervisor's "the last
    #: twelve months" from the middle of one): each with the requests of the supervisor's charts.
    periods = [
        (first, last, "", requests),
        ("2025-12-04", "2026-11-27", " (not whole months)", requests[:2] + requests[3:6]),
        (
            "2025-12-16",
            "2026-11-15",
            " (from mid-month)",
            [requests[3], requests[4], requests[7], *requests[9:]],
        ),
    ]
    plan = [
        (scope, (start, end, note), request)
        for scope in ("one site", "organisation koeln (20 sites)")
        for start, end, note, asked in periods
        for request in asked
    ]
    reads: list[tuple[str, str, Callable[[], Any]]] = []
    for scope, (start, end, note), (label, group, by) in plan:
        if scope == "one site":

            def read(g: Any = group, b: Any = by, f: str = start, t: str = end) -> Any:
                return service.site_statistics(
                    db, "site-01", ADMIN, f, t, g, b, None, None, written=True
                )

        else:

            def read(g: Any = group, b: Any = by, f: str = start, t: str = end) -> Any:
                return service.organisation_statistics(
                    db, "koeln", ADMIN, f, t, None, g, b, None, None, written=True
                )

        reads.append((scope, label + note, read))
    # What no summed-up level holds is read from the tickets: figures per clerk (only where the
    # site file allows them: site-02 does), and hours of one desk.
    with db.read_session() as session:
        desk = session.scalar(
            select(Desk.id).join(Site, Site.id == Desk.site_id).where(Site.slug == "site-01")
        )
    reads += [
        (
            "one site (site-02)",
            "by=clerk",
            lambda: service.site_statistics(
                db, "site-02", ADMIN, first, last, None, "clerk", None, None
            ),
        ),
        (
            "one site",
            "group=hour, one desk",
            lambda: service.site_statistics(
                db, "site-01", ADMIN, first, last, "hour", None, None, desk
            ),
        ),
        (
            "organisation koeln (20 sites)",
            "group=hour, one desk",
            lambda: service.organisation_statistics(
                db, "koeln", ADMIN, first, last, None, "hour", None, None, desk
            ),
        ),
    ]
    for scope, label, read in reads:

        def call(read: Callable[[], Any] = read) -> Any:
            answer = read()
            StatisticsResponse(answer)  # the JSON written, as the endpoint does
            return answer

        median, p99, answer = _timed(call, rounds)
        arrivals, groups = answer["totals"]["arrivals"], len(answer["groups"])
        timings.append(
            {
                "scope": scope,
                "request": label,
                "median_ms": round(median, 1),
                "p99_ms": round(p99, 1),
                "arrivals": arrivals,
                "groups": groups,
            }
        )
        print(
            f"{scope:32} {label:44} median {median:8.1f} ms  p99 {p99:8.1f} ms  "
            f"({arrivals} tickets, {groups} groups)",
            flush=True,
        )
    for scope, site, organisation in (
        ("one site", "site-01", None),
        ("organisation koeln", None, "koeln"),
    ):

        def write(site: str | None = site, organisation: str | None = organisation) -> None:
            built = report.build(db, site, organisation, first, last)
            report.write_xlsx(built, out_dir / "report.xlsx")

        median, p99, _ = _timed(write, max(3, rounds // 3))
        timings.append(
            {
                "scope": scope,
                "request": "report (xlsx, 4 views)",
                "median_ms": round(median, 1),
                "p99_ms": round(p99, 1),
            }
        )
        print(
            f"{scope:32} {'report (xlsx, 4 views)':24} median {median:8.1f} ms  p99 {p99:8.1f} ms",
            flush=True,
        )
    figures["timings"] = timings
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--tickets", type=int, default=1_500_000)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--existing",
        metavar="URL",
        help="measure a database built before (with --keep) instead of building one",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database (SQLite file or PostgreSQL database; its URL is printed)",
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tresen-stats-"))
    pg_name = None
    if args.existing:
        db = Database(args.existing)
        try:
            print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()}; {args.existing}")
            figures = measure(db, args.rounds, folder)
            if args.json:
                args.json.write_text(json.dumps(figures, indent=2, default=str))
        finally:
            db.dispose()
            shutil.rmtree(folder, ignore_errors=True)
        return
    if args.db == "sqlite":
        url = f"sqlite:///{folder / 'year.sqlite3'}"
    else:
        import psycopg

        pg_name = f"tresen_stats_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_ADMIN.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{pg_name}"
    db = Database(url)
    try:
        migrate.upgrade(db.engine)
        print(
            f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
            f"load {os.getloadavg()}; database {args.db}",
            flush=True,
        )
        start = time.perf_counter()
        written = build(db, args.tickets)
        print(f"built {written} in {time.perf_counter() - start:.0f} s", flush=True)
        figures = measure(db, args.rounds, folder)
        figures.update({"db": args.db, "written": written, "load_after": os.getloadavg()})
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2, default=str))
    finally:
        db.dispose()
        if args.keep:
            print(f"kept: {url}")
        elif pg_name is None:
            shutil.rmtree(folder, ignore_errors=True)
        if pg_name is not None and not args.keep:
            import psycopg

            with psycopg.connect(POSTGRES_ADMIN.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
