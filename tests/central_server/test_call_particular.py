"""A desk calls a particular citizen out of order, and takes back a no-show within ten
minutes: over HTTP against the real server, on SQLite and PostgreSQL, with the server's clock
set by the test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from tests.support.api import act, assert_error, call_next, new_ticket, queue, waiting_numbers
from tests.support.live_server import ApiClient, LiveServer
from tests.support.scripted_day import Clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock().install(monkeypatch)
    clock.at("09:00")
    return clock


def events(server: LiveServer, ticket_id: int) -> list[tuple[str, str | None, dict[str, Any]]]:
    """The ticket's events in the log: type, desk and data, oldest first."""
    from sqlalchemy import select

    from central_server.models import Event

    with server.db.read_session() as session:
        rows = session.scalars(
            select(Event).where(Event.ticket_id == ticket_id).order_by(Event.seq)
        ).all()
        return [(e.type, e.desk_code, dict(e.data)) for e in rows]


def call(client: ApiClient, ticket_id: int, desk: str) -> requests.Response:
    return client.post(f"/tickets/{ticket_id}/call", json={"desk": desk})


def test_a_particular_ticket_is_called_out_of_order_and_shown_like_any_call(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, display: ApiClient, services
) -> None:
    first, second, third = (new_ticket(kiosk, services["A"]) for _ in range(3))
    answer = call(clerk, third["id"], "1")
    assert answer.status_code == 200, answer.text
    called = answer.json()
    assert (called["number"], called["status"], called["desk"]) == ("A003", "called", "1")
    assert called["called_at"] is not None
    # The others keep their places; the next call-next takes the longest waiting.
    assert waiting_numbers(clerk) == ["A001", "A002"]
    assert queue(clerk)["called"][0]["number"] == "A003"
    (called_event,) = [e for e in events(server, third["id"]) if e[0] == "ticket.called"]
    assert called_event[1] == "1" and called_event[2]["out_of_order"] is True
    # The waiting-room display and the citizen's status page show it like any call.
    board = requests.get(
        f"{server.url}/display/demo/state", cookies={"tresen_display": "demo-display"}, timeout=10
    ).json()
    assert [(c["number"], c["desk"], c["status"]) for c in board["calls"]] == [
        ("A003", "Platz 1", "called")
    ]
    status = requests.get(f"{server.url}/t/{third['status_token']}/state", timeout=10).json()
    assert "Platz 1" in str(status) and "called" in str(status)
    waiting = requests.get(f"{server.url}/t/{second['status_token']}/state", timeout=10).json()
    assert "Platz 1" not in str(waiting)
    # call-next's own calls say nothing of an order.
    act(clerk, third["id"], "no-show")
    call_next(clerk, "1")
    (plain,) = [e for e in events(server, first["id"]) if e[0] == "ticket.called"]
    assert "out_of_order" not in plain[2]


def test_a_call_is_refused_for_a_busy_desk_a_ticket_not_waiting_or_a_desk_not_serving_it(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services
) -> None:
    a1 = new_ticket(kiosk, services["A"])
    a2 = new_ticket(kiosk, services["A"])
    pickup_ticket = new_ticket(kiosk, services["P"])
    assert call(clerk, a1["id"], "1").status_code == 200
    # The desk has A001 open: nobody else is called there, and nothing changes.
    busy = assert_error(call(clerk, a2["id"], "1"), 409, "desk_busy")
    assert "A001" in busy["message"]
    assert waiting_numbers(clerk) == ["A002", "P001"]
    # A001 is called already: not waiting.
    clerk2 = server.client(server.login("clerk2"))
    refused = assert_error(call(clerk2, a1["id"], "2"), 409, "invalid_transition")
    assert "A001" in refused["message"]
    # Desk 2 does not serve P (the pickup desk's service): 403, and P001 still waits.
    assert_error(call(clerk2, pickup_ticket["id"], "2"), 403, "desk_may_not_call")
    assert [t["number"] for t in queue(clerk)["waiting"]] == ["A002", "P001"]
    # Quick-pickup staff work at the pickup desk only.
    pickup = server.client(server.login("pickup1"))
    assert_error(call(pickup, a2["id"], "2"), 403, "forbidden_desk")
    # Another person's desk is not taken over by calling at it (as call-next).
    assert_error(call(clerk2, a2["id"], "1"), 409, "desk_busy")
    act(clerk, a1["id"], "no-show")
    assert_error(call(clerk2, a2["id"], "1"), 409, "desk_taken")
    # The display device may not call; unknown desks and tickets are 404.
    assert call(server.client("demo-display"), a2["id"], "2").status_code == 403
    assert_error(call(clerk2, a2["id"], "99"), 404, "desk_not_found")
    assert call(clerk2, 999999, "2").status_code == 404
    assert waiting_numbers(clerk) == ["A002", "P001"]


def test_a_ticket_transferred_to_one_desk_is_called_there_only(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services
) -> None:
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "transfer", {"desk": "5"})
    clerk2 = server.client(server.login("clerk2"))
    assert_error(call(clerk2, ticket["id"], "2"), 403, "desk_may_not_call")
    back_office = server.client(server.login("clerk3"))
    answer = call(back_office, ticket["id"], "5")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["desk"]) == ("called", "5")


def test_a_parked_ticket_is_called_at_its_desk_or_at_another_of_its_service(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services
) -> None:
    parked = new_ticket(kiosk, services["A"])
    other = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, parked["id"], "start")
    act(clerk, parked["id"], "park")
    call_next(clerk, "1")  # desk 1 serves A002 meanwhile
    # The citizen is back with the document: desk 2 calls them on the display.
    clerk2 = server.client(server.login("clerk2"))
    answer = call(clerk2, parked["id"], "2")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["desk"]) == ("called", "2")
    assert queue(clerk)["parked"] == []
    assert {t["number"] for t in queue(clerk)["called"]} == {"A001", "A002"}
    assert other["id"] != parked["id"]


def test_a_no_show_undone_waits_again_in_its_old_place(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services, clock: Clock
) -> None:
    first = new_ticket(kiosk, services["A"])
    clock.now += timedelta(minutes=1)
    second = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, first["id"], "no-show")
    clock.now += timedelta(minutes=2)
    new_ticket(kiosk, services["A"])
    assert waiting_numbers(clerk) == ["A002", "A003"]

    undone = act(clerk, first["id"], "undo-no-show")
    assert (undone["status"], undone["desk"], undone["position"]) == ("waiting", None, 1)
    assert undone["queued_at"] == first["queued_at"]
    assert waiting_numbers(clerk) == ["A001", "A002", "A003"]
    assert call_next(clerk, "1")["id"] == first["id"]
    kinds = [e[0] for e in events(server, first["id"])]
    assert kinds == [
        "ticket.created",
        "ticket.called",
        "ticket.no_show",
        "ticket.no_show_undone",
        "ticket.called",
    ]
    undone_event = events(server, first["id"])[3]
    assert undone_event[1] == "1" and undone_event[2]["called_at_desk"] is False
    assert second["number"] == "A002"


def test_a_no_show_undone_with_a_desk_is_called_there_at_once(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services, clock: Clock
) -> None:
    ticket = new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "no-show")
    call_next(clerk, "1")  # desk 1 has A002 now: it cannot take A001 back at once
    busy = clerk.post(f"/tickets/{ticket['id']}/undo-no-show", json={"desk": "1"})
    assert_error(busy, 409, "desk_busy")
    assert clerk.get(f"/tickets/{ticket['id']}").json()["status"] == "no_show"

    # The quick-pickup desk does not serve A: 403, and it stays a no-show.
    pickup_desk = clerk.post(f"/tickets/{ticket['id']}/undo-no-show", json={"desk": "6"})
    assert_error(pickup_desk, 403, "desk_may_not_call")
    assert clerk.get(f"/tickets/{ticket['id']}").json()["status"] == "no_show"
    clerk2 = server.client(server.login("clerk2"))
    answer = clerk2.post(f"/tickets/{ticket['id']}/undo-no-show", json={"desk": "2"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["desk"]) == ("called", "2")
    kinds = [(e[0], e[2].get("out_of_order")) for e in events(server, ticket["id"])][-2:]
    assert kinds == [("ticket.no_show_undone", None), ("ticket.called", True)]


def test_undo_after_ten_minutes_or_of_a_ticket_not_a_no_show_is_refused(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services, clock: Clock
) -> None:
    late, in_time = new_ticket(kiosk, services["A"]), new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, late["id"], "no-show")
    clock.now += timedelta(minutes=5)
    call_next(clerk, "1")
    act(clerk, in_time["id"], "no-show")
    # Exactly ten minutes after the no-show it can still be undone; a second later, not.
    clock.now += timedelta(minutes=5, seconds=1)
    refused = assert_error(clerk.post(f"/tickets/{late['id']}/undo-no-show"), 409, "undo_too_late")
    assert "A001" in refused["message"] and "10" in refused["message"]
    assert clerk.get(f"/tickets/{late['id']}").json()["status"] == "no_show"
    clock.now += timedelta(minutes=4, seconds=59)
    assert act(clerk, in_time["id"], "undo-no-show")["status"] == "waiting"

    # Waiting, or undone already: not a no-show.
    again = assert_error(
        clerk.post(f"/tickets/{in_time['id']}/undo-no-show"), 409, "invalid_transition"
    )
    assert "A002" in again["message"]
    # Roles as for a no-show: not the display, not the pickup staff for a front-office ticket.
    call_next(clerk, "1")
    act(clerk, in_time["id"], "no-show")
    assert (
        server.client("demo-display").post(f"/tickets/{in_time['id']}/undo-no-show").status_code
        == 403
    )
    pickup = server.client(server.login("pickup1"))
    assert_error(pickup.post(f"/tickets/{in_time['id']}/undo-no-show"), 403, "forbidden_desk")
    assert clerk.get(f"/tickets/{in_time['id']}").json()["status"] == "no_show"


def test_the_statistics_count_an_undone_no_show_as_none(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, services, clock: Clock
) -> None:
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "no-show")
    statistik = server.client(server.login("statistik"))
    period = {"from": "2026-12-01", "to": "2026-12-01"}
    before = statistik.get("/sites/demo/statistics", params=period).json()["totals"]
    assert before["no_show"] == 1
    act(clerk, ticket["id"], "undo-no-show")
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    act(clerk, ticket["id"], "finish", {"outcome": "completed"})
    after = statistik.get("/sites/demo/statistics", params=period).json()["totals"]
    assert (after["no_show"], after["served"]) == (0, 1)
