"""The case while the citizen is served, over HTTP: the desk saves it as the clerk types
(``PUT /tickets/{id}/case``) and the site's clerks and supervisors read it (``GET``). Who may
do this is in the role matrix of ``test_permissions``."""

from __future__ import annotations

import json

from sqlalchemy import select

from central_server.models import Event
from tests.support.api import act, assert_error, call_next, new_ticket


def case_events(server, ticket_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(type, everything logged) of the ticket's events, oldest first."""
    with server.db.read_session() as session:
        rows = session.scalars(
            select(Event).where(Event.ticket_id == ticket_id).order_by(Event.seq)
        ).all()
        return [(e.type, json.dumps([e.actor, e.data], ensure_ascii=False)) for e in rows]


def test_colleagues_read_the_case_while_it_is_being_served(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["B"])
    supervisor = server.client(server.login("supervisor"))
    empty = supervisor.get(f"/tickets/{ticket['id']}/case")
    assert empty.status_code == 200, empty.text
    assert empty.json() == {
        "ticket_id": ticket["id"],
        "number": "B001",
        "status": "waiting",
        "steps_done": [],
        "outcome": None,
        "notes": "",
        "case_reference": "",
        "forward_reason": "",
        "cancel_reason": "",
        "updated_at": None,
    }

    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    answer = clerk.put(
        f"/tickets/{ticket['id']}/case",
        json={"notes": "Alter Pass", "steps_done": ["photo_checked"], "case_reference": "BA-1"},
    )
    assert answer.status_code == 200, answer.text

    for reader in (supervisor, server.client(server.login("clerk2"))):
        case = reader.get(f"/tickets/{ticket['id']}/case").json()
        assert (case["status"], case["notes"], case["steps_done"], case["case_reference"]) == (
            "serving",
            "Alter Pass",
            ["photo_checked"],
            "BA-1",
        )
        assert case["updated_at"] is not None

    # A field left out stays as it is.
    clerk.put(f"/tickets/{ticket['id']}/case", json={"notes": "Alter Pass, abgelaufen"})
    case = supervisor.get(f"/tickets/{ticket['id']}/case").json()
    assert (case["notes"], case["steps_done"], case["case_reference"]) == (
        "Alter Pass, abgelaufen",
        ["photo_checked"],
        "BA-1",
    )


def test_the_same_case_sent_again_changes_and_logs_nothing(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["B"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    body = {"notes": "Geburtsurkunde fehlt", "steps_done": [], "case_reference": "BA-2026-0815"}
    first = clerk.put(f"/tickets/{ticket['id']}/case", json=body)
    assert first.status_code == 200, first.text
    again = clerk.put(f"/tickets/{ticket['id']}/case", json=body)
    assert again.status_code == 200, again.text
    assert again.json()["case"] == first.json()["case"]  # updated_at too

    events = case_events(server, ticket["id"])
    assert [kind for kind, _ in events].count("ticket.case_updated") == 1
    # The log says that the case changed, never what it holds.
    logged = " ".join(text for _, text in events)
    assert "Geburtsurkunde" not in logged and "BA-2026-0815" not in logged


def test_nobody_reads_the_case_of_an_unknown_ticket(server, clerk):
    assert_error(clerk.get("/tickets/999999/case"), 404, "ticket_not_found")
    assert_error(clerk.put("/tickets/999999/case", json={"notes": "x"}), 404, "ticket_not_found")
