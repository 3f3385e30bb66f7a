"""A site's history: what the request paths read of it, and the case text it forgets.

* The statements the server runs for the requests of a working day (kiosk, desk, display,
  status page, pickup desk) and for its housekeeping read the tables that grow with every
  ticket (tickets, cases, events, pickups, ...) through an index, never by reading or sorting
  all of a site's history: the database's own plan says so (``EXPLAIN QUERY PLAN`` on SQLite,
  ``EXPLAIN`` on PostgreSQL). How fast that is with a million tickets is measured by
  ``bench/history.py``.
* The case notes, case references and forwarding reasons of tickets finished more than
  ``TRESEN_CASE_PURGE_DAYS`` days ago are erased; times, steps and outcomes stay.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import event, select, update

from bench.history import build_history
from central_server.models import Case, Event, Site, Ticket
from central_server.models._types import utcnow
from central_server.tickets import purge
from tests.support.api import act, call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer, free_port
from tests.support.server_process import run_tresen, tresen_env
from tests.support.waits import ANSWER_S

NOTES = "Wohnungsgeberbestätigung fehlt; Frau K. bringt sie am Montag"
REFERENCE = "AZ-2026-4711"
REASON = "Rückfrage zur Meldeadresse im Backoffice"


# Erasing case text ---------------------------------------------------------------------------


def _served(kiosk: ApiClient, clerk: ApiClient, service_id: int) -> int:
    """A ticket called at desk 1 and being served there."""
    ticket = new_ticket(kiosk, service_id)
    called = call_next(clerk, "1")
    assert called is not None and called["id"] == ticket["id"]
    act(clerk, ticket["id"], "start")
    return int(ticket["id"])


def _finish(clerk: ApiClient, ticket_id: int, key: str | None = None) -> Any:
    body = {"outcome": "completed", "notes": NOTES, "case_reference": REFERENCE}
    headers = {"Idempotency-Key": key} if key else None
    answer = clerk.post(f"/tickets/{ticket_id}/finish", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _tickets_with_cases(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> dict[str, int]:
    """Tickets with case text: finished 31 days ago (done, done after a forwarding, no-show),
    finished 29 days ago, and one still waiting after a forwarding 31 days ago."""
    ids: dict[str, int] = {}
    ids["old_done"] = _served(kiosk, clerk, services["A"])
    _finish(clerk, ids["old_done"], key="finish-old-done")
    forwarded = _served(kiosk, clerk, services["A"])
    act(
        clerk,
        forwarded,
        "transfer",
        {"service_id": services["B"], "reason": REASON, "notes": NOTES},
    )
    assert call_next(clerk, "1") is not None
    act(clerk, forwarded, "start")
    _finish(clerk, forwarded)
    ids["old_forwarded_done"] = forwarded
    ticket = new_ticket(kiosk, services["A"])
    assert call_next(clerk, "1") is not None
    case = {"notes": NOTES, "case_reference": REFERENCE}
    assert clerk.put(f"/tickets/{ticket['id']}/case", json=case).status_code == 200
    act(clerk, ticket["id"], "no-show")
    ids["old_no_show"] = int(ticket["id"])
    ids["recent_done"] = _served(kiosk, clerk, services["A"])
    _finish(clerk, ids["recent_done"])
    waiting = _served(kiosk, clerk, services["A"])
    act(clerk, waiting, "transfer", {"service_id": services["C"], "reason": REASON, "notes": NOTES})
    ids["waiting"] = waiting
    # Time travel: each ticket finished (and its case was last written) that many days ago.
    days_ago = {"old_done": 31, "old_forwarded_done": 31, "old_no_show": 31, "recent_done": 29}
    assert server.db is not None
    with server.db.write_session() as session:
        for name, days in days_ago.items():
            then = utcnow() - timedelta(days=days)
            session.execute(update(Ticket).where(Ticket.id == ids[name]).values(finished_at=then))
            session.execute(update(Case).where(Case.ticket_id == ids[name]).values(updated_at=then))
        then = utcnow() - timedelta(days=31)
        session.execute(update(Ticket).where(Ticket.id == ids["waiting"]).values(created_at=then))
        session.execute(
            update(Case).where(Case.ticket_id == ids["waiting"]).values(updated_at=then)
        )
    return ids


def _events(server: LiveServer) -> list[Event]:
    assert server.db is not None
    with server.db.read_session() as session:
        return list(session.scalars(select(Event).order_by(Event.id)))


def test_case_text_of_tickets_finished_long_ago_is_erased_and_the_rest_kept(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    ids = _tickets_with_cases(server, kiosk, clerk, services)
    before = {name: clerk.get(f"/tickets/{i}").json() for name, i in ids.items()}
    assert server.db is not None
    # Two cases per transaction: the backlog is erased in several batches.
    assert purge.purge_case_text(server.db, 30, batch=2) == 3

    for name, ticket_id in ids.items():
        case = clerk.get(f"/tickets/{ticket_id}/case").json()
        text = (case["notes"], case["case_reference"], case["forward_reason"])
        if name.startswith("old"):
            assert text == ("", "", ""), name
        elif name == "recent_done":
            assert text == (NOTES, REFERENCE, ""), name
        else:
            assert text == (NOTES, "", REASON), name
        # The statistics keep times, statuses and outcomes.
        after = clerk.get(f"/tickets/{ticket_id}").json()
        for field in ("status", "created_at", "called_at", "started_at", "finished_at"):
            assert after[field] == before[name][field], (name, field)
    assert clerk.get(f"/tickets/{ids['old_done']}/case").json()["outcome"] == "completed"

    # One event for the site; no event ever carried the text.
    purged = [e for e in _events(server) if e.type == "cases.purged"]
    assert [(e.actor, e.data["count"]) for e in purged] == [("system", 3)]
    for logged in _events(server):
        data = json.dumps(logged.data, ensure_ascii=False)
        assert NOTES not in data and REFERENCE not in data and REASON not in data, logged.type

    # Nothing left to erase; a retried finish answers with the text as it is now: erased.
    assert purge.purge_case_text(server.db, 30) == 0
    assert len([e for e in _events(server) if e.type == "cases.purged"]) == 1
    replayed = _finish(clerk, ids["old_done"], key="finish-old-done")
    assert replayed["status"] == "done"
    assert replayed["case"]["notes"] == "" and replayed["case"]["case_reference"] == ""


def test_the_server_erases_old_case_text_by_itself(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    ids = _tickets_with_cases(server, kiosk, clerk, services)
    # Housekeeping runs when the server starts, then every hour.
    server.stop()
    server.start()
    deadline = time.monotonic() + ANSWER_S
    while clerk.get(f"/tickets/{ids['old_done']}/case").json()["notes"]:
        assert time.monotonic() < deadline, "the server did not erase the case text"
        time.sleep(0.05)
    assert clerk.get(f"/tickets/{ids['recent_done']}/case").json()["notes"] == NOTES


def test_the_purge_cases_command(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    ids = _tickets_with_cases(server, kiosk, clerk, services)
    done = run_tresen("admin", "purge-cases", "--days", "30", "--db", server.database_url)
    assert done.returncode == 0, done.stderr
    assert "case text of 3 tickets" in done.stdout
    assert clerk.get(f"/tickets/{ids['old_no_show']}/case").json()["case_reference"] == ""
    assert [e.actor for e in _events(server) if e.type == "cases.purged"] == ["admin"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [("0", "greater than or equal to 1"), ("4000", "less than or equal to 3650"), ("bald", "")],
)
def test_a_wrong_case_purge_days_is_refused_at_start(tmp_path, value: str, reason: str) -> None:
    env = tresen_env(
        TRESEN_DB=str(tmp_path / "amt.sqlite3"),
        TRESEN_PORT=str(free_port()),
        TRESEN_CASE_PURGE_DAYS=value,
    )
    result = run_tresen("server", env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TRESEN_CASE_PURGE_DAYS" in lines[0] and reason in lines[0], lines[0]


# What the request paths read -----------------------------------------------------------------

#: Tables that grow with every ticket, or every day, and are never emptied.
HISTORY_TABLES = (
    "tickets",
    "cases",
    "events",
    "pickups",
    "idempotency_records",
    "number_leases",
    "ticket_counters",
    "auth_tokens",
    "ticket_feedback",
)
_MENTIONS = re.compile(r"\b(" + "|".join(HISTORY_TABLES) + r")\b")


class Statements:
    """Every statement the server's engine runs while the block is open."""

    def __init__(self, server: LiveServer) -> None:
        assert server.db is not None
        self.engine = server.db.engine
        self.seen: list[tuple[str, Any]] = []

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if not executemany:
            self.seen.append((statement, parameters))

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)

    def reading_history(self) -> list[tuple[str, Any]]:
        """The distinct SELECT, UPDATE and DELETE statements that touch a history table."""
        found: dict[str, Any] = {}
        for statement, parameters in self.seen:
            verb = statement.lstrip().split(None, 1)[0].upper()
            if verb in ("SELECT", "UPDATE", "DELETE") and _MENTIONS.search(statement):
                found.setdefault(statement, parameters)
        return list(found.items())


def _whole_site_asked(statement: str) -> bool:
    """The statement asks for a site's rows in some order, up to a limit, nothing else."""
    return re.search(r"WHERE \w+\.site_id = \S+ ORDER BY .* LIMIT", statement, re.S) is not None


def _sqlite_problems(engine, statement: str, parameters: Any) -> list[str]:  # type: ignore[no-untyped-def]
    """What in SQLite's plan reads a whole history table or sorts more than a time range."""
    with engine.connect() as connection:
        plan = [
            row[-1]
            for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        ]
    tables = "|".join(HISTORY_TABLES)
    problems = [line for line in plan if re.match(rf"SCAN ({tables})\b", line)]
    # Found by the site alone, the rest filtered: every ticket or event the site ever had is
    # read, unless the site's rows are what is asked for, in the index's order, up to a limit.
    if not _whole_site_asked(statement):
        problems += [
            line for line in plan if re.match(rf"SEARCH ({tables}) .*\(site_id=\?\)$", line)
        ]
    bounded = any(re.search(r"USING .*INDEX .*[<>]", line) for line in plan)
    if any("TEMP B-TREE" in line for line in plan) and not bounded:
        problems.append("a sort over rows not bounded by a time range: " + " / ".join(plan))
    return problems


def _postgres_problems(engine, statement: str, parameters: Any) -> list[str]:  # type: ignore[no-untyped-def]
    """The same from PostgreSQL's plan. Tables this small are cheapest to read whole, so the
    plan is asked for with sequential scans priced out: a scan still chosen has no index."""
    with engine.connect() as connection:
        connection.exec_driver_sql("SET enable_seqscan = off")
        raw = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
        plan = raw.scalar()
        connection.rollback()
    if isinstance(plan, str):
        plan = json.loads(plan)
    problems: list[str] = []
    bounded = False

    def walk(node: dict[str, Any]) -> None:
        nonlocal bounded
        relation = node.get("Relation Name")
        kind = node["Node Type"]
        if relation in HISTORY_TABLES:
            condition = node.get("Index Cond") or node.get("Recheck Cond")
            if kind == "Seq Scan" or ("Index" in kind and not condition and "Bitmap" not in kind):
                problems.append(f"{kind} on {relation} without a condition on an index")
            site_only = condition and re.fullmatch(r"\(site_id = [^()]*\)", condition)
            if site_only and node.get("Filter") and not _whole_site_asked(statement):
                problems.append(f"{kind} on {relation} reads the whole site, then filters")
            if condition and re.search(r"[<>]", condition):
                bounded = True
        for child in node.get("Plans", ()):
            walk(child)

    root = plan[0]["Plan"]
    walk(root)
    sorts = json.dumps(plan).count('"Node Type": "Sort"')
    if sorts and not bounded:
        problems.append("a sort over rows not bounded by a time range")
    return problems


def _a_working_day(
    server: LiveServer,
    kiosk: ApiClient,
    clerk: ApiClient,
    display: ApiClient,
    services: dict[str, int],
    supervisor: ApiClient,
) -> None:
    """What kiosks, desks, displays, phones, the pickup desk and the supervisor ask during a
    day."""
    tickets = [new_ticket(kiosk, services[p]) for p in ("A", "B", "A")]
    for path in (f"/t/{tickets[0]['status_token']}/state", "/display/demo/state"):
        headers = {"Authorization": "Bearer demo-display"}
        assert requests.get(server.url + path, headers=headers, timeout=10).status_code == 200
    called = call_next(clerk, "1")
    assert called is not None
    act(clerk, called["id"], "recall")
    act(clerk, called["id"], "start")
    case = {"notes": NOTES, "case_reference": REFERENCE}
    assert clerk.put(f"/tickets/{called['id']}/case", json=case).status_code == 200
    act(clerk, called["id"], "park")
    act(clerk, called["id"], "resume", {"desk": "1"})
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    answer = clerk.post(
        f"/tickets/{called['id']}/finish", json={"outcome": "completed"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    answer = clerk.post(
        f"/tickets/{called['id']}/finish", json={"outcome": "completed"}, headers=headers
    )
    assert answer.status_code == 200, answer.text  # the remembered answer
    # The citizen's phone: the finished ticket's page asks, and the answer is kept.
    token = next(t["status_token"] for t in tickets if t["id"] == called["id"])
    state = requests.get(f"{server.url}/t/{token}/state", timeout=10)
    assert state.status_code == 200 and state.json()["feedback"] == "ask", state.text
    answer = requests.post(f"{server.url}/t/{token}/feedback", json={"score": 4}, timeout=10)
    assert answer.status_code == 201, answer.text
    second = call_next(clerk, "1")
    assert second is not None
    act(clerk, second["id"], "transfer", {"service_id": services["C"], "reason": REASON})
    third = call_next(clerk, "1")
    assert third is not None
    act(clerk, third["id"], "no-show")
    for path in (
        "/sites/demo/queue",
        "/sites/demo/queue?desk=1",
        "/sites/demo/desks",
        "/sites/demo/services",
        f"/tickets/{called['id']}",
        f"/tickets/{called['id']}/case",
        "/sites/demo/pickups",
        "/sites/demo/pickups?status=ready",
    ):
        assert clerk.get(path).status_code == 200, path
    # The supervisor's board, and steering.
    assert supervisor.get("/sites/demo/board").status_code == 200
    for action in ("stop", "resume"):
        answer = supervisor.post(f"/sites/demo/services/{services['B']}/{action}")
        assert answer.status_code == 200, answer.text
    desk = {"services": [services["C"], services["A"]]}
    assert supervisor.put("/sites/demo/desks/4/services", json=desk).status_code == 200
    lease = kiosk.post("/sites/demo/number-leases", json={"size": 5})
    assert lease.status_code == 201, lease.text
    leased = next(e for e in lease.json()["leases"] if e["prefix"] == "A")
    offline = {
        "lease_id": leased["id"],
        "number": leased["first"],
        "issued_at": (utcnow() - timedelta(minutes=1)).isoformat(),
        "status_token": uuid.uuid4().hex,
    }
    uploaded = kiosk.post(
        "/sites/demo/tickets", json={"service_id": services["A"], "offline": offline}
    )
    assert uploaded.status_code == 201, uploaded.text
    # A desk's event stream that reconnects: the events after the last one it saw.
    assert server.db is not None
    with server.db.read_session() as session:
        last = session.scalar(select(Site.last_event_seq).where(Site.slug == "demo"))
    after = int(last or 0) - 5
    with clerk.session.get(
        f"{clerk.base}/sites/demo/events", params={"after": after}, stream=True, timeout=10
    ) as events:
        assert events.status_code == 200
        assert next(events.iter_lines(decode_unicode=True)) is not None
    assert server.db is not None
    purge.purge_case_text(server.db, 30)


def test_the_request_paths_read_history_through_indexes(
    server: LiveServer,
    backend: str,
    kiosk: ApiClient,
    clerk: ApiClient,
    display: ApiClient,
    services: dict[str, int],
) -> None:
    build_history(server.database_url, 3000, slug="demo")
    supervisor = server.client(server.login("supervisor"))
    with Statements(server) as statements:
        _a_working_day(server, kiosk, clerk, display, services, supervisor)
    checked = statements.reading_history()
    assert len(checked) >= 15, [s for s, _ in checked]
    assert server.db is not None
    explain = _sqlite_problems if backend == "sqlite" else _postgres_problems
    problems = {
        statement: found
        for statement, parameters in checked
        if (found := explain(server.db.engine, statement, parameters))
    }
    assert problems == {}
