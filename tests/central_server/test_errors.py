"""Bad input answers a 4xx JSON error {"code", "message", "details"} and changes nothing:
the queue stays as it was and no ticket number is used up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from central_server.admin import site_file
from tests.support.api import act, assert_error, call_next, new_ticket, queue, settled
from tests.support.sites import demo_spec


@pytest.fixture
def unchanged(clerk):
    """Asserts, after the test, that the queue looks exactly as before the test."""
    before = queue(clerk)
    yield
    assert queue(clerk) == before


BAD_TICKET_BODIES = [
    ({"service_id": "Anmeldung"}, "service_id"),
    ({"service_id": 1.5}, "service_id"),
    ({"service_id": None}, "service_id"),
    ({}, "service_id"),
    ({"service_id": 1, "priority": "vip"}, "priority"),
    ({"service_id": 1, "language": "fr"}, "language"),
    ([1], ""),
]


def test_wrong_ticket_body_is_refused(server, kiosk, clerk, services):
    before = queue(clerk)
    for body, field in BAD_TICKET_BODIES:
        answer = kiosk.post("/sites/demo/tickets", json=body, headers={"Accept-Language": "en"})
        error = assert_error(answer, 422, "invalid_input")
        problems = error["details"]["problems"]
        assert problems and all({"field", "problem"} <= set(p) for p in problems), body
        if field:
            assert any(p["field"].startswith(field) for p in problems), (body, problems)
            assert field in error["message"], (body, error)
    assert queue(clerk) == before
    # No number was used up.
    assert new_ticket(kiosk, services["A"])["number"] == "A001"


def test_missing_or_broken_body_is_refused(server, kiosk, clerk, services, unchanged):
    url = f"{server.url}/api/v1/sites/demo/tickets"
    auth = {"Authorization": "Bearer demo-kiosk"}
    for answer in (
        requests.post(url, headers=auth, timeout=10),
        requests.post(
            url,
            headers={**auth, "Content-Type": "application/json"},
            data="{service_id: 1",
            timeout=10,
        ),
        requests.post(url, headers=auth, data="service_id=1", timeout=10),
    ):
        assert_error(answer, 422, "invalid_input")


def test_unknown_service_is_refused_and_uses_no_number(server, kiosk, clerk, services):
    before = queue(clerk)
    answer = kiosk.post("/sites/demo/tickets", json={"service_id": 987654})
    error = assert_error(answer, 404, "service_not_found")
    assert error["details"]["service"] == "987654"
    assert queue(clerk) == before
    assert new_ticket(kiosk, services["A"])["number"] == "A001"


def test_unknown_site_desk_and_ticket(server, clerk, kiosk, unchanged):
    assert_error(kiosk.get("/sites/nirgendwo/services"), 404, "site_not_found")
    assert_error(
        kiosk.post("/sites/nirgendwo/tickets", json={"service_id": 1}), 404, "site_not_found"
    )
    assert_error(clerk.get("/sites/nirgendwo/queue"), 404, "site_not_found")
    assert_error(clerk.post("/sites/demo/desks/99/call-next"), 404, "desk_not_found")
    assert_error(clerk.post("/sites/demo/desks/99/sign-on"), 404, "desk_not_found")
    assert_error(clerk.get("/sites/demo/queue?desk=99"), 404, "desk_not_found")
    assert_error(clerk.get("/tickets/424242"), 404, "ticket_not_found")
    assert_error(clerk.post("/tickets/424242/start"), 404, "ticket_not_found")
    assert_error(clerk.get("/tickets/abc"), 422, "invalid_input")
    assert_error(clerk.post("/tickets/abc/cancel"), 422, "invalid_input")


def test_unknown_address_and_method(server, clerk):
    assert_error(clerk.get("/no/such/thing"), 404, "not_found")
    assert_error(
        clerk.session.delete(f"{clerk.base}/sites/demo/queue", timeout=10),
        405,
        "method_not_allowed",
    )
    assert_error(
        requests.get(f"{server.url}/api/v1/sites/demo/tickets", timeout=10),
        405,
        "method_not_allowed",
    )


def test_wrong_finish_leaves_the_ticket_being_served(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    before = clerk.get(f"/tickets/{ticket['id']}").json()
    for body in (
        None,
        {},
        {"outcome": "erledigt"},
        {"outcome": "completed", "steps_done": "id_checked"},
        {"outcome": "completed", "notes": "x" * 20001},
        {"outcome": "completed", "case_reference": "x" * 101},
    ):
        answer = clerk.post(f"/tickets/{ticket['id']}/finish", json=body)
        assert_error(answer, 422, "invalid_input")
    assert clerk.get(f"/tickets/{ticket['id']}").json() == before


def test_wrong_case_update_changes_nothing(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    clerk.put(f"/tickets/{ticket['id']}/case", json={"notes": "vorher"})
    before = clerk.get(f"/tickets/{ticket['id']}").json()
    for body in (None, {"notes": 17}, {"steps_done": ["a"] * 101}, {"notes": "x" * 20001}):
        assert_error(clerk.put(f"/tickets/{ticket['id']}/case", json=body), 422, "invalid_input")
    assert clerk.get(f"/tickets/{ticket['id']}").json() == before


def test_wrong_transfer_changes_nothing(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    before = clerk.get(f"/tickets/{ticket['id']}").json()
    for body, status, code in (
        (None, 422, "invalid_input"),
        ({"service_id": "B"}, 422, "invalid_input"),
        ({"desk": "5", "reason": "x" * 2001}, 422, "invalid_input"),
        ({"desk": "5", "service_id": services["B"]}, 422, "transfer_target"),
        ({"desk": "77"}, 404, "desk_not_found"),
        ({"service_id": 123456}, 404, "service_not_found"),
    ):
        assert_error(clerk.post(f"/tickets/{ticket['id']}/transfer", json=body), status, code)
    assert clerk.get(f"/tickets/{ticket['id']}").json() == before


def test_messages_follow_accept_language(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    english = clerk.post(f"/tickets/{ticket['id']}/start", headers={"Accept-Language": "en-GB"})
    assert assert_error(english, 409, "invalid_transition")["message"] == (
        "Ticket A001 is waiting; only a called ticket can be started."
    )
    default = clerk.post(f"/tickets/{ticket['id']}/start")
    german = clerk.post(
        f"/tickets/{ticket['id']}/start", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    )
    assert assert_error(default, 409, "invalid_transition")["message"] == german.json()["message"]
    assert "A001" in german.json()["message"]
    # A language the staff screens do not offer falls back to German.
    french = clerk.post(f"/tickets/{ticket['id']}/start", headers={"Accept-Language": "fr"})
    assert french.json()["message"] == german.json()["message"]


def test_inactive_and_closed_services(server, kiosk, clerk, services):
    today = datetime.now(ZoneInfo("Europe/Berlin")).weekday()
    other_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(today + 3) % 7]
    spec = demo_spec()
    for entry in spec["services"]:
        if entry["prefix"] == "B":
            entry["active"] = False
        if entry["prefix"] == "C":
            entry["hours"] = {other_day: ["08:00-12:00"]}
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))

    listed = {s["prefix"]: s for s in kiosk.get("/sites/demo/services").json()}
    assert "B" not in listed
    assert listed["C"]["open_now"] is False and listed["C"]["hours_today"] == ""
    before = queue(clerk)
    assert_error(
        kiosk.post("/sites/demo/tickets", json={"service_id": services["B"]}),
        409,
        "service_inactive",
    )
    assert_error(
        kiosk.post("/sites/demo/tickets", json={"service_id": services["C"]}), 409, "service_closed"
    )
    assert queue(clerk) == before
    assert new_ticket(kiosk, services["A"])["number"] == "A001"


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(("get", "/tickets/99999999999999999999", None), id="read-huge-ticket-id"),
        pytest.param(
            ("post", "/tickets/99999999999999999999/start", None),
            id="act-on-huge-ticket-id",
        ),
        pytest.param(
            ("post", "/sites/demo/tickets", {"service_id": 2**70}),
            id="huge-service-id",
        ),
        pytest.param(("post", "/sites/demo/tickets", {"service_id": -1}), id="negative-service-id"),
        pytest.param(("get", "/tickets/0", None), id="ticket-zero"),
    ],
)
def test_ids_out_of_range_are_refused_cleanly(server, kiosk, request_):
    method, path, body = request_
    client = server.client(server.login("clerk1"))
    answer = getattr(client, method)(path, **({"json": body} if body is not None else {}))
    settled(server, answer)
    assert answer.status_code in (404, 422), answer.text
    assert set(answer.json()) == {"code", "message", "details"}
