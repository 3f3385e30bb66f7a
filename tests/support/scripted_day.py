"""A scripted day at the demo site, with the server's clock in the test's hand.

:class:`Clock` replaces the server's ``utcnow`` where tickets are issued, called and finished,
where feedback is given and where the statistics decide which day is today: the server runs
in the test's process (``tests.support.live_server``), so every time it records is one the
script chose. :func:`play_day` then plays a known day through the real API and returns what it
did, so a test knows every figure to expect.

The day (Tuesday 1 December 2026, Europe/Berlin, UTC+1), local times:

=====  ===============================================================================
08:00  T1 walk-in A (kiosk)
08:05  T2 walk-in B (kiosk)
08:10  T3 walk-in A (kiosk)
08:12  T4 urgent C (issued by clerk1)
08:15  T5 appointment A (kiosk)
08:20  desk 1 (clerk1) calls T5 (appointment first: wait 5), starts 08:21, finishes 08:31
       "completed"; desk 2 (clerk2) calls T4 (urgent: wait 8), no-show 08:25
08:26  desk 2 calls T1 (wait 26, over A's 20), recalls 08:28, starts 08:29, transfers it to
       service B 08:35 (it keeps its place)
08:32  desk 1 calls T2 (wait 27), starts 08:33, finishes 08:40 "documents_missing"
08:36  desk 2 calls T1 again (its wait stays 26), starts 08:37, finishes 08:50 "completed"
08:45  the supervisor cancels T3 (with a reason)
09:02  T6 printed offline A by the kiosk (uploaded 09:03)
09:05  desk 1 calls T6 (wait 3), starts 09:05, finishes 09:10 "completed"
later  T5's citizen gives 5 faces, T2's 2
=====  ===============================================================================
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from central_server.models import Desk, Site, Ticket, User
from tests.support.live_server import ApiClient, LiveServer

DAY = date(2026, 12, 1)
ZONE = ZoneInfo("Europe/Berlin")

#: Where the server reads the time: patched by :meth:`Clock.install`.
CLOCK_MODULES = (
    "central_server.tickets.service",
    "central_server.tickets.offline",
    "central_server.tickets.view",
    "central_server.statistics.service",
    "central_server.web.service",
    "central_server.events.log",
    "central_server.appointments.service",
)


@dataclass
class Clock:
    """The server's time, set by the test."""

    now: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 7, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def install(self, monkeypatch: pytest.MonkeyPatch) -> Clock:
        for module in CLOCK_MODULES:
            monkeypatch.setattr(f"{module}.utcnow", self)
        return self

    def at(self, hhmm: str, day: date = DAY) -> datetime:
        """Set the clock to ``hhmm`` local time on ``day``; returns the moment (UTC)."""
        hours, minutes = (int(part) for part in hhmm.split(":"))
        self.now = datetime.combine(day, time(hours, minutes), ZONE).astimezone(UTC)
        return self.now


@dataclass
class Played:
    """What the scripted day did: ticket ids and answers by name (T1..T6), the estimates the
    kiosk was given, and the users who served."""

    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    desks: dict[str, int] = field(default_factory=dict)
    clerks: dict[str, int] = field(default_factory=dict)
    #: The estimate each ticket keeps from its issue (``tickets.estimated_wait_minutes``).
    kept_estimates: dict[str, int | None] = field(default_factory=dict)

    def estimate(self, name: str) -> int | None:
        return self.kept_estimates[name]


def _ok(answer: requests.Response, status: int = 200) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else {}


def play_day(server: LiveServer, clock: Clock, day: date = DAY) -> Played:
    """Play the day (on ``day``, at the same local times: another day plays it again)."""
    played = Played()
    kiosk = server.client("demo-kiosk")
    clerk1 = server.client(server.login("clerk1"))
    clerk2 = server.client(server.login("clerk2"))
    supervisor = server.client(server.login("supervisor"))
    played.services = {s["prefix"]: s["id"] for s in _ok(kiosk.get("/sites/demo/services"))}
    assert server.db is not None
    with server.db.read_session() as session:
        played.clerks = {
            u.username: u.id
            for u in session.scalars(select(User).where(User.username.like("clerk%")))
        }
        site_id = session.scalars(select(Site.id).where(Site.slug == "demo")).one()
        played.desks = {
            d.code: d.id for d in session.scalars(select(Desk).where(Desk.site_id == site_id))
        }

    def issue(name: str, hhmm: str, prefix: str, client: ApiClient, **extra: Any) -> None:
        clock.at(hhmm, day)
        body = {"service_id": played.services[prefix], **extra}
        played.tickets[name] = _ok(client.post("/sites/demo/tickets", json=body), 201)

    def act(client: ApiClient, name: str, action: str, hhmm: str, **body: Any) -> None:
        clock.at(hhmm, day)
        ticket = played.tickets[name]["id"]
        _ok(client.post(f"/tickets/{ticket}/{action}", json=body or None))

    def call(client: ApiClient, desk: str, hhmm: str, expected: str) -> None:
        clock.at(hhmm, day)
        called = _ok(client.post(f"/sites/demo/desks/{desk}/call-next"))
        assert called["id"] == played.tickets[expected]["id"], (expected, called["number"])

    issue("T1", "08:00", "A", kiosk)
    issue("T2", "08:05", "B", kiosk)
    issue("T3", "08:10", "A", kiosk)
    issue("T4", "08:12", "C", clerk1, priority="urgent")
    issue("T5", "08:15", "A", kiosk, priority="appointment")
    call(clerk1, "1", "08:20", "T5")
    call(clerk2, "2", "08:20", "T4")
    act(clerk1, "T5", "start", "08:21")
    act(clerk2, "T4", "no-show", "08:25")
    call(clerk2, "2", "08:26", "T1")
    act(clerk2, "T1", "recall", "08:28")
    act(clerk2, "T1", "start", "08:29")
    act(clerk1, "T5", "finish", "08:31", outcome="completed")
    call(clerk1, "1", "08:32", "T2")
    act(clerk1, "T2", "start", "08:33")
    act(clerk2, "T1", "transfer", "08:35", service_id=played.services["B"], reason="Pass")
    call(clerk2, "2", "08:36", "T1")
    act(clerk2, "T1", "start", "08:37")
    act(clerk1, "T2", "finish", "08:40", outcome="documents_missing")
    act(supervisor, "T3", "cancel", "08:45", reason="left early")
    act(clerk2, "T1", "finish", "08:50", outcome="completed")
    clock.at("09:00", day)
    leases = _ok(kiosk.post("/sites/demo/number-leases", json={"size": 5}), 201)["leases"]
    lease = next(entry for entry in leases if entry["prefix"] == "A")
    printed = clock.at("09:02", day)
    clock.at("09:03", day)
    offline = {
        "lease_id": lease["id"],
        "number": lease["first"],
        "issued_at": printed.isoformat(),
        "status_token": secrets.token_urlsafe(16),
    }
    played.tickets["T6"] = _ok(
        kiosk.post(
            "/sites/demo/tickets", json={"service_id": played.services["A"], "offline": offline}
        ),
        201,
    )
    call(clerk1, "1", "09:05", "T6")
    act(clerk1, "T6", "start", "09:05")
    act(clerk1, "T6", "finish", "09:10", outcome="completed")
    clock.at("09:30", day)
    for name, score in (("T5", 5), ("T2", 2)):
        give_feedback(server, played.tickets[name]["status_token"], score)
    with server.db.read_session() as session:
        for name, answer in played.tickets.items():
            played.kept_estimates[name] = session.get_one(
                Ticket, answer["id"]
            ).estimated_wait_minutes
    return played


def give_feedback(server: LiveServer, token: str, score: int) -> None:
    answer = requests.post(f"{server.url}/t/{token}/feedback", json={"score": score}, timeout=10)
    assert answer.status_code == 201, answer.text


def next_day(clock: Clock, days: int = 1) -> None:
    """The clock on a later day: the scripted day is no longer today."""
    clock.at("10:00", DAY + timedelta(days=days))
