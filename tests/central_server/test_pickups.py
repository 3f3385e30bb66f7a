"""Pickups (issue #5) over HTTP on the real server: a clerk orders a document, the back office
marks it ready on a shelf slot, the citizen checks in at the kiosk with the receipt, quick-pickup
staff look the receipt up and hand the document over once, after the ID check.

The receipt's token is shown once and never stored or logged; it can be typed in any case, in
groups; wrong receipts are answered precisely and change nothing; the log never holds personal
data; documents not collected in time expire; old personal data is erased.
"""

from __future__ import annotations

import io
import json
import logging
import re
import secrets
import sys
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from central_server import cli
from central_server.auth import tokens
from central_server.models import Event, IdempotencyRecord, Pickup
from central_server.models._types import utcnow
from central_server.pickups import receipts
from central_server.pickups import service as pickups_service
from tests.support.api import act, assert_error, call_next, new_ticket, queue
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import SECOND_KIOSK_TOKEN, SECOND_SITE, add_second_site

HOLDER = "Ayşe Yılmaz-Testperson"
REFERENCE = "AZ-2026-4711"
#: A receipt's token: RFC 4648 base32 without padding, 160 bits.
BASE32_TOKEN = re.compile(r"[A-Z2-7]{32}")


@pytest.fixture
def staff(server: LiveServer) -> ApiClient:
    """pickup1, at the quick-pickup desk."""
    return server.client(server.login("pickup1"))


@pytest.fixture
def supervisor(server: LiveServer) -> ApiClient:
    return server.client(server.login("supervisor"))


def order(client: ApiClient, site: str = "demo", **fields: Any) -> dict[str, Any]:
    body = {
        "document_kind": "residence_permit",
        "case_reference": REFERENCE,
        "holder_name": HOLDER,
        **fields,
    }
    answer = client.post(f"/sites/{site}/pickups", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def ready(client: ApiClient, pickup_id: int, slot: str = "B-17") -> dict[str, Any]:
    answer = client.post(f"/pickups/{pickup_id}/ready", json={"slot": slot})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def ready_pickup(client: ApiClient, **fields: Any) -> tuple[int, str]:
    """A pickup ready on its slot: its id and its receipt's token."""
    created = order(client, **fields)
    ready(client, created["id"])
    return int(created["id"]), str(created["token"])


def lookup(client: ApiClient, token: str) -> Any:
    return client.post("/pickups/lookup", json={"token": token})


def hand_over(client: ApiClient, pickup_id: int, token: str, id_checked: Any = True) -> Any:
    return client.post(
        f"/pickups/{pickup_id}/hand-over", json={"token": token, "id_checked": id_checked}
    )


def check_in(client: ApiClient, token: str, site: str = "demo", **kwargs: Any) -> Any:
    return client.post(f"/sites/{site}/pickups/check-in", json={"token": token}, **kwargs)


def typed(token: str) -> str:
    """The token as a citizen types it from the receipt: lower case, in groups of four, with
    spaces, a tab and a dash between them and spaces around."""
    groups = [token[i : i + 4].lower() for i in range(0, len(token), 4)]
    return (
        "  "
        + " ".join(groups[:3])
        + "\t"
        + "-".join(groups[3:6])
        + " - "
        + "".join(groups[6:])
        + " "
    )


def site_today() -> date:
    """Today at the demo site."""
    return datetime.now(ZoneInfo("Europe/Berlin")).date()


def pickup_row(server: LiveServer, pickup_id: int) -> dict[str, Any]:
    assert server.db is not None
    with server.db.read_session() as session:
        row = session.get_one(Pickup, pickup_id)
        return {c.name: getattr(row, c.name) for c in Pickup.__table__.columns}


def pickup_events(server: LiveServer) -> list[Event]:
    assert server.db is not None
    with server.db.read_session() as session:
        query = select(Event).where(Event.type.like("pickup.%")).order_by(Event.id)
        return list(session.scalars(query))


def all_events_text(server: LiveServer) -> str:
    assert server.db is not None
    with server.db.read_session() as session:
        rows = session.scalars(select(Event).order_by(Event.id))
        return "\n".join(
            json.dumps([r.type, r.actor, r.desk_code, r.data], ensure_ascii=False) for r in rows
        )


# The whole way ---------------------------------------------------------------------------------


def test_the_whole_lifecycle(server, clerk, kiosk, staff, services):
    case_ticket = new_ticket(kiosk, services["C"])
    created = order(clerk, ticket_id=case_ticket["id"], document_detail="eAT")
    pickup_id, token = created["id"], created["token"]
    assert created["status"] == "ordered"
    assert created["holder_name"] == HOLDER and created["ticket_id"] == case_ticket["id"]
    assert created["created_by"] == "clerk1"
    assert BASE32_TOKEN.fullmatch(token), token  # 160 random bits, easy to type
    assert created["expected_ready_on"] is None
    # The token is shown this once: stored only as its digest, never in later answers.
    assert pickup_row(server, pickup_id)["token_hash"] != token
    assert token not in json.dumps(pickup_row(server, pickup_id), default=str)
    shown = clerk.get(f"/pickups/{pickup_id}")
    assert shown.status_code == 200, shown.text
    assert "token" not in shown.json() and token not in shown.text
    listed = clerk.get("/sites/demo/pickups", params={"status": "ordered"})
    assert [p["id"] for p in listed.json()] == [pickup_id] and token not in listed.text

    # Not ready yet: the kiosk says why and gives no ticket.
    early = assert_error(check_in(kiosk, token), 409, "pickup_not_ready")
    assert early["details"]["status"] == "ordered"
    assert early["details"]["expected_ready_on"] is None
    assert HOLDER not in json.dumps(early) and REFERENCE not in json.dumps(early)
    assert queue(clerk)["waiting"][-1]["id"] == case_ticket["id"]

    marked = ready(clerk, pickup_id, " B-17 ")
    assert marked["status"] == "ready" and marked["slot"] == "B-17"
    assert marked["ready_by"] == "clerk1" and marked["ready_at"]

    # The citizen checks in: a ticket of service P, without the holder's name.
    checked_in = check_in(kiosk, token, headers={"Accept-Language": "en"})
    assert checked_in.status_code == 201, checked_in.text
    ticket = checked_in.json()
    assert ticket["number"].startswith("P") and ticket["service_id"] == services["P"]
    assert ticket["priority"] == "normal" and ticket["status_token"]
    assert HOLDER not in checked_in.text and REFERENCE not in checked_in.text
    again = assert_error(check_in(kiosk, token), 409, "pickup_already_checked_in")
    assert again["details"]["number"] == ticket["number"]
    assert ticket["number"] in again["message"]

    # The quick-pickup desk calls the P ticket, scans the receipt and sees the document.
    assert call_next(staff, "6")["id"] == ticket["id"]
    found = lookup(staff, token)
    assert found.status_code == 200, found.text
    seen = found.json()
    assert seen["id"] == pickup_id and seen["holder_name"] == HOLDER and seen["slot"] == "B-17"
    assert seen["status"] == "ready" and seen["document_kind"] == "residence_permit"
    assert seen["checkin_ticket_number"] == ticket["number"] and seen["checked_in_at"]
    assert seen["handed_over_at"] is None and seen["handed_over_by"] is None
    assert "token" not in seen and token not in found.text

    given = hand_over(staff, pickup_id, token)
    assert given.status_code == 200, given.text
    assert given.json()["status"] == "handed_over"
    assert given.json()["handed_over_by"] == "pickup1" and given.json()["handed_over_at"]

    # Used once: a second hand-over says when and by whom, and changes nothing.
    before = pickup_row(server, pickup_id)
    events_before = all_events_text(server)
    second = assert_error(hand_over(staff, pickup_id, token), 409, "pickup_already_handed_over")
    assert second["details"]["by"] == "pickup1" and "pickup1" in second["message"]
    assert second["details"]["at"] in second["message"]
    assert_error(hand_over(staff, pickup_id, typed(token)), 409, "pickup_already_handed_over")
    assert pickup_row(server, pickup_id) == before
    after = lookup(staff, token).json()
    assert after["status"] == "handed_over" and after["handed_over_by"] == "pickup1"
    assert after["handed_over_at"] == given.json()["handed_over_at"]
    # At the kiosk the used receipt says when, but not which member of staff.
    used = assert_error(check_in(kiosk, token), 409, "pickup_already_handed_over")
    assert "pickup1" not in json.dumps(used)
    assert pickup_row(server, pickup_id) == before
    assert all_events_text(server) == events_before

    types = [(e.type, e.actor) for e in pickup_events(server)]
    assert types == [
        ("pickup.ordered", "clerk1"),
        ("pickup.ready", "clerk1"),
        ("pickup.checked_in", "device:lobby-kiosk"),
        ("pickup.handed_over", "pickup1"),
    ]
    events = pickup_events(server)
    assert events[0].ticket_id == case_ticket["id"]
    assert events[2].ticket_id == ticket["id"]
    # Personal data and the token stay out of the append-only log.
    logged = all_events_text(server)
    for secret in (HOLDER, "Yılmaz", REFERENCE, "eAT", token):
        assert secret not in logged


def test_a_german_answer_by_default(server, clerk, kiosk):
    created = order(clerk)
    answer = assert_error(check_in(kiosk, created["token"]), 409, "pickup_not_ready")
    assert "nicht" in answer["message"]


# Receipts people type ------------------------------------------------------------------------


def test_a_receipt_typed_in_lower_case_and_in_groups_works(server, clerk, kiosk, staff):
    pickup_id, token = ready_pickup(clerk)
    assert BASE32_TOKEN.fullmatch(token), token
    # The normal form is what is hashed and stored.
    assert pickup_row(server, pickup_id)["token_hash"] == tokens.digest(token)
    entered = typed(token)
    assert entered != token and entered.replace(" ", "").lower() != token.lower()
    found = lookup(staff, entered)
    assert found.status_code == 200, found.text
    assert found.json()["id"] == pickup_id
    checked_in = check_in(kiosk, entered)
    assert checked_in.status_code == 201, checked_in.text
    given = hand_over(staff, pickup_id, entered)
    assert given.status_code == 200, given.text
    assert given.json()["status"] == "handed_over"
    assert_error(hand_over(staff, pickup_id, token), 409, "pickup_already_handed_over")


def test_receipts_from_before_base32_keep_working(server, clerk, kiosk, staff):
    """Tokens made before were ``secrets.token_urlsafe(24)``: mixed case, ``-`` and ``_``; some
    (about one in 23) look like a base32 token typed in mixed case."""
    old_tokens = [
        "Xy-9_kLmNoPqRsTuVwXyZaBcDeFgH1-z",  # dashes and underscores
        "abcdEFGH2345ijklMNOP6723qrstUVWX",  # base32-shaped, mixed case
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",  # base32-shaped, upper case
    ]
    assert server.db is not None
    for old in old_tokens:
        pickup_id, _ = ready_pickup(clerk)
        with server.db.write_session() as session:
            session.execute(
                update(Pickup).where(Pickup.id == pickup_id).values(token_hash=tokens.digest(old))
            )
        found = lookup(staff, f" {old}\n")
        assert found.status_code == 200, (old, found.text)
        assert found.json()["id"] == pickup_id
        assert check_in(kiosk, old).status_code == 201
        assert hand_over(staff, pickup_id, old).status_code == 200
    # The upper-case one is a base32 token already: typed in groups it is found too.
    assert lookup(staff, typed(old_tokens[2])).json()["status"] == "handed_over"


# When to come back -------------------------------------------------------------------------


def test_the_kiosk_says_when_the_document_is_expected(server, clerk, kiosk, staff):
    expected = site_today() + timedelta(weeks=6)
    created = order(clerk, expected_ready_on=expected.isoformat())
    assert created["expected_ready_on"] == expected.isoformat()
    assert clerk.get(f"/pickups/{created['id']}").json()["expected_ready_on"] == (
        expected.isoformat()
    )
    assert lookup(staff, created["token"]).json()["expected_ready_on"] == expected.isoformat()
    assert pickup_row(server, created["id"])["expected_ready_on"] == expected

    events_before = all_events_text(server)
    shown = expected.strftime("%d.%m.%Y")
    german = assert_error(check_in(kiosk, created["token"]), 409, "pickup_not_ready")
    assert german["details"]["expected_ready_on"] == expected.isoformat()
    assert shown in german["message"] and "erwartet" in german["message"]
    english = assert_error(
        check_in(kiosk, created["token"], headers={"Accept-Language": "en"}),
        409,
        "pickup_not_ready",
    )
    assert english["details"]["expected_ready_on"] == expected.isoformat()
    assert english["message"].endswith(f"It is expected from {shown}.")
    at_desk = assert_error(
        hand_over(staff, created["id"], created["token"]), 409, "pickup_not_ready"
    )
    assert at_desk["details"]["expected_ready_on"] == expected.isoformat()
    assert all_events_text(server) == events_before
    # Once ready, the date is still shown to staff; the kiosk gives a ticket.
    assert ready(clerk, created["id"])["expected_ready_on"] == expected.isoformat()
    assert check_in(kiosk, created["token"]).status_code == 201


def test_the_expected_day_is_not_in_the_past(server, clerk):
    body = {"document_kind": "passport", "case_reference": REFERENCE, "holder_name": HOLDER}
    today = site_today()
    assert order(clerk, expected_ready_on=today.isoformat())["expected_ready_on"] == (
        today.isoformat()
    )
    past = today - timedelta(days=2)
    answer = clerk.post(
        "/sites/demo/pickups",
        json={**body, "expected_ready_on": past.isoformat()},
        headers={"Accept-Language": "en"},
    )
    refused = assert_error(answer, 422, "expected_ready_on_past")
    assert refused["details"]["expected_ready_on"] == past.isoformat()
    assert past.strftime("%d.%m.%Y") in refused["message"] and "past" in refused["message"]
    for wrong in ("in six weeks", "2026-02-30", "31.12.2026"):
        answer = clerk.post("/sites/demo/pickups", json={**body, "expected_ready_on": wrong})
        assert_error(answer, 422, "invalid_input")
    assert len(clerk.get("/sites/demo/pickups").json()) == 1


# Wrong receipts ------------------------------------------------------------------------------


def test_forged_tokens_are_unknown_and_change_nothing(
    server, clerk, kiosk, staff, supervisor, services
):
    pickup_id, token = ready_pickup(clerk)
    before = pickup_row(server, pickup_id)
    events_before = all_events_text(server)
    one_off = token[:-1] + ("A" if token[-1] != "A" else "B")
    forged = [
        secrets.token_urlsafe(24),
        one_off,
        typed(one_off),
        "x",
        # Of the right length and alphabet, but random, as typed too.
        receipts.new_token(),
        typed(receipts.new_token()),
    ]
    for guess in forged:
        assert_error(lookup(staff, guess), 404, "pickup_unknown")
        assert_error(check_in(kiosk, guess), 404, "pickup_unknown")
        assert_error(hand_over(supervisor, pickup_id, guess), 404, "pickup_unknown")
    assert_error(hand_over(staff, 999999, token), 404, "pickup_not_found")
    assert pickup_row(server, pickup_id) == before
    assert all_events_text(server) == events_before
    assert [t["service_id"] for t in queue(clerk)["waiting"]].count(services["P"]) == 0
    # The real receipt still works.
    assert hand_over(staff, pickup_id, token).status_code == 200


def test_the_receipt_of_another_pickup_is_refused(server, clerk, staff):
    first_id, first_token = ready_pickup(clerk)
    second_id, second_token = ready_pickup(clerk, holder_name="Zweite Person")
    mismatch = assert_error(hand_over(staff, first_id, second_token), 422, "pickup_token_mismatch")
    assert mismatch["details"]["pickup"] == str(first_id)
    assert "Zweite" not in json.dumps(mismatch)
    assert pickup_row(server, first_id)["status"] == "ready"
    assert pickup_row(server, second_id)["status"] == "ready"
    assert hand_over(staff, second_id, second_token).status_code == 200
    assert hand_over(staff, first_id, first_token).status_code == 200


def test_a_receipt_of_another_site_is_unknown_there(server, clerk, kiosk, staff):
    assert server.db is not None
    add_second_site(server.db)
    zclerk = server.client(server.login("zclerk"))
    zsupervisor = server.client(server.login("zsupervisor"))
    zkiosk = server.client(SECOND_KIOSK_TOKEN)
    foreign = order(zclerk, site=SECOND_SITE)
    ready(zclerk, foreign["id"])
    own_id, own_token = ready_pickup(clerk)
    before = pickup_row(server, foreign["id"])
    own_before = pickup_row(server, own_id)
    events_before = all_events_text(server)

    assert_error(check_in(kiosk, foreign["token"]), 404, "pickup_unknown")
    assert_error(check_in(kiosk, typed(foreign["token"])), 404, "pickup_unknown")
    assert_error(lookup(staff, foreign["token"]), 404, "pickup_unknown")
    assert_error(hand_over(staff, foreign["id"], foreign["token"]), 404, "pickup_not_found")
    # Another site's receipt for one of our pickups: unknown, not "another pickup's receipt"
    # (that would tell it is a real receipt somewhere).
    assert_error(hand_over(staff, own_id, foreign["token"]), 404, "pickup_unknown")
    assert_error(lookup(zsupervisor, own_token), 404, "pickup_unknown")
    assert_error(hand_over(zsupervisor, own_id, own_token), 404, "pickup_not_found")
    assert_error(check_in(zkiosk, own_token, site=SECOND_SITE), 404, "pickup_unknown")
    # A kiosk checks in at its own site only.
    assert_error(check_in(kiosk, foreign["token"], site=SECOND_SITE), 403, "forbidden_site")
    # Staff act on their own site's pickups only.
    assert_error(clerk.post(f"/pickups/{foreign['id']}/cancel"), 403, "forbidden_site")
    assert_error(clerk.get(f"/pickups/{foreign['id']}"), 403, "forbidden_site")
    assert_error(clerk.get(f"/sites/{SECOND_SITE}/pickups"), 403, "forbidden_site")
    assert pickup_row(server, foreign["id"]) == before
    assert pickup_row(server, own_id) == own_before
    assert all_events_text(server) == events_before
    # At its own site the receipt works; that site has no service P to check in to.
    assert lookup(zsupervisor, foreign["token"]).json()["holder_name"] == HOLDER
    assert_error(
        check_in(zkiosk, foreign["token"], site=SECOND_SITE), 409, "pickup_service_missing"
    )
    assert hand_over(zsupervisor, foreign["id"], foreign["token"]).status_code == 200


def test_who_may_do_what(server, clerk, kiosk, staff, supervisor, display):
    pickup_id, token = ready_pickup(clerk)
    before = pickup_row(server, pickup_id)
    events_before = all_events_text(server)
    body = {"document_kind": "passport", "case_reference": "X", "holder_name": "Y"}
    # Handing over and looking up: quick-pickup staff and supervisors only.
    for client in (clerk, kiosk, display):
        assert_error(hand_over(client, pickup_id, token), 403, "forbidden_role")
        assert_error(lookup(client, token), 403, "forbidden_role")
    # Ordering, marking ready, cancelling: clerks and supervisors only.
    for client in (staff, kiosk, display):
        assert_error(client.post("/sites/demo/pickups", json=body), 403, "forbidden_role")
        assert_error(
            client.post(f"/pickups/{pickup_id}/ready", json={"slot": "C-1"}), 403, "forbidden_role"
        )
        assert_error(client.post(f"/pickups/{pickup_id}/cancel"), 403, "forbidden_role")
    # Checking in: the kiosk (and a supervisor standing in for it), not desk staff.
    for client in (clerk, staff, display):
        assert_error(check_in(client, token), 403, "forbidden_role")
    # Reading pickups: staff, not the devices in the lobby.
    for client in (kiosk, display):
        assert_error(client.get(f"/pickups/{pickup_id}"), 403, "forbidden_role")
    assert staff.get(f"/pickups/{pickup_id}").status_code == 200
    assert supervisor.get(f"/pickups/{pickup_id}").status_code == 200
    # The ID check is not optional.
    assert_error(hand_over(staff, pickup_id, token, id_checked=False), 422, "id_check_required")
    missing = staff.post(f"/pickups/{pickup_id}/hand-over", json={"token": token})
    assert_error(missing, 422, "invalid_input")
    assert pickup_row(server, pickup_id) == before
    assert all_events_text(server) == events_before
    assert lookup(supervisor, token).json()["holder_name"] == HOLDER
    assert hand_over(supervisor, pickup_id, token).json()["handed_over_by"] == "supervisor"


def test_bad_input_is_refused(server, clerk):
    for body in (
        {"document_kind": "spaceship", "case_reference": "A", "holder_name": "B"},
        {"document_kind": "passport", "case_reference": "A", "holder_name": "   "},
        {"document_kind": "passport", "case_reference": "A", "holder_name": "B\x00C"},
        {"document_kind": "passport", "case_reference": "", "holder_name": "B"},
        {"document_kind": "passport", "case_reference": "A", "holder_name": "B" * 201},
    ):
        assert_error(clerk.post("/sites/demo/pickups", json=body), 422, "invalid_input")
    answer = clerk.post(
        "/sites/demo/pickups",
        json={
            "document_kind": "id_card",
            "case_reference": "A",
            "holder_name": "B",
            "ticket_id": 999999,
        },
    )
    assert_error(answer, 404, "ticket_not_found")
    # Ids past the database's integer range are refused, never a crash.
    for huge in (2**31, 2**63, 2**70):
        answer = clerk.post(
            "/sites/demo/pickups",
            json={
                "document_kind": "id_card",
                "case_reference": "A",
                "holder_name": "B",
                "ticket_id": huge,
            },
        )
        assert_error(answer, 422, "invalid_input")
        assert_error(clerk.get(f"/pickups/{huge}"), 422, "invalid_input")
        assert_error(clerk.post(f"/pickups/{huge}/ready", json={"slot": "A"}), 422, "invalid_input")
        assert_error(clerk.post(f"/pickups/{huge}/cancel"), 422, "invalid_input")
    assert_error(clerk.get("/pickups/2147483647"), 404, "pickup_not_found")
    assert clerk.get("/sites/demo/pickups").json() == []


# States ------------------------------------------------------------------------------------


def test_a_cancelled_pickup_is_refused_everywhere(server, clerk, kiosk, staff):
    created = order(clerk)
    pickup_id, token = created["id"], created["token"]
    cancelled = clerk.post(f"/pickups/{pickup_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_by"] == "clerk1"
    before = pickup_row(server, pickup_id)
    assert_error(check_in(kiosk, token), 409, "pickup_cancelled")
    assert_error(hand_over(staff, pickup_id, token), 409, "pickup_cancelled")
    assert_error(
        clerk.post(f"/pickups/{pickup_id}/ready", json={"slot": "A"}), 409, "pickup_cancelled"
    )
    assert_error(clerk.post(f"/pickups/{pickup_id}/cancel"), 409, "pickup_cancelled")
    assert lookup(staff, token).json()["status"] == "cancelled"
    assert pickup_row(server, pickup_id) == before
    # Handed over, it cannot be cancelled either.
    other_id, other_token = ready_pickup(clerk)
    assert hand_over(staff, other_id, other_token).status_code == 200
    assert_error(clerk.post(f"/pickups/{other_id}/cancel"), 409, "pickup_already_handed_over")
    assert_error(hand_over(staff, other_id, "x" * 32), 404, "pickup_unknown")


def test_not_ready_cannot_be_handed_over(server, clerk, staff):
    created = order(clerk)
    answer = assert_error(
        hand_over(staff, created["id"], created["token"]), 409, "pickup_not_ready"
    )
    assert answer["details"]["status"] == "ordered"
    assert pickup_row(server, created["id"])["status"] == "ordered"


def test_marking_ready_again_moves_the_document(server, clerk):
    pickup_id, _ = ready_pickup(clerk)
    moved = ready(clerk, pickup_id, "C-3")
    assert moved["slot"] == "C-3" and moved["status"] == "ready"
    last = pickup_events(server)[-1]
    assert last.type == "pickup.moved" and last.data["from_slot"] == "B-17"


def test_checking_in_again_after_the_ticket_closed(server, clerk, kiosk, supervisor):
    _, token = ready_pickup(clerk)
    first = check_in(kiosk, token).json()
    act(supervisor, first["id"], "cancel")  # say, the citizen left
    second = check_in(kiosk, token)
    assert second.status_code == 201, second.text
    assert second.json()["number"] != first["number"]
    assert_error(check_in(kiosk, token), 409, "pickup_already_checked_in")


# Retries -------------------------------------------------------------------------------------


def test_retried_creation_gives_the_same_pickup_with_a_new_token(server, clerk, staff):
    key = {"Idempotency-Key": "order-1"}
    body = {"document_kind": "passport", "case_reference": REFERENCE, "holder_name": HOLDER}
    first = clerk.post("/sites/demo/pickups", json=body, headers=key)
    second = clerk.post("/sites/demo/pickups", json=body, headers=key)
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["token"] != second.json()["token"]
    assert len(clerk.get("/sites/demo/pickups").json()) == 1
    # The token is not kept for the retry; the first one stopped working.
    assert server.db is not None
    with server.db.read_session() as session:
        stored = json.dumps([r.body for r in session.scalars(select(IdempotencyRecord))])
    assert first.json()["token"] not in stored and second.json()["token"] not in stored
    assert_error(lookup(staff, first.json()["token"]), 404, "pickup_unknown")
    assert lookup(staff, second.json()["token"]).json()["id"] == first.json()["id"]
    assert [e.type for e in pickup_events(server)] == ["pickup.ordered", "pickup.receipt_reissued"]


def test_retried_check_in_gives_the_same_ticket(server, clerk, kiosk, services):
    _, token = ready_pickup(clerk)
    key = {"Idempotency-Key": "check-in-1"}
    first = check_in(kiosk, token, headers=key)
    second = check_in(kiosk, token, headers=key)
    assert first.status_code == second.status_code == 201, second.text
    assert first.json() == second.json()
    waiting = [t for t in queue(clerk)["waiting"] if t["service_id"] == services["P"]]
    assert [t["id"] for t in waiting] == [first.json()["id"]]


# Brute force -------------------------------------------------------------------------------


def test_many_wrong_scans_are_refused_and_reported(server, clerk, kiosk, staff, supervisor, caplog):
    caplog.set_level(logging.WARNING, logger="tresen.pickups")
    pickup_id, token = ready_pickup(clerk)
    before = pickup_row(server, pickup_id)
    # Guesses of the right length and alphabet: hopeless (160 bits), and noticed.
    guesses = [receipts.new_token() for _ in range(11)]
    for guess in guesses[:10]:
        assert_error(lookup(staff, guess), 404, "pickup_unknown")
    assert_error(lookup(staff, guesses[10]), 429, "too_many_wrong_scans")
    # Past the limit even the right receipt waits; the kiosk counts on its own.
    assert_error(lookup(staff, token), 429, "too_many_wrong_scans")
    assert_error(hand_over(staff, pickup_id, token), 429, "too_many_wrong_scans")
    for guess in guesses[:10]:
        assert_error(check_in(kiosk, guess), 404, "pickup_unknown")
    assert_error(check_in(kiosk, token), 429, "too_many_wrong_scans")
    # Wrong receipts at the hand-over count the same.
    for guess in guesses[:10]:
        assert_error(hand_over(supervisor, pickup_id, guess), 404, "pickup_unknown")
    assert_error(hand_over(supervisor, pickup_id, guesses[10]), 429, "too_many_wrong_scans")
    assert_error(hand_over(supervisor, pickup_id, token), 429, "too_many_wrong_scans")
    assert pickup_row(server, pickup_id) == before

    assert [e.type for e in pickup_events(server)] == [
        "pickup.ordered",
        "pickup.ready",
        *["pickup.wrong_scans"] * 3,
    ]
    reports = [e for e in pickup_events(server) if e.type == "pickup.wrong_scans"]
    assert [(e.actor, e.data["count"]) for e in reports] == [
        ("pickup1", 10),
        ("device:lobby-kiosk", 10),
        ("supervisor", 10),
    ]
    warnings = [r for r in caplog.records if r.name == "tresen.pickups"]
    assert len(warnings) == 3 and all(r.levelno == logging.WARNING for r in warnings)
    for guess in [*guesses, token]:
        assert guess not in caplog.text
        assert guess not in all_events_text(server)


# Erasing personal data ---------------------------------------------------------------------


def _closed_pickups(server: LiveServer, clerk: ApiClient, staff: ApiClient) -> dict[str, int]:
    """Pickups in every status; the old ones closed 40 days ago."""
    ids = {}
    for name in ("old_handed_over", "recent_handed_over"):
        pickup_id, token = ready_pickup(clerk)
        assert hand_over(staff, pickup_id, token).status_code == 200
        ids[name] = pickup_id
    ids["old_cancelled"] = order(clerk)["id"]
    assert clerk.post(f"/pickups/{ids['old_cancelled']}/cancel").status_code == 200
    ids["old_ready"], _ = ready_pickup(clerk)
    ids["old_ordered"] = order(clerk)["id"]
    assert server.db is not None
    with server.db.write_session() as session:
        long_ago = utcnow() - timedelta(days=40)
        old = [ids[n] for n in ids if n.startswith("old")]
        session.execute(update(Pickup).where(Pickup.id.in_(old)).values(created_at=long_ago))
        closed = [ids["old_handed_over"], ids["old_cancelled"]]
        session.execute(update(Pickup).where(Pickup.id.in_(closed)).values(closed_at=long_ago))
    return ids


def _assert_purged(server: LiveServer, ids: dict[str, int]) -> None:
    for name, pickup_id in ids.items():
        row = pickup_row(server, pickup_id)
        if name in ("old_handed_over", "old_cancelled"):
            assert (row["holder_name"], row["case_reference"]) == ("", ""), name
            assert row["purged_at"] is not None, name
        else:
            assert (row["holder_name"], row["case_reference"]) == (HOLDER, REFERENCE), name
            assert row["purged_at"] is None, name
    statuses = {n: pickup_row(server, i)["status"] for n, i in ids.items()}
    assert statuses == {
        "old_handed_over": "handed_over",
        "recent_handed_over": "handed_over",
        "old_cancelled": "cancelled",
        "old_ready": "ready",
        "old_ordered": "ordered",
    }


def test_purge_erases_old_personal_data_and_keeps_the_statuses(server, clerk, staff):
    ids = _closed_pickups(server, clerk, staff)
    assert server.db is not None
    assert pickups_service.purge_personal_data(server.db, 30) == 2
    _assert_purged(server, ids)
    assert pickups_service.purge_personal_data(server.db, 30) == 0
    purged = [e for e in pickup_events(server) if e.type == "pickup.purged"]
    assert [(e.actor, e.data["count"]) for e in purged] == [("system", 2)]
    shown = clerk.get(f"/pickups/{ids['old_handed_over']}").json()
    assert shown["purged"] is True and shown["holder_name"] == ""
    assert shown["status"] == "handed_over" and shown["handed_over_by"] == "pickup1"
    # Fewer days reach the recent one too.
    assert pickups_service.purge_personal_data(server.db, 0) == 1
    assert pickup_row(server, ids["recent_handed_over"])["holder_name"] == ""


def test_the_purge_command(server, clerk, staff, capsys, monkeypatch):
    ids = _closed_pickups(server, clerk, staff)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    code = cli.main(["admin", "purge-pickups", "--days", "30", "--db", server.database_url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "2 pickups" in out and "30 days" in out
    _assert_purged(server, ids)
    assert [e.actor for e in pickup_events(server) if e.type == "pickup.purged"] == ["admin"]
    assert cli.main(["admin", "purge-pickups", "--days", "-1", "--db", server.database_url]) == 2


def test_the_server_purges_by_itself(server, clerk, staff):
    ids = _closed_pickups(server, clerk, staff)
    # Housekeeping runs when the server starts, then every hour.
    server.stop()
    server.start()
    deadline = time.monotonic() + 20
    while pickup_row(server, ids["old_handed_over"])["purged_at"] is None:
        assert time.monotonic() < deadline, "the server did not purge"
        time.sleep(0.05)
    _assert_purged(server, ids)


# Expiry --------------------------------------------------------------------------------------


def _set_times(server: LiveServer, pickup_ids: list[int], **values: Any) -> None:
    """Time travel: move some of a pickup's moments into the past, in the database."""
    assert server.db is not None
    with server.db.write_session() as session:
        session.execute(update(Pickup).where(Pickup.id.in_(pickup_ids)).values(**values))


def _uncollected_pickups(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient, staff: ApiClient
) -> dict[str, tuple[int, str]]:
    """Pickups in every state; the "old" ones became ready (or were ordered) 91 days ago."""
    made = {name: ready_pickup(clerk) for name in ("old_ready", "recent_ready", "old_checked_in")}
    created = order(clerk)
    made["old_ordered"] = (created["id"], created["token"])
    made["old_handed_over"] = ready_pickup(clerk)
    assert hand_over(staff, *made["old_handed_over"]).status_code == 200
    assert check_in(kiosk, made["old_checked_in"][1]).status_code == 201  # waiting right now
    now = utcnow()
    old = [made[n][0] for n in ("old_ready", "old_checked_in", "old_handed_over")]
    _set_times(server, old, ready_at=now - timedelta(days=91))
    _set_times(server, [made["recent_ready"][0]], ready_at=now - timedelta(days=89))
    _set_times(server, [made["old_ordered"][0]], created_at=now - timedelta(days=91))
    return made


def _statuses(server: LiveServer, made: dict[str, tuple[int, str]]) -> dict[str, str]:
    return {name: pickup_row(server, pickup_id)["status"] for name, (pickup_id, _) in made.items()}


EXPIRED_ONE = {
    "old_ready": "expired",
    "recent_ready": "ready",
    "old_checked_in": "ready",
    "old_ordered": "ordered",
    "old_handed_over": "handed_over",
}


def test_ready_pickups_not_collected_in_time_expire(server, clerk, kiosk, staff):
    made = _uncollected_pickups(server, clerk, kiosk, staff)
    assert server.db is not None
    assert pickups_service.expire_uncollected(server.db, 90) == 1
    assert _statuses(server, made) == EXPIRED_ONE
    assert pickups_service.expire_uncollected(server.db, 90) == 0

    pickup_id, token = made["old_ready"]
    row = pickup_row(server, pickup_id)
    assert row["closed_by"] == "system" and row["closed_at"] is not None
    assert row["holder_name"] == HOLDER and row["purged_at"] is None
    [expired] = [e for e in pickup_events(server) if e.type == "pickup.expired"]
    assert expired.actor == "system" and expired.data["collect_days"] == 90
    assert expired.data["pickup"]["id"] == pickup_id
    assert expired.data["pickup"]["status"] == "expired"
    logged = all_events_text(server)
    for secret in (HOLDER, REFERENCE, *(t for _, t in made.values())):
        assert secret not in logged

    # Staff see when it expired; the receipt says so everywhere, and changes nothing.
    shown = lookup(staff, token).json()
    assert shown["status"] == "expired" and shown["expired_at"]
    assert shown["handed_over_at"] is None and shown["cancelled_at"] is None
    before = pickup_row(server, pickup_id)
    events_before = all_events_text(server)
    assert_error(check_in(kiosk, token), 409, "pickup_expired")
    assert_error(hand_over(staff, pickup_id, token), 409, "pickup_expired")
    assert_error(
        clerk.post(f"/pickups/{pickup_id}/ready", json={"slot": "A"}), 409, "pickup_expired"
    )
    assert_error(clerk.post(f"/pickups/{pickup_id}/cancel"), 409, "pickup_expired")
    assert pickup_row(server, pickup_id) == before
    assert all_events_text(server) == events_before
    assert [p["id"] for p in clerk.get("/sites/demo/pickups?status=expired").json()] == [pickup_id]

    # A day after its check-in, the one whose holder was waiting expires too.
    _set_times(server, [made["old_checked_in"][0]], checked_in_at=utcnow() - timedelta(days=2))
    assert pickups_service.expire_uncollected(server.db, 90) == 1
    assert _statuses(server, made)["old_checked_in"] == "expired"

    # Expired pickups are purged like the other closed ones.
    assert pickups_service.purge_personal_data(server.db, 30) == 0
    _set_times(server, [pickup_id], closed_at=utcnow() - timedelta(days=31))
    assert pickups_service.purge_personal_data(server.db, 30) == 1
    purged = pickup_row(server, pickup_id)
    assert (purged["holder_name"], purged["case_reference"]) == ("", "")
    assert purged["status"] == "expired"
    assert_error(check_in(kiosk, token), 409, "pickup_expired")


def test_the_expire_command(server, clerk, kiosk, staff, capsys, monkeypatch):
    made = _uncollected_pickups(server, clerk, kiosk, staff)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    capsys.readouterr()
    code = cli.main(["admin", "expire-pickups", "--days", "90", "--db", server.database_url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "1 pickups expired" in out and "90 days" in out
    assert _statuses(server, made) == EXPIRED_ONE
    assert [e.actor for e in pickup_events(server) if e.type == "pickup.expired"] == ["admin"]
    # Without --days: TRESEN_PICKUP_COLLECT_DAYS.
    monkeypatch.setenv("TRESEN_PICKUP_COLLECT_DAYS", "60")
    assert cli.main(["admin", "expire-pickups", "--db", server.database_url]) == 0
    out, _ = capsys.readouterr()
    assert "1 pickups expired" in out and "60 days" in out
    assert _statuses(server, made)["recent_ready"] == "expired"
    assert cli.main(["admin", "expire-pickups", "--days", "0", "--db", server.database_url]) == 2


def test_the_server_expires_by_itself(server, clerk, kiosk, staff):
    made = _uncollected_pickups(server, clerk, kiosk, staff)
    # Housekeeping runs when the server starts, then every hour.
    server.stop()
    server.start()
    deadline = time.monotonic() + 20
    while pickup_row(server, made["old_ready"][0])["status"] != "expired":
        assert time.monotonic() < deadline, "the server did not expire the pickup"
        time.sleep(0.05)
    assert _statuses(server, made) == EXPIRED_ONE
