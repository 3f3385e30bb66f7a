"""A citizen without the pickup receipt (issue 16), over HTTP on the real server, on SQLite and
PostgreSQL: the pickup desk finds the pickup by case reference or name (the log says who
searched, never what), hands the document over after the ID check stating why, or re-issues
the receipt (the old one void, and a scan of it says it was replaced). And the pickup desk's
called P ticket shows its pickup before the scan.
"""

from __future__ import annotations

from typing import Any

from tests.central_server.test_pickups import (
    HOLDER,
    REFERENCE,
    all_events_text,
    check_in,
    hand_over,
    lookup,
    order,
    pickup_events,
    pickup_row,
    ready,
    ready_pickup,
    staff,
    supervisor,
)
from tests.support.api import assert_error
from tests.support.live_server import ApiClient, LiveServer

__all__ = ["staff", "supervisor"]  # the fixtures: quick-pickup staff and a supervisor


def search(client: ApiClient, query: Any, site: str = "demo") -> Any:
    return client.post(f"/sites/{site}/pickups/search", json={"query": query})


def without_receipt(client: ApiClient, pickup_id: int, **body: Any) -> Any:
    sent = {"id_checked": True, "reason": "lost", **body}
    return client.post(f"/pickups/{pickup_id}/hand-over-without-receipt", json=sent)


def reissue(client: ApiClient, pickup_id: int, **body: Any) -> Any:
    sent = {"id_checked": True, "reason": "lost", **body}
    return client.post(f"/pickups/{pickup_id}/reissue", json=sent)


# Search ----------------------------------------------------------------------------------------


def test_search_by_case_reference_or_name_logs_who_but_not_what(server, clerk, staff):
    wanted, _ = ready_pickup(clerk)
    other = order(clerk, case_reference="XY-1", holder_name="Bernd Beispiel")["id"]
    by_reference = search(staff, REFERENCE.lower()[:6])
    assert by_reference.status_code == 200, by_reference.text
    assert [p["id"] for p in by_reference.json()["pickups"]] == [wanted]
    assert by_reference.json()["more"] is False
    by_name = search(staff, "yılmaz")
    assert [p["holder_name"] for p in by_name.json()["pickups"]] == [HOLDER]
    assert by_name.json()["pickups"][0]["slot"] == "B-17"
    assert [p["id"] for p in search(staff, "beispiel").json()["pickups"]] == [other]
    # A LIKE wildcard is a plain character: "%" finds nobody.
    assert search(staff, "%%%").json()["pickups"] == []
    searched = [e for e in pickup_events(server) if e.type == "pickup.searched"]
    assert [(e.actor, e.data) for e in searched] == [
        ("pickup1", {"found": 1, "more": False}),
        ("pickup1", {"found": 1, "more": False}),
        ("pickup1", {"found": 1, "more": False}),
        ("pickup1", {"found": 0, "more": False}),
    ]
    # What was searched for is nowhere in the log (the names are in no event at all).
    logged = all_events_text(server).lower()
    for text in ("yılmaz", "beispiel", "az-202", "%%%"):
        assert text not in logged


def test_search_answers_at_most_twenty(server, clerk, staff):
    for number in range(22):
        order(clerk, case_reference=f"MASS-{number:02}", holder_name="Meier")
    answer = search(staff, "meier").json()
    assert len(answer["pickups"]) == 20 and answer["more"] is True
    # Newest first: the last ordered comes first.
    assert answer["pickups"][0]["case_reference"] == "MASS-21"


def test_who_may_search_and_bad_searches(server, clerk, kiosk, display, staff, supervisor):
    ready_pickup(clerk)
    for client in (clerk, kiosk, display):
        assert_error(search(client, "yılmaz"), 403, "forbidden_role")
    assert search(supervisor, "yılmaz").json()["pickups"][0]["holder_name"] == HOLDER
    events = all_events_text(server)
    for bad in ("ab", "  a ", "", "x" * 101, 42, "a\x00bc"):
        assert_error(search(staff, bad), 422, "invalid_input")
    assert_error(search(staff, "yılmaz", site="nowhere"), 404, "site_not_found")
    assert all_events_text(server) == events


# Hand-over without the receipt -----------------------------------------------------------------


def test_hand_over_without_receipt_records_why(server, clerk, staff):
    pickup_id, token = ready_pickup(clerk)
    answer = without_receipt(staff, pickup_id, reason="stolen")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "handed_over"
    assert answer.json()["handed_over_by"] == "pickup1"
    event = pickup_events(server)[-1]
    assert event.type == "pickup.handed_over"
    assert event.data["without_receipt"] is True and event.data["reason"] == "stolen"
    assert event.data["id_checked"] is True
    # The receipt, should it turn up, is one of a handed-over document.
    assert_error(hand_over(staff, pickup_id, token), 409, "pickup_already_handed_over")
    assert_error(without_receipt(staff, pickup_id), 409, "pickup_already_handed_over")


def test_hand_over_without_receipt_is_refused_without_id_check_or_reason(
    server, clerk, kiosk, staff
):
    pickup_id, _ = ready_pickup(clerk)
    not_ready = order(clerk)["id"]
    before = pickup_row(server, pickup_id)
    events = all_events_text(server)
    assert_error(without_receipt(staff, pickup_id, id_checked=False), 422, "id_check_required")
    assert_error(without_receipt(staff, pickup_id, reason="because"), 422, "invalid_input")
    assert_error(without_receipt(staff, not_ready), 409, "pickup_not_ready")
    assert_error(without_receipt(staff, 999_999), 404, "pickup_not_found")
    for client in (clerk, kiosk):
        assert_error(without_receipt(client, pickup_id), 403, "forbidden_role")
    assert pickup_row(server, pickup_id) == before
    assert all_events_text(server) == events


# Re-issue --------------------------------------------------------------------------------------


def test_reissue_voids_the_old_receipt_and_the_new_one_works(server, clerk, kiosk, staff):
    pickup_id, old = ready_pickup(clerk)
    answer = reissue(staff, pickup_id, reason="damaged")
    assert answer.status_code == 200, answer.text
    new = answer.json()["token"]
    assert new != old and len(new) == 32
    assert answer.json()["ready_page"].endswith("/p")
    assert answer.json()["holder_name"] == HOLDER
    event = pickup_events(server)[-1]
    assert event.type == "pickup.receipt_reissued" and event.data["reason"] == "damaged"
    assert new not in all_events_text(server) and old not in all_events_text(server)
    # The old code: clearly replaced, at the desk and at the kiosk, and nothing changes.
    replaced = assert_error(lookup(staff, old), 409, "pickup_receipt_replaced")
    assert "durch einen neuen ersetzt" in replaced["message"]  # German by default
    assert_error(hand_over(staff, pickup_id, old), 409, "pickup_receipt_replaced")
    assert_error(check_in(kiosk, old), 409, "pickup_receipt_replaced")
    # Re-issued again: both earlier codes are replaced.
    newest = reissue(staff, pickup_id).json()["token"]
    assert_error(lookup(staff, new), 409, "pickup_receipt_replaced")
    assert_error(lookup(staff, old), 409, "pickup_receipt_replaced")
    assert check_in(kiosk, newest).status_code == 201
    assert lookup(staff, newest).json()["id"] == pickup_id
    assert hand_over(staff, pickup_id, newest).json()["status"] == "handed_over"


def test_reissue_of_an_ordered_pickup_and_refusals(server, clerk, kiosk, staff):
    ordered = order(clerk)["id"]
    assert reissue(staff, ordered).status_code == 200
    pickup_id, token = ready_pickup(clerk)
    before = pickup_row(server, pickup_id)
    events = all_events_text(server)
    assert_error(reissue(staff, pickup_id, id_checked=False), 422, "id_check_required")
    assert_error(reissue(staff, pickup_id, reason=""), 422, "invalid_input")
    for client in (clerk, kiosk):
        assert_error(reissue(client, pickup_id), 403, "forbidden_role")
    assert pickup_row(server, pickup_id) == before
    assert all_events_text(server) == events
    hand_over(staff, pickup_id, token)
    assert_error(reissue(staff, pickup_id), 409, "pickup_already_handed_over")


# At the call -----------------------------------------------------------------------------------


def test_the_called_p_ticket_names_its_pickup(server, clerk, kiosk, staff):
    pickup_id, token = ready_pickup(clerk)
    ready(clerk, pickup_id, slot="C-04")
    ticket = check_in(kiosk, token).json()
    found = staff.get("/sites/demo/pickups", params={"checkin_ticket": ticket["id"]})
    assert found.status_code == 200, found.text
    assert [(p["id"], p["slot"], p["document_kind"]) for p in found.json()] == [
        (pickup_id, "C-04", "residence_permit")
    ]
    # A ticket without a pickup: none.
    other = staff.get("/sites/demo/pickups", params={"checkin_ticket": ticket["id"] + 1000})
    assert other.json() == []
    assert_error(
        staff.get("/sites/demo/pickups", params={"checkin_ticket": 0}), 422, "invalid_input"
    )


def test_the_server_states_its_public_page(server: LiveServer, clerk: ApiClient) -> None:
    created = order(clerk)
    assert created["ready_page"] == f"{server.url}/p"
