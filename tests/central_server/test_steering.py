"""Steering an office (issue 14): the supervisor's board, the services a desk calls, stopping a
service's tickets for the day, the daily contingent, moving and cancelling waiting tickets.

Everything through the real server, on SQLite and PostgreSQL: the board's figures for a scripted
situation exactly, what desks call and what the kiosk gets after each steering action, who may
do it, and the events with their actor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select, update

from central_server.admin import site_file
from central_server.db import Database
from central_server.models import Device, Event, Service, Ticket
from central_server.models._types import utcnow
from tests.support.api import act, assert_error, call_next, new_ticket, waiting_numbers
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import demo_spec, extend_demo

#: The wrong pickup scans that make a report, in these tests (the server's default is ten).
WRONG_SCANS = 3


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    """The demo site's server, reporting wrong pickup scans after three."""
    live = LiveServer(database_url, wrong_pickup_scans_per_minute=WRONG_SCANS)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def supervisor(server: LiveServer) -> ApiClient:
    return server.client(server.login("supervisor"))


def _db(server: LiveServer) -> Database:
    assert server.db is not None
    return server.db


def _board(client: ApiClient) -> dict[str, Any]:
    answer = client.get("/sites/demo/board")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _events(server: LiveServer, type_: str) -> list[Event]:
    with _db(server).read_session() as session:
        query = select(Event).where(Event.type == type_).order_by(Event.seq)
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def _ticket_times(server: LiveServer, ticket_id: int, **times: datetime) -> None:
    with _db(server).write_session() as session:
        session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**times))


def _day_start(now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo("Europe/Berlin"))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _apply_demo(server: LiveServer, **service_settings: dict[str, Any]) -> None:
    """Apply the demo site file again, with settings added to services by prefix."""
    spec = demo_spec()
    for service in spec["services"]:
        service.update(service_settings.get(service["prefix"], {}))
    site_file.apply(_db(server), site_file.SiteFile.model_validate(spec))


# The board -----------------------------------------------------------------------------------


def test_the_board_shows_a_scripted_situation_exactly(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, clerk: ApiClient, services
) -> None:
    _apply_demo(server, C={"daily_limit": 3})
    clerk2 = server.client(server.login("clerk2"))
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    clerk2.post("/sites/demo/desks/2/sign-on").raise_for_status()
    # A001 is served and done at desk 1, A002 did not come to desk 2.
    first, second = new_ticket(kiosk, services["A"]), new_ticket(kiosk, services["A"])
    assert call_next(clerk, "1")["id"] == first["id"]  # type: ignore[index]
    act(clerk, first["id"], "start")
    act(clerk, first["id"], "finish", {"outcome": "completed"})
    assert call_next(clerk2, "2")["id"] == second["id"]  # type: ignore[index]
    act(clerk2, second["id"], "no-show")
    # Desk 1 serves A003; A004, B001 and C001 wait.
    serving = new_ticket(kiosk, services["A"])
    assert call_next(clerk, "1")["id"] == serving["id"]  # type: ignore[index]
    started = act(clerk, serving["id"], "start")
    a4, b1, c1 = (new_ticket(kiosk, services[p]) for p in "ABC")
    # B's tickets are stopped for today; the kiosk's printer is out of paper.
    supervisor.post(f"/sites/demo/services/{services['B']}/stop", json={"reason": "staff"})
    kiosk.post("/sites/demo/devices/printer", json={"state": "paper_out"}).raise_for_status()
    # Three unknown pickup receipts in a minute at the quick-pickup desk make a report.
    pickup = server.client(server.login("pickup1"))
    for _ in range(WRONG_SCANS):
        lookup = pickup.post("/pickups/lookup", json={"token": "A" * 32})
        assert lookup.status_code == 404, lookup.text
    # The clock: A004 has waited 25.5 minutes (past A's 20), B001 16.5 (80 % of 20 is 16:
    # amber), C001 2.5; desk 2 has done nothing for 10 minutes.
    now = utcnow()
    _ticket_times(server, a4["id"], queued_at=now - timedelta(minutes=25, seconds=30))
    _ticket_times(server, b1["id"], queued_at=now - timedelta(minutes=16, seconds=30))
    _ticket_times(server, c1["id"], queued_at=now - timedelta(minutes=2, seconds=30))
    idle_since = max(now - timedelta(minutes=10), _day_start(now))
    with _db(server).write_session() as session:
        session.execute(update(Event).where(Event.desk_code == "2").values(at=idle_since))
    with _db(server).read_session() as session:
        a4_queued = session.get_one(Ticket, a4["id"]).queued_at
        printer_since = session.scalars(
            select(Device.printer_state_since).where(Device.name == "lobby-kiosk")
        ).one()
    scans_at = _events(server, "pickup.wrong_scans")[0].at

    board = _board(supervisor)

    assert board["seq"] == _events(server, "pickup.wrong_scans")[0].seq
    read_at = _iso(board["read_at"])
    assert now <= read_at <= utcnow()
    desks = {d["code"]: d for d in board["desks"]}
    assert list(desks) == ["1", "2", "3", "4", "5", "6"]
    abc = [services["A"], services["B"], services["C"]]
    assert isinstance(desks["1"]["id"], int)
    assert desks["1"] == {
        "id": desks["1"]["id"],
        "code": "1",
        "name": "Platz 1",
        "kind": "front_office",
        "state": "open",
        "user": "Sachbearbeitung 1",
        "services": abc,
        "ticket": {
            "id": serving["id"],
            "number": "A003",
            "status": "serving",
            "since": started["started_at"],
        },
        "idle_since": None,
    }
    assert desks["2"]["user"] == "Sachbearbeitung 2"
    assert (desks["2"]["ticket"], _iso(desks["2"]["idle_since"])) == (None, idle_since)
    assert desks["3"] == {
        "id": desks["3"]["id"],
        "code": "3",
        "name": "Platz 3",
        "kind": "front_office",
        "state": "closed",
        "user": None,
        "services": [services["B"], services["A"], services["C"]],
        "ticket": None,
        "idle_since": None,
    }
    assert desks["6"]["services"] == [services["P"]]

    figures = {
        s["prefix"]: {k: v for k, v in s.items() if k not in ("names", "stopped_message")}
        for s in board["services"]
    }
    # A walk-in is told the work ahead of it on the desks that may call it, over the open
    # ones: A004, B001, C001 (8 + 12 + 20 minutes, the services' defaults) over desks 1 and 2.
    assert figures == {
        "A": {
            "id": services["A"],
            "prefix": "A",
            "active": True,
            "issuing": True,
            "stopped": False,
            "stop_reason": None,
            "waiting": 1,
            "longest_wait_minutes": 25,
            "target_wait_minutes": 20,
            "amber_share": 0.8,
            "level": "red",
            "estimated_wait_minutes": 20,
            "served_today": 1,
            "no_show_today": 1,
            "issued_today": 4,
            "daily_limit": None,
            "left_today": None,
        },
        "B": {
            "id": services["B"],
            "prefix": "B",
            "active": True,
            "issuing": False,
            "stopped": True,
            "stop_reason": "staff",
            "waiting": 1,
            "longest_wait_minutes": 16,
            "target_wait_minutes": 20,
            "amber_share": 0.8,
            "level": "amber",
            "estimated_wait_minutes": None,
            "served_today": 0,
            "no_show_today": 0,
            "issued_today": 1,
            "daily_limit": None,
            "left_today": None,
        },
        "C": {
            "id": services["C"],
            "prefix": "C",
            "active": True,
            "issuing": True,
            "stopped": False,
            "stop_reason": None,
            "waiting": 1,
            "longest_wait_minutes": 2,
            "target_wait_minutes": 30,
            "amber_share": 0.8,
            "level": "green",
            "estimated_wait_minutes": 20,
            "served_today": 0,
            "no_show_today": 0,
            "issued_today": 1,
            "daily_limit": 3,
            "left_today": 2,
        },
        "P": {
            "id": services["P"],
            "prefix": "P",
            "active": True,
            "issuing": True,
            "stopped": False,
            "stop_reason": None,
            "waiting": 0,
            "longest_wait_minutes": None,
            "target_wait_minutes": 10,
            "amber_share": 0.8,
            "level": "green",
            "estimated_wait_minutes": 0,
            "served_today": 0,
            "no_show_today": 0,
            "issued_today": 0,
            "daily_limit": None,
            "left_today": None,
        },
    }
    by_prefix = {s["prefix"]: s for s in board["services"]}
    assert by_prefix["A"]["names"]["ar"] == "تسجيل السكن"
    assert by_prefix["A"]["stopped_message"] is None
    assert by_prefix["B"]["stopped_message"] == {
        "de": "Heute keine Wartenummern mehr für Personalausweis und Reisepass. "
        "Bitte kommen Sie an einem anderen Tag wieder.",
        "en": "No more tickets for ID card and passport today. Please come again on another day.",
        "tr": "Bugün Kimlik kartı ve pasaport için başka sıra numarası verilmiyor. "
        "Lütfen başka bir gün tekrar gelin.",
        "ar": "لا مزيد من الأرقام اليوم لخدمة بطاقة الهوية وجواز السفر. يرجى الحضور في يوم آخر.",
        "ru": "На сегодня талоны на услугу «Удостоверение личности и паспорт» закончились. "
        "Пожалуйста, приходите в другой день.",
        "uk": "На сьогодні талони на послугу «Посвідчення особи та паспорт» закінчилися. "
        "Будь ласка, приходьте іншого дня.",
    }

    # Desk 2 has stood idle for 10 minutes while A004 waits for it (2 minutes allowed); A004
    # passed A's target 20 minutes after it joined the queue.
    expected = sorted(
        [
            {"kind": "desk_idle", "at": idle_since + timedelta(minutes=2), "desk": "2"},
            {
                "kind": "service_past_target",
                "at": a4_queued + timedelta(minutes=20),
                "service_id": services["A"],
            },
            {
                "kind": "printer_fault",
                "at": printer_since,
                "device": "lobby-kiosk",
                "detail": "paper_out",
            },
            {"kind": "wrong_scans", "at": scans_at, "device": "pickup1", "detail": "3"},
        ],
        key=lambda a: a["at"],
    )
    alerts = [
        {"service_id": None, "desk": None, "device": None, "detail": None, **a} for a in expected
    ]
    assert [{**a, "at": _iso(a["at"])} for a in board["alerts"]] == alerts


def test_the_board_answers_304_until_the_site_changes(
    supervisor: ApiClient, kiosk: ApiClient, clerk: ApiClient, services
) -> None:
    first = supervisor.get("/sites/demo/board")
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith(f'"{first.json()["seq"]}-b')
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = supervisor.get("/sites/demo/board", headers={"If-None-Match": tag})
    if again.status_code == 200:  # the minute turned between the two reads
        tag = again.headers["ETag"]
        again = supervisor.get("/sites/demo/board", headers={"If-None-Match": tag})
    assert (again.status_code, again.content, again.headers["ETag"]) == (304, b"", tag)
    # A call at desk 1 (by a clerk) shows on the board at once.
    ticket = new_ticket(kiosk, services["A"])
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    call_next(clerk, "1")
    changed = supervisor.get("/sites/demo/board", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    desk = next(d for d in changed.json()["desks"] if d["code"] == "1")
    assert (desk["state"], desk["user"], desk["ticket"]["id"], desk["ticket"]["status"]) == (
        "open",
        "Sachbearbeitung 1",
        ticket["id"],
        "called",
    )


def test_who_may_read_the_board_and_steer(
    server: LiveServer, kiosk: ApiClient, display: ApiClient, clerk: ApiClient, services
) -> None:
    extend_demo(
        _db(server),
        users=[{"username": "it", "display_name": "IT", "roles": ["admin"], "password": "demo"}],
    )
    ticket = new_ticket(kiosk, services["A"])
    steering = [
        ("stop", lambda c: c.post(f"/sites/demo/services/{services['A']}/stop")),
        ("resume", lambda c: c.post(f"/sites/demo/services/{services['A']}/resume")),
        (
            "desk services",
            lambda c: c.put("/sites/demo/desks/1/services", json={"services": [services["B"]]}),
        ),
        ("move", lambda c: c.post(f"/tickets/{ticket['id']}/move", json={"service_id": 2})),
        ("cancel", lambda c: c.post(f"/tickets/{ticket['id']}/cancel", json={"reason": "x"})),
    ]
    others = {
        "clerk": clerk,
        "pickup": server.client(server.login("pickup1")),
        "statistics": server.client(server.login("statistik")),
        "kiosk": kiosk,
        "display": display,
    }
    for who, client in others.items():
        assert_error(client.get("/sites/demo/board"), 403, "forbidden_role")
        for what, request in steering:
            answer = request(client)
            assert answer.status_code == 403, f"{who} {what}: {answer.status_code} {answer.text}"
    admin = server.client(server.login("it"))
    assert admin.get("/sites/demo/board").status_code == 200  # reads every site, steers none
    for what, request in steering:
        assert request(admin).status_code == 403, what
    # Nothing was changed by any of them.
    assert new_ticket(kiosk, services["A"])["number"] == "A002"
    assert waiting_numbers(clerk, desk="1") == ["A001", "A002"]
    assert _events(server, "desk.services_changed") == []
    # Another site's supervisor steers only their own site.
    from tests.support.sites import add_second_site

    add_second_site(_db(server))
    foreign = server.client(server.login("zsupervisor"))
    assert_error(foreign.get("/sites/demo/board"), 403, "forbidden_site")
    assert_error(foreign.post(f"/sites/demo/services/{services['A']}/stop"), 403, "forbidden_site")
    assert_error(
        foreign.post(f"/tickets/{ticket['id']}/cancel", json={"reason": "x"}), 403, "forbidden_site"
    )


# The services a desk calls -------------------------------------------------------------------


def test_a_desk_calls_the_services_the_supervisor_gives_it_in_that_order(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, clerk: ApiClient, services
) -> None:
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    a1 = new_ticket(kiosk, services["A"])
    b1 = new_ticket(kiosk, services["B"])
    c1 = new_ticket(kiosk, services["C"])
    view = clerk.get("/sites/demo/desks/1/view")
    assert [t["number"] for t in view.json()["queue"]["waiting"]] == ["A001", "B001", "C001"]

    # Desk 1 calls C, then B, no more A; among citizens who came at the same moment, C first.
    same = utcnow() - timedelta(minutes=5)
    for ticket in (a1, b1, c1):
        _ticket_times(server, ticket["id"], queued_at=same)
    changed = supervisor.put(
        "/sites/demo/desks/1/services", json={"services": [services["C"], services["B"]]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {
        "code": "1",
        "name": "Platz 1",
        "kind": "front_office",
        "state": "open",
        "signed_on_user": "clerk1",
        "service_ids": [services["C"], services["B"]],
        "current_ticket": None,
    }
    # The clerk's desk sees it at once: its view changed (a new ETag), its queue is C, B.
    again = clerk.get("/sites/demo/desks/1/view", headers={"If-None-Match": view.headers["ETag"]})
    assert again.status_code == 200
    assert [t["number"] for t in again.json()["queue"]["waiting"]] == ["C001", "B001"]
    desk = next(d for d in again.json()["desks"] if d["code"] == "1")
    assert desk["service_ids"] == [services["C"], services["B"]]
    assert call_next(clerk, "1")["number"] == "C001"  # type: ignore[index]
    # Other desks keep theirs: desk 2 still calls A.
    assert waiting_numbers(clerk, desk="2") == ["A001", "B001"]

    events = _events(server, "desk.services_changed")
    assert [(e.actor, e.desk_code, e.data) for e in events] == [
        (
            "supervisor",
            "1",
            {
                "services": [services["C"], services["B"]],
                "before": [services["A"], services["B"], services["C"]],
            },
        )
    ]
    # The same again changes and logs nothing.
    same_again = supervisor.put(
        "/sites/demo/desks/1/services", json={"services": [services["C"], services["B"]]}
    )
    assert same_again.status_code == 200
    assert len(_events(server, "desk.services_changed")) == 1
    # Refused, changing nothing: twice the same, an unknown service, an unknown desk.
    assert_error(
        supervisor.put(
            "/sites/demo/desks/1/services", json={"services": [services["A"], services["A"]]}
        ),
        422,
        "services_repeated",
    )
    assert_error(
        supervisor.put("/sites/demo/desks/1/services", json={"services": [999]}),
        404,
        "service_not_found",
    )
    assert_error(
        supervisor.put("/sites/demo/desks/99/services", json={"services": []}),
        404,
        "desk_not_found",
    )
    assert_error(
        supervisor.put("/sites/demo/desks/1/services", json={"services": ["1"]}),
        422,
        "invalid_input",
    )
    # None at all: the desk calls only what is transferred to it.
    emptied = supervisor.put("/sites/demo/desks/1/services", json={"services": []})
    assert emptied.json()["service_ids"] == []
    assert waiting_numbers(clerk, desk="1") == []


# Stopping a service's tickets for the day ------------------------------------------------------


def test_a_stopped_service_issues_no_tickets_today_until_resumed(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, clerk: ApiClient, services
) -> None:
    new_ticket(kiosk, services["A"])
    stopped = supervisor.post(
        f"/sites/demo/services/{services['A']}/stop", json={"reason": "contingent"}
    )
    assert stopped.status_code == 200, stopped.text
    body = stopped.json()
    assert (body["issuing"], body["stopped"], body["stop_reason"]) == (False, True, "contingent")
    german = "Heute keine Wartenummern mehr für Anmeldung und Ummeldung. "
    assert body["stopped_message"]["de"] == german + "Bitte kommen Sie an einem anderen Tag wieder."

    # The kiosk sees it, with the message in every language; the other services issue.
    listed = {s["prefix"]: s for s in kiosk.get("/sites/demo/services").json()}
    assert (listed["A"]["issuing"], listed["B"]["issuing"]) == (False, True)
    assert listed["A"]["stopped_message"]["uk"].startswith("На сьогодні талони на послугу")
    assert listed["B"]["stopped_message"] is None
    # Its ticket is refused in the citizen's language, the kiosk's and a clerk's alike.
    refused = kiosk.post(
        "/sites/demo/tickets", json={"service_id": services["A"], "language": "tr"}
    )
    error = assert_error(refused, 409, "service_stopped")
    assert error["message"] == (
        "Bugün Adres kaydı için başka sıra numarası verilmiyor. Lütfen başka bir gün tekrar gelin."
    )
    assert error["details"] == {"service": "Adres kaydı"}
    urgent = clerk.post(
        "/sites/demo/tickets", json={"service_id": services["A"], "priority": "urgent"}
    )
    assert_error(urgent, 409, "service_stopped")
    assert new_ticket(kiosk, services["B"])["number"] == "B001"
    # No numbers are leased for it: a kiosk that loses the server issues none offline.
    leases = kiosk.post("/sites/demo/number-leases", json={"size": 5})
    assert leases.status_code == 201
    assert sorted(lease["prefix"] for lease in leases.json()["leases"]) == ["B", "C", "P"]
    # Those waiting are still called.
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    assert call_next(clerk, "1")["number"] == "A001"  # type: ignore[index]

    # A second stop with the same reason changes nothing; resuming issues again.
    assert supervisor.post(
        f"/sites/demo/services/{services['A']}/stop", json={"reason": "contingent"}
    ).json()["stopped"]
    resumed = supervisor.post(f"/sites/demo/services/{services['A']}/resume")
    assert resumed.status_code == 200
    assert (resumed.json()["issuing"], resumed.json()["stopped_message"]) == (True, None)
    assert new_ticket(kiosk, services["A"])["number"] == "A002"
    assert supervisor.post(f"/sites/demo/services/{services['A']}/resume").status_code == 200
    stops = _events(server, "service.issuing_stopped")
    resumes = _events(server, "service.issuing_resumed")
    today = utcnow().astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert [(e.actor, e.data) for e in stops] == [
        (
            "supervisor",
            {"service_id": services["A"], "prefix": "A", "day": today, "reason": "contingent"},
        )
    ]
    assert [(e.actor, e.data) for e in resumes] == [
        ("supervisor", {"service_id": services["A"], "prefix": "A", "day": today})
    ]
    # Unknown or foreign services.
    assert_error(supervisor.post("/sites/demo/services/999/stop"), 404, "service_not_found")
    assert_error(
        supervisor.post(f"/sites/demo/services/{services['A']}/stop", json={"reason": "lunch"}),
        422,
        "invalid_input",
    )


def test_a_stop_ends_by_itself_the_next_day(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, services
) -> None:
    supervisor.post(f"/sites/demo/services/{services['A']}/stop").raise_for_status()
    assert_error(
        kiosk.post("/sites/demo/tickets", json={"service_id": services["A"]}),
        409,
        "service_stopped",
    )
    # The stop was made yesterday (written as any process writes: the configuration's version
    # moves with it).
    with _db(server).write_session() as session:
        service = session.get_one(Service, services["A"])
        assert service.issuing_stopped_on is not None
        service.issuing_stopped_on -= timedelta(days=1)
    assert new_ticket(kiosk, services["A"])["number"] == "A001"
    listed = {s["prefix"]: s for s in kiosk.get("/sites/demo/services").json()}
    assert (listed["A"]["issuing"], listed["A"]["stopped_message"]) == (True, None)
    a = next(s for s in _board(supervisor)["services"] if s["prefix"] == "A")
    assert (a["issuing"], a["stopped"]) == (True, False)


# The daily contingent --------------------------------------------------------------------------


def test_after_the_daily_contingent_the_service_issues_no_more_tickets_today(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, services
) -> None:
    _apply_demo(server, A={"daily_limit": 2})
    # A kiosk leases numbers while A still issues (it may lose the server later).
    leases = kiosk.post("/sites/demo/number-leases", json={"size": 3}).json()
    lease = next(lease for lease in leases["leases"] if lease["prefix"] == "A")
    listed = {s["prefix"]: s for s in kiosk.get("/sites/demo/services").json()}
    assert (listed["A"]["daily_limit"], listed["A"]["left_today"]) == (2, 2)
    assert (listed["B"]["daily_limit"], listed["B"]["left_today"]) == (None, None)

    assert [new_ticket(kiosk, services["A"])["number"] for _ in range(2)] == ["A001", "A002"]
    refused = kiosk.post(
        "/sites/demo/tickets", json={"service_id": services["A"], "language": "ar"}
    )
    error = assert_error(refused, 409, "service_limit_reached")
    assert error["message"] == "لا مزيد من الأرقام اليوم لخدمة تسجيل السكن. يرجى الحضور في يوم آخر."
    listed = {s["prefix"]: s for s in kiosk.get("/sites/demo/services").json()}
    assert (listed["A"]["issuing"], listed["A"]["left_today"]) == (False, 0)
    assert listed["A"]["stopped_message"]["en"].startswith("No more tickets for Registration")
    a = next(s for s in _board(supervisor)["services"] if s["prefix"] == "A")
    assert (a["issuing"], a["stopped"], a["issued_today"], a["left_today"]) == (False, False, 2, 0)
    # Resuming lifts a stop, not the site file's contingent.
    assert (
        supervisor.post(f"/sites/demo/services/{services['A']}/resume").json()["issuing"] is False
    )
    assert_error(
        kiosk.post("/sites/demo/tickets", json={"service_id": services["A"]}),
        409,
        "service_limit_reached",
    )
    # A ticket the kiosk printed offline meanwhile is taken (the citizen holds it) and counts.
    uploaded = kiosk.post(
        "/sites/demo/tickets",
        json={
            "service_id": services["A"],
            "offline": {
                "lease_id": lease["id"],
                "number": lease["first"],
                "issued_at": utcnow().isoformat(),
                "status_token": "o" * 22,
            },
        },
    )
    assert uploaded.status_code == 201, uploaded.text
    a = next(s for s in _board(supervisor)["services"] if s["prefix"] == "A")
    assert (a["issued_today"], a["left_today"], a["waiting"]) == (3, 0, 3)
    # No new lease for A today.
    again = kiosk.post("/sites/demo/number-leases", json={"size": 3}).json()
    assert "A" not in {lease["prefix"] for lease in again["leases"]}
    # A higher contingent in the site file lets it issue again.
    _apply_demo(server, A={"daily_limit": 4})
    assert new_ticket(kiosk, services["A"])["number"] == "A003"


def test_the_site_file_refuses_a_contingent_or_share_out_of_range() -> None:
    for service, site in (
        ({"daily_limit": 0}, {}),
        ({"amber_share": 1.5}, {}),
        ({}, {"desk_idle_minutes": 0}),
    ):
        spec = demo_spec()
        spec["services"][0].update(service)
        spec["site"].update(site)
        with pytest.raises(ValueError):
            site_file.SiteFile.model_validate(spec)


# Moving and cancelling waiting tickets ---------------------------------------------------------


def test_a_moved_ticket_keeps_its_number_and_place_in_the_other_queue(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, clerk: ApiClient, services
) -> None:
    early = new_ticket(kiosk, services["A"])
    later_b = new_ticket(kiosk, services["B"])
    moved = supervisor.post(
        f"/tickets/{early['id']}/move",
        json={"service_id": services["B"], "reason": "Platz 3 macht B"},
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["number"], body["service_id"], body["status"], body["queued_at"]) == (
        "A001",
        services["B"],
        "waiting",
        early["queued_at"],
    )
    # In B's queue before the B ticket that came later, gone from A's.
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    supervisor.put("/sites/demo/desks/1/services", json={"services": [services["B"]]})
    assert waiting_numbers(clerk, desk="1") == ["A001", "B001"]
    board = {s["prefix"]: s for s in _board(supervisor)["services"]}
    assert (board["A"]["waiting"], board["B"]["waiting"]) == (0, 2)
    # The desk that calls it reads why it came.
    called = call_next(clerk, "1")
    assert called is not None and called["id"] == early["id"]
    assert called["case"]["forward_reason"] == "Platz 3 macht B"
    events = _events(server, "ticket.moved")
    assert [(e.actor, e.ticket_id) for e in events] == [("supervisor", early["id"])]
    data = events[0].data
    assert (data["from_service"], data["to_service"], data["reason"]) == (
        services["A"],
        services["B"],
        True,
    )
    assert "Platz 3" not in json.dumps(data)
    # A called ticket is not moved; an unknown service is not there.
    assert_error(
        supervisor.post(f"/tickets/{early['id']}/move", json={"service_id": services["C"]}),
        409,
        "invalid_transition",
    )
    assert_error(
        supervisor.post(f"/tickets/{later_b['id']}/move", json={"service_id": 999}),
        404,
        "service_not_found",
    )
    assert_error(
        supervisor.post("/tickets/999999/move", json={"service_id": 1}), 404, "ticket_not_found"
    )


def test_a_supervisor_cancels_a_waiting_or_parked_ticket_with_a_reason(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, clerk: ApiClient, services
) -> None:
    waiting = new_ticket(kiosk, services["A"], language="ru")
    parked = new_ticket(kiosk, services["A"])
    called = new_ticket(kiosk, services["A"])
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    _ticket_times(server, waiting["id"], queued_at=utcnow() + timedelta(minutes=1))
    assert call_next(clerk, "1")["id"] == parked["id"]  # type: ignore[index]
    act(clerk, parked["id"], "start")
    act(clerk, parked["id"], "park")
    assert call_next(clerk, "1")["id"] == called["id"]  # type: ignore[index]

    reason = "Doppelt gezogen, Herr M. hat schon A002"
    cancelled = supervisor.post(f"/tickets/{waiting['id']}/cancel", json={"reason": reason})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["case"]["cancel_reason"] == reason
    assert (
        supervisor.post(
            f"/tickets/{parked['id']}/cancel", json={"reason": "  ging nach Hause  "}
        ).json()["status"]
        == "cancelled"
    )
    case = supervisor.get(f"/tickets/{parked['id']}/case").json()
    assert case["cancel_reason"] == "ging nach Hause"
    # Only waiting and parked tickets; a reason of 1 to 200 characters.
    assert_error(
        supervisor.post(f"/tickets/{called['id']}/cancel", json={"reason": "x"}),
        409,
        "invalid_transition",
    )
    assert_error(
        supervisor.post(f"/tickets/{waiting['id']}/cancel", json={"reason": "x"}),
        409,
        "invalid_transition",
    )
    for bad in ("", "   ", "x" * 201):
        assert_error(
            supervisor.post(f"/tickets/{called['id']}/cancel", json={"reason": bad}),
            422,
            "invalid_input",
        )
    # No desk calls them any more.
    assert waiting_numbers(clerk, desk="1") == []
    assert supervisor.get("/sites/demo/queue").json()["parked"] == []
    # The event says who cancelled and that a reason was given, never the reason.
    events = _events(server, "ticket.cancelled")
    assert [(e.actor, e.ticket_id, e.data["reason"]) for e in events] == [
        ("supervisor", waiting["id"], True),
        ("supervisor", parked["id"], True),
    ]
    with _db(server).read_session() as session:
        logged = [json.dumps(e.data) for e in session.scalars(select(Event))]
    assert not [line for line in logged if "Herr M." in line or "Hause" in line]
    # The citizen's status page says the ticket is no longer valid, in their language.
    state = requests.get(f"{server.url}/t/{waiting['status_token']}/state", timeout=10).json()
    assert state["state"] == "cancelled"
    assert state["headline"] == (
        "Этот талон больше не действителен. Пожалуйста, обратитесь в справочную."
    )
    assert "Herr M." not in json.dumps(state)
    display = requests.get(
        f"{server.url}/display/demo/state", cookies={"tresen_display": "demo-display"}, timeout=10
    )
    assert "Herr M." not in display.text
    # The desk's own cancel (no reason) stays the clerk's.
    assert act(clerk, called["id"], "cancel")["status"] == "cancelled"


# Several server processes ----------------------------------------------------------------------


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_stop_made_on_one_process_holds_on_another_at_once(database_url: str, tmp_path) -> None:
    from tests.support.server_process import ServerProcess, tresen_env

    env = tresen_env(TRESEN_DB=database_url, TRESEN_EVENT_POLL_SECONDS="600")
    with (
        ServerProcess(folder=tmp_path, env=env) as first,
        ServerProcess(folder=tmp_path, env=env) as second,
    ):
        on_first, on_second = (
            ApiClient(first.url, "demo-kiosk"),
            ApiClient(second.url, "demo-kiosk"),
        )
        service = on_first.service_id("A")
        # Each process has read (and keeps) the site's configuration.
        assert new_ticket(on_first, service)["number"] == "A001"
        assert new_ticket(on_second, service)["number"] == "A002"
        token = requests.post(
            f"{first.url}/api/v1/login",
            json={"username": "supervisor", "password": "demo"},
            timeout=10,
        ).json()["token"]
        supervisor = ApiClient(first.url, token)
        supervisor.post(f"/sites/demo/services/{service}/stop").raise_for_status()
        assert_error(
            on_second.post("/sites/demo/tickets", json={"service_id": service}),
            409,
            "service_stopped",
        )
        listed = {s["prefix"]: s for s in on_second.get("/sites/demo/services").json()}
        assert listed["A"]["issuing"] is False
        ApiClient(second.url, token).post(
            f"/sites/demo/services/{service}/resume"
        ).raise_for_status()
        assert new_ticket(on_first, service)["number"] == "A003"


def test_a_cancelling_reason_is_erased_with_the_case_text(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, services
) -> None:
    from central_server.models import Case
    from central_server.tickets import purge

    old, recent = new_ticket(kiosk, services["A"]), new_ticket(kiosk, services["A"])
    for ticket in (old, recent):
        answer = supervisor.post(f"/tickets/{ticket['id']}/cancel", json={"reason": "ging"})
        assert answer.status_code == 200, answer.text
    then = utcnow() - timedelta(days=31)
    _ticket_times(server, old["id"], finished_at=then)
    with _db(server).write_session() as session:
        session.execute(update(Case).where(Case.ticket_id == old["id"]).values(updated_at=then))
    assert purge.purge_case_text(_db(server), 30) == 1
    assert supervisor.get(f"/tickets/{old['id']}/case").json()["cancel_reason"] == ""
    assert supervisor.get(f"/tickets/{recent['id']}/case").json()["cancel_reason"] == "ging"


def test_the_checks_on_a_new_ticket_cost_no_statement_of_their_own(
    server: LiveServer, supervisor: ApiClient, kiosk: ApiClient, services
) -> None:
    """A stop and the contingent are checked from the site's kept configuration and the day's
    counter the number is drawn from: a new ticket reads no service, desk or other counter."""
    from sqlalchemy import event

    _apply_demo(server, A={"daily_limit": 3})
    supervisor.post(f"/sites/demo/services/{services['B']}/stop").raise_for_status()
    new_ticket(kiosk, services["A"])  # the process keeps the configuration from here on
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.split()))

    engine = _db(server).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        new_ticket(kiosk, services["A"])
        made = list(statements)
        statements.clear()
        new_ticket(kiosk, services["A"])
        statements.clear()
        assert_error(
            kiosk.post("/sites/demo/tickets", json={"service_id": services["A"]}),
            409,
            "service_limit_reached",
        )
        refused_limit = list(statements)
        statements.clear()
        assert_error(
            kiosk.post("/sites/demo/tickets", json={"service_id": services["B"]}),
            409,
            "service_stopped",
        )
        refused_stop = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", seen)

    def reads(found: list[str], table: str) -> list[str]:
        return [s for s in found if s.startswith("SELECT") and f"FROM {table}" in s]

    for found in (made, refused_limit, refused_stop):
        assert reads(found, "services") == [] and reads(found, "desks") == [], found
    assert len(reads(made, "ticket_counters")) == 1, made
    assert len(reads(refused_limit, "ticket_counters")) == 1, refused_limit
    # A stopped service is refused before its counter is even read.
    assert reads(refused_stop, "ticket_counters") == [], refused_stop
