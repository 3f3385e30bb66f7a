"""Mistakes undone, and what a desk can issue (issue 16): a clerk cancels a waiting ticket of
their desk's queue with a reason, and issues an urgent ticket for a citizen who cannot wait.

Through the real server, on SQLite and PostgreSQL: what the desk's queue shows afterwards, who
may do it (roles, desks, sites), the refusals that change nothing, and the events."""

from __future__ import annotations

import json

import requests
from sqlalchemy import select

from central_server.models import Event
from tests.support.api import act, assert_error, call_next, new_ticket, waiting_numbers
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import SECOND_SITE, add_second_site


def _events(server: LiveServer, type_: str) -> list[Event]:
    assert server.db is not None
    with server.db.read_session() as session:
        return list(session.scalars(select(Event).where(Event.type == type_).order_by(Event.seq)))


def _cancel(client: ApiClient, ticket: dict, **body: object):  # type: ignore[no-untyped-def]
    return client.post(f"/tickets/{ticket['id']}/cancel", json=body)


# Cancelling from the desk ------------------------------------------------------------------------


def test_a_clerk_cancels_a_waiting_ticket_of_the_desk_with_a_reason(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    left = new_ticket(kiosk, services["A"], language="ru")
    twice = new_ticket(kiosk, services["B"])
    stays = new_ticket(kiosk, services["C"])
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    assert waiting_numbers(clerk, desk="1") == ["A001", "B001", "C001"]

    answer = _cancel(clerk, left, desk="1", why="left", reason="Herr M. ging nach Hause")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "cancelled"
    assert answer.json()["case"]["cancel_reason"] == "Herr M. ging nach Hause"
    # A code alone is a reason too.
    assert _cancel(clerk, twice, desk="1", why="came_twice").json()["status"] == "cancelled"
    assert waiting_numbers(clerk, desk="1") == ["C001"]
    assert waiting_numbers(clerk, desk="2") == ["C001"]
    # The desk calls the one left.
    assert call_next(clerk, "1")["id"] == stays["id"]  # type: ignore[index]

    # The event: who, the coded reason and the desk; the words stay with the case.
    events = _events(server, "ticket.cancelled")
    assert [(e.actor, e.ticket_id, e.data["why"], e.data["desk"]) for e in events] == [
        ("clerk1", left["id"], "left", "1"),
        ("clerk1", twice["id"], "came_twice", "1"),
    ]
    assert [e.data["reason"] for e in events] == [True, False]
    assert not [e for e in events if "Herr M." in json.dumps(e.data)]
    # The citizen's status page says the ticket is no longer valid.
    state = requests.get(f"{server.url}/t/{left['status_token']}/state", timeout=10).json()
    assert state["state"] == "cancelled"


def test_a_desk_cancels_only_waiting_tickets_it_calls_and_only_with_a_reason(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    called = new_ticket(kiosk, services["C"])
    waiting = new_ticket(kiosk, services["A"])
    pickup = new_ticket(kiosk, services["P"])
    clerk.post("/sites/demo/desks/4/sign-on").raise_for_status()
    assert call_next(clerk, "4")["id"] == called["id"]  # type: ignore[index]

    # A reason is required, a code from the list or words of 1 to 200 characters.
    for body in ({"desk": "4"}, {"desk": "4", "reason": "  "}, {"desk": "4", "why": "bored"}):
        assert_error(_cancel(clerk, waiting, **body), 422, "invalid_input")
    assert_error(
        _cancel(clerk, waiting, desk="4", why="other", reason="x" * 201), 422, "invalid_input"
    )
    # Only a ticket of a service the desk calls: desk 4 calls A, B, C, not the pickups.
    assert_error(_cancel(clerk, pickup, desk="4", why="left"), 403, "forbidden_service")
    # Only at the desk the clerk is signed on at.
    assert_error(_cancel(clerk, waiting, desk="2", why="left"), 403, "not_signed_on")
    assert_error(_cancel(clerk, waiting, desk="99", why="left"), 404, "desk_not_found")
    # Only a waiting ticket: the citizen at the desk is finished or cancelled at the desk.
    assert_error(_cancel(clerk, called, desk="4", why="left"), 409, "invalid_transition")
    # Without a desk it is the supervisor's steering.
    assert_error(_cancel(clerk, waiting, reason="ging"), 403, "forbidden_role")
    # Quick-pickup staff do not cancel tickets from the queue.
    pickup_staff = server.client(server.login("pickup1"))
    pickup_staff.post("/sites/demo/desks/6/sign-on").raise_for_status()
    assert_error(_cancel(pickup_staff, pickup, desk="6", why="left"), 403, "forbidden_role")
    # Another site's clerk cannot touch this site's tickets.
    assert server.db is not None
    add_second_site(server.db)
    foreign = server.client(server.login("zclerk"))
    assert_error(_cancel(foreign, waiting, desk="Z1", why="left"), 403, "forbidden_site")

    # Nothing changed: both still wait, the called one is at the desk, no event.
    assert waiting_numbers(clerk) == ["A001", "P001"]
    assert act(clerk, called["id"], "start")["status"] == "serving"
    assert _events(server, "ticket.cancelled") == []


def test_a_supervisor_cancels_from_a_desk_too(
    server: LiveServer, kiosk: ApiClient, services: dict[str, int]
) -> None:
    waiting = new_ticket(kiosk, services["A"])
    supervisor = server.client(server.login("supervisor"))
    answer = _cancel(supervisor, waiting, desk="1", why="wrong_service")
    assert answer.status_code == 200, answer.text
    [event] = _events(server, "ticket.cancelled")
    assert (event.actor, event.data["why"], event.data["desk"]) == (
        "supervisor",
        "wrong_service",
        "1",
    )


# An urgent ticket issued at the desk ------------------------------------------------------------


def test_a_clerk_issues_an_urgent_ticket_that_goes_before_the_walk_ins(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["B"])
    urgent = new_ticket(clerk, services["B"], priority="urgent", language="tr")
    assert (urgent["number"], urgent["priority"], urgent["language"]) == ("B002", "urgent", "tr")
    assert urgent["status_token"]
    assert urgent["position"] == 1
    # It joins the queue first for every desk that calls it.
    assert waiting_numbers(clerk, desk="1") == ["B002", "A001", "B001"]
    assert waiting_numbers(clerk, desk="3") == ["B002", "A001", "B001"]
    # A normal one from the desk waits like any walk-in.
    assert new_ticket(clerk, services["A"])["number"] == "A002"
    assert waiting_numbers(clerk, desk="1") == ["B002", "A001", "B001", "A002"]
    # The event names the clerk who issued it, and its priority.
    events = _events(server, "ticket.created")
    assert [(e.actor, e.data["ticket"]["number"], e.data["ticket"]["priority"]) for e in events][
        2:
    ] == [("clerk1", "B002", "urgent"), ("clerk1", "A002", "normal")]


def test_what_a_desk_may_not_issue(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict[str, int]
) -> None:
    # An appointment ticket comes from the check-in only.
    assert_error(
        clerk.post(
            "/sites/demo/tickets", json={"service_id": services["A"], "priority": "appointment"}
        ),
        403,
        "forbidden_priority",
    )
    # Urgent is staff's; quick-pickup staff issue no tickets at all.
    assert_error(
        kiosk.post("/sites/demo/tickets", json={"service_id": services["A"], "priority": "urgent"}),
        403,
        "forbidden_priority",
    )
    pickup_staff = server.client(server.login("pickup1"))
    assert_error(
        pickup_staff.post(
            "/sites/demo/tickets", json={"service_id": services["P"], "priority": "urgent"}
        ),
        403,
        "forbidden_role",
    )
    # Only services of the clerk's own site.
    assert server.db is not None
    add_second_site(server.db)
    zclerk = server.client(server.login("zclerk"))
    z_service = zclerk.get(f"/sites/{SECOND_SITE}/services").json()[0]["id"]
    assert_error(
        clerk.post(f"/sites/{SECOND_SITE}/tickets", json={"service_id": z_service}),
        403,
        "forbidden_site",
    )
    assert_error(
        clerk.post("/sites/demo/tickets", json={"service_id": z_service, "priority": "urgent"}),
        404,
        "service_not_found",
    )
    # Nothing was issued by any of them.
    assert waiting_numbers(clerk) == []
    assert _events(server, "ticket.created") == []
