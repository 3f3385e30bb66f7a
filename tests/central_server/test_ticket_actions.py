"""What a clerk does with a ticket, over HTTP against the real server: every action's happy
path, the refusal (409) of an action the ticket's state does not allow, transfers, parking."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from tests.support.api import (
    act,
    assert_error,
    call_next,
    new_ticket,
    queue,
    settled,
    waiting_numbers,
)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def logged_events(server, ticket_id: int) -> str:
    """Everything the event log holds about a ticket, as one text to search."""
    from sqlalchemy import select

    from central_server.models import Event

    with server.db.read_session() as session:
        rows = session.scalars(select(Event).where(Event.ticket_id == ticket_id)).all()
        return json.dumps([(e.type, e.actor, e.data) for e in rows], ensure_ascii=False)


def test_new_ticket_waits_with_number_position_and_estimate(server, kiosk, services):
    first = new_ticket(kiosk, services["A"])
    assert first["number"] == "A001"
    assert first["status"] == "waiting"
    assert first["position"] == 1
    assert first["estimated_wait_minutes"] == 0
    assert first["status_token"] and len(first["status_token"]) >= 16
    assert first["desk"] is None and first["case"] is None

    second = new_ticket(kiosk, services["A"])
    assert (second["number"], second["position"]) == ("A002", 2)
    assert second["estimated_wait_minutes"] >= 1
    other = new_ticket(kiosk, services["B"], language="tr")
    # B has its own numbers, but its desks are the same, so the citizen is third in line.
    assert (other["number"], other["position"], other["language"]) == ("B001", 3, "tr")
    assert other["status_token"] != second["status_token"] != first["status_token"]

    clerk = server.client(server.login("clerk1"))
    shown = clerk.get(f"/tickets/{second['id']}").json()
    assert shown["number"] == "A002" and shown["position"] == 2
    assert "status_token" not in shown
    assert waiting_numbers(clerk) == ["A001", "A002", "B001"]


def test_call_recall_start_record_finish(clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])

    called = call_next(clerk, "1")
    assert called["id"] == ticket["id"]
    assert (called["status"], called["desk"]) == ("called", "1")
    assert called["called_at"] is not None and called["position"] is None
    assert queue(clerk)["called"][0]["number"] == "A001"

    recalled = act(clerk, ticket["id"], "recall")
    assert (recalled["status"], recalled["recall_count"]) == ("called", 1)
    assert act(clerk, ticket["id"], "recall")["recall_count"] == 2

    started = act(clerk, ticket["id"], "start")
    assert started["status"] == "serving" and started["started_at"] is not None
    assert [t["number"] for t in queue(clerk)["serving"]] == ["A001"]

    answer = clerk.put(
        f"/tickets/{ticket['id']}/case",
        json={
            "notes": "Mietvertrag fehlt",
            "steps_done": ["id_checked", "id_checked"],
            "case_reference": "MA-2024-17",
        },
    )
    assert answer.status_code == 200, answer.text
    case = answer.json()["case"]
    assert case["notes"] == "Mietvertrag fehlt"
    assert case["steps_done"] == ["id_checked"]
    assert case["case_reference"] == "MA-2024-17"
    assert case["outcome"] is None

    finished = act(
        clerk,
        ticket["id"],
        "finish",
        {"outcome": "completed", "steps_done": ["id_checked", "certificate_printed"]},
    )
    assert finished["status"] == "done" and finished["finished_at"] is not None
    assert finished["case"]["outcome"] == "completed"
    assert finished["case"]["steps_done"] == ["id_checked", "certificate_printed"]
    # Notes recorded earlier survive a finish that does not mention them.
    assert finished["case"]["notes"] == "Mietvertrag fehlt"
    after = queue(clerk)
    assert after["waiting"] == after["called"] == after["serving"] == after["parked"] == []
    assert clerk.get(f"/tickets/{ticket['id']}").json()["status"] == "done"


def test_finish_then_call_next_serves_the_next_citizen(clerk, kiosk, services):
    first = new_ticket(kiosk, services["A"])
    second = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, first["id"], "start")
    act(clerk, first["id"], "finish", {"outcome": "documents_missing", "notes": "Pass fehlt"})
    called = call_next(clerk, "1")
    assert called["id"] == second["id"] and called["number"] == "A002"
    assert waiting_numbers(clerk) == []
    act(clerk, second["id"], "start")
    act(clerk, second["id"], "finish", {"outcome": "completed"})
    assert call_next(clerk, "1", expect=204) is None


def test_call_next_with_nobody_waiting_answers_204_without_body(clerk, kiosk, services):
    answer = clerk.post("/sites/demo/desks/1/call-next")
    assert answer.status_code == 204
    assert answer.content == b""
    # Tickets for other desks do not count: desk 6 serves pickups only.
    new_ticket(kiosk, services["A"])
    assert clerk.post("/sites/demo/desks/6/call-next").status_code == 204
    assert waiting_numbers(clerk) == ["A001"]


def test_no_show_frees_the_desk(clerk, kiosk, services):
    first = new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    gone = act(clerk, first["id"], "no-show")
    assert gone["status"] == "no_show" and gone["finished_at"] is not None
    assert call_next(clerk, "1")["number"] == "A002"
    assert clerk.get(f"/tickets/{first['id']}").json()["status"] == "no_show"


def test_cancel_a_waiting_ticket_and_a_called_one(clerk, kiosk, services):
    waiting = new_ticket(kiosk, services["A"])
    other = new_ticket(kiosk, services["B"])
    cancelled = act(clerk, waiting["id"], "cancel")
    assert cancelled["status"] == "cancelled"
    assert waiting_numbers(clerk) == ["B001"]
    counts = {c["prefix"]: c["waiting"] for c in queue(clerk)["counts"]}
    assert counts["A"] == 0 and counts["B"] == 1

    assert call_next(clerk, "1")["id"] == other["id"]
    act(clerk, other["id"], "cancel")
    # The desk is free again.
    new_ticket(kiosk, services["C"])
    assert call_next(clerk, "1")["number"] == "C001"


def _ticket_in(state, server, kiosk, services, clerk=None):
    """A fresh A ticket in ``state``, moved there by clerk1 at desk 1."""
    clerk = clerk or server.client(server.login("clerk1"))
    ticket = new_ticket(kiosk, services["A"])
    if state == "waiting":
        return clerk, ticket
    assert call_next(clerk, "1")["id"] == ticket["id"]
    if state == "called":
        return clerk, ticket
    act(clerk, ticket["id"], "start")
    if state == "serving":
        return clerk, ticket
    if state == "parked":
        act(clerk, ticket["id"], "park")
        return clerk, ticket
    act(clerk, ticket["id"], "finish", {"outcome": "completed"})
    assert state == "done"
    return clerk, ticket


REFUSED = [
    ("recall", "waiting", None),
    ("recall", "serving", None),
    ("no-show", "serving", None),
    ("no-show", "waiting", None),
    ("start", "waiting", None),
    ("start", "serving", None),
    ("park", "called", None),
    ("park", "parked", None),
    ("resume", "serving", None),
    ("resume", "waiting", None),
    ("finish", "called", {"outcome": "completed"}),
    ("finish", "waiting", {"outcome": "completed"}),
    ("cancel", "done", None),
    ("transfer", "done", {"desk": "5", "reason": "Rückfrage"}),
]


def test_action_the_state_does_not_allow_is_refused_naming_the_ticket(server, kiosk, services):
    problems = []
    clerk = server.client(server.login("clerk1"))
    for action, state, body in REFUSED:
        clerk, ticket = _ticket_in(state, server, kiosk, services, clerk)
        number = ticket["number"]
        before = clerk.get(f"/tickets/{ticket['id']}").json()
        try:
            answer = clerk.post(f"/tickets/{ticket['id']}/{action}", json=body)
            error = assert_error(answer, 409, "invalid_transition")
            assert number in error["message"], error
            assert error["details"]["number"] == number, error

            english = clerk.post(
                f"/tickets/{ticket['id']}/{action}", json=body, headers={"Accept-Language": "en"}
            )
            assert_error(english, 409, "invalid_transition")
            assert f"Ticket {number} is" in english.json()["message"], english.json()
            assert clerk.get(f"/tickets/{ticket['id']}").json() == before, "the ticket changed"
        except AssertionError as failed:
            problems.append(f"{action} when {state}: {failed}")
        # Free desk 1 for the next case.
        assert clerk.post(f"/tickets/{ticket['id']}/cancel").status_code in (200, 409)
    assert not problems, "\n".join(problems)


def test_case_of_a_finished_ticket_cannot_change(server, kiosk, services):
    clerk, ticket = _ticket_in("done", server, kiosk, services)
    answer = clerk.put(
        f"/tickets/{ticket['id']}/case",
        json={"notes": "zu spät"},
        headers={"Accept-Language": "en"},
    )
    error = assert_error(answer, 409, "case_closed")
    assert "A001" in error["message"]
    assert clerk.get(f"/tickets/{ticket['id']}").json()["case"]["notes"] == ""


@pytest.mark.parametrize("state", ["called", "serving"])
def test_call_next_while_the_desk_has_an_open_ticket_is_refused(server, kiosk, services, state):
    clerk, ticket = _ticket_in(state, server, kiosk, services)
    new_ticket(kiosk, services["A"])
    answer = clerk.post("/sites/demo/desks/1/call-next", headers={"Accept-Language": "en"})
    error = assert_error(answer, 409, "desk_busy")
    assert "A001" in error["message"] and error["details"]["number"] == "A001"
    german = clerk.post("/sites/demo/desks/1/call-next")
    assert "A001" in assert_error(german, 409, "desk_busy")["message"]
    # A002 still waits, A001 is still at the desk.
    assert waiting_numbers(clerk) == ["A002"]
    assert clerk.get(f"/tickets/{ticket['id']}").json()["status"] == state
    # Another desk may call A002 meanwhile.
    other = server.client(server.login("clerk2"))
    assert call_next(other, "2")["number"] == "A002"


def test_transfer_to_another_service_keeps_number_and_place(server, clerk, kiosk, services):
    # A003 is the one moved: service C gives only C001 and C002 here, so no number of C
    # equals A003's (see the two tests below for that case).
    for _ in range(2):
        act(clerk, new_ticket(kiosk, services["A"])["id"], "cancel")
    ticket = new_ticket(kiosk, services["A"])
    later = [new_ticket(kiosk, services["C"]) for _ in range(2)]
    assert call_next(clerk, "1")["id"] == ticket["id"]
    act(clerk, ticket["id"], "start")

    moved = act(
        clerk,
        ticket["id"],
        "transfer",
        {"service_id": services["C"], "reason": "Aufenthaltsrecht klären"},
    )
    assert moved["status"] == "transferred"
    assert moved["number"] == "A003"
    assert moved["service_id"] == services["C"]
    assert _at(moved["queued_at"]) == _at(ticket["queued_at"])
    assert moved["transfer_count"] == 1
    assert moved["position"] == 1
    assert moved["case"]["forward_reason"] == "Aufenthaltsrecht klären"

    counts = {c["prefix"]: c["waiting"] for c in queue(clerk)["counts"]}
    assert counts["A"] == 0 and counts["C"] == 3
    assert waiting_numbers(clerk) == ["A003", "C001", "C002"]
    # Desk 1 is free again; the next desk to call C gets A003 before those who came later.
    desk4 = server.client(server.login("clerk4"))
    again = call_next(desk4, "4")
    assert (again["number"], again["desk"], again["status"]) == ("A003", "4", "called")
    assert call_next(clerk, "1")["id"] == later[0]["id"]


def test_transfer_to_a_service_that_already_gave_the_same_number(server, clerk, kiosk, services):
    """A001 moved to service C, where C001 exists: both stay in C's queue under their numbers."""
    ticket = new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["C"])  # C001: number 1 of service C
    call_next(clerk, "1")
    answer = clerk.post(
        f"/tickets/{ticket['id']}/transfer",
        json={"service_id": services["C"], "reason": "falsches Anliegen"},
    )
    assert settled(server, answer).status_code == 200, answer.text
    assert waiting_numbers(clerk) == ["A001", "C001"]
    # And the kiosk keeps giving C numbers afterwards.
    assert new_ticket(kiosk, services["C"])["number"] == "C002"


def test_ticket_transferred_to_a_service_then_new_tickets_of_that_service(
    server, clerk, kiosk, services
):
    """Service C has given no number yet when A001 moves there; the kiosk then gives C001."""
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "transfer", {"service_id": services["C"]})
    answer = kiosk.post("/sites/demo/tickets", json={"service_id": services["C"]})
    assert settled(server, answer).status_code == 201, answer.text
    assert answer.json()["number"] == "C001"
    assert waiting_numbers(clerk) == ["A001", "C001"]


def test_transfer_to_the_back_office_desk(server, clerk, kiosk, display, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    act(clerk, ticket["id"], "park")  # a transfer works from parked too
    moved = act(
        clerk,
        ticket["id"],
        "transfer",
        {
            "desk": "5",
            "reason": "Prüfung Wohnungsgeberbestätigung",
            "notes": "Vermieter telefonisch nicht erreicht",
        },
    )
    assert moved["status"] == "transferred" and moved["target_desk"] == "5"
    assert moved["number"] == "A001"
    assert _at(moved["queued_at"]) == _at(ticket["queued_at"])
    assert moved["position"] == 1

    # Only desk 5 may call it: not desk 1, not any other front-office desk.
    later = new_ticket(kiosk, services["A"])
    assert call_next(clerk, "1")["id"] == later["id"]
    clerk2 = server.client(server.login("clerk2"))
    assert call_next(clerk2, "2", expect=204) is None
    assert waiting_numbers(clerk, desk="2") == []
    assert waiting_numbers(clerk, desk="5") == ["A001"]

    back_office = server.client(server.login("clerk3"))
    called = call_next(back_office, "5")
    assert (called["number"], called["desk"], called["status"]) == ("A001", "5", "called")
    assert called["target_desk"] is None
    assert called["case"]["notes"] == "Vermieter telefonisch nicht erreicht"
    assert called["case"]["forward_reason"] == "Prüfung Wohnungsgeberbestätigung"
    shown = back_office.get(f"/tickets/{ticket['id']}").json()
    assert shown["case"]["notes"] == "Vermieter telefonisch nicht erreicht"
    # The waiting-room screen shows the call, never the notes.
    assert display.get(f"/tickets/{ticket['id']}").json()["case"] is None

    act(back_office, ticket["id"], "start")
    done = act(back_office, ticket["id"], "finish", {"outcome": "follow_up"})
    assert done["status"] == "done" and done["desk"] == "5"


def test_transfer_takes_steps_reference_and_notes_to_the_next_desk(
    server, clerk, kiosk, display, services
):
    ticket = new_ticket(kiosk, services["B"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    moved = act(
        clerk,
        ticket["id"],
        "transfer",
        {
            "desk": "5",
            "reason": "Entscheidung Backoffice",
            "notes": "Alter Pass liegt vor",
            "steps_done": ["photo_checked"],
            "case_reference": "BA-2026-0815",
        },
    )
    assert moved["case"]["case_reference"] == "BA-2026-0815"
    back_office = server.client(server.login("clerk3"))
    called = call_next(back_office, "5")
    assert called["id"] == ticket["id"]
    case = called["case"]
    assert case["steps_done"] == ["photo_checked"]
    assert case["case_reference"] == "BA-2026-0815"
    assert case["notes"] == "Alter Pass liegt vor"
    assert case["forward_reason"] == "Entscheidung Backoffice"
    # The event log says the ticket was forwarded, never what the case holds.
    events = logged_events(server, ticket["id"])
    assert "ticket.transferred" in events
    assert "BA-2026-0815" not in events and "Alter Pass" not in events
    assert display.get(f"/tickets/{ticket['id']}").json()["case"] is None


def test_transfer_needs_exactly_one_target(clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    for body in ({"reason": "x"}, {"service_id": services["B"], "desk": "5"}):
        assert_error(
            clerk.post(f"/tickets/{ticket['id']}/transfer", json=body), 422, "transfer_target"
        )
    assert_error(
        clerk.post(f"/tickets/{ticket['id']}/transfer", json={"desk": "99"}), 404, "desk_not_found"
    )
    assert_error(
        clerk.post(f"/tickets/{ticket['id']}/transfer", json={"service_id": 99999}),
        404,
        "service_not_found",
    )
    shown = clerk.get(f"/tickets/{ticket['id']}").json()
    assert (shown["status"], shown["desk"], shown["transfer_count"]) == ("called", "1", 0)


def test_park_call_next_then_resume(server, clerk, kiosk, services):
    first = new_ticket(kiosk, services["A"])
    second = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, first["id"], "start")
    parked = act(clerk, first["id"], "park")
    assert parked["status"] == "parked" and parked["desk"] == "1"
    assert [t["number"] for t in queue(clerk)["parked"]] == ["A001"]

    # While A001 fetches a document, desk 1 serves A002.
    assert call_next(clerk, "1")["id"] == second["id"]
    busy = clerk.post(f"/tickets/{first['id']}/resume", headers={"Accept-Language": "en"})
    error = assert_error(busy, 409, "desk_busy")
    assert "A002" in error["message"]
    assert clerk.get(f"/tickets/{first['id']}").json()["status"] == "parked"

    act(clerk, second["id"], "start")
    act(clerk, second["id"], "finish", {"outcome": "completed"})
    resumed = act(clerk, first["id"], "resume")
    assert (resumed["status"], resumed["desk"]) == ("serving", "1")
    assert queue(clerk)["parked"] == []
    act(clerk, first["id"], "finish", {"outcome": "completed"})


def test_parked_ticket_resumes_at_another_desk(server, clerk, kiosk, services):
    first = new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, first["id"], "start")
    act(clerk, first["id"], "park")
    call_next(clerk, "1")
    clerk2 = server.client(server.login("clerk2"))
    resumed = act(clerk2, first["id"], "resume", {"desk": "2"})
    assert (resumed["status"], resumed["desk"]) == ("serving", "2")
    assert_error(clerk2.post("/sites/demo/desks/2/call-next"), 409, "desk_busy")
