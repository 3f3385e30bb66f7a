"""Pickups (issue #5) over HTTP on the real server: a clerk orders a document, the back office
marks it ready on a shelf slot, the citizen checks in at the kiosk with the receipt, quick-pickup
staff look the receipt up and hand the document over once, after the ID check.

The receipt's token is shown once and never stored or logged; wrong receipts are answered
precisely and change nothing; the log never holds personal data; old personal data is erased.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import sys
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from central_server import cli
from central_server.models import Event, IdempotencyRecord, Pickup
from central_server.models._types import utcnow
from central_server.pickups import service as pickups_service
from tests.support.api import act, assert_error, call_next, new_ticket, queue
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import SECOND_KIOSK_TOKEN, SECOND_SITE, add_second_site

HOLDER = "Ayşe Yılmaz-Testperson"
REFERENCE = "AZ-2026-4711"


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
    assert len(token) >= 32  # 192 random bits
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
    second = assert_error(hand_over(staff, pickup_id, token), 409, "pickup_already_handed_over")
    assert second["details"]["by"] == "pickup1" and "pickup1" in second["message"]
    assert second["details"]["at"] in second["message"]
    assert pickup_row(server, pickup_id) == before
    after = lookup(staff, token).json()
    assert after["status"] == "handed_over" and after["handed_over_by"] == "pickup1"
    assert after["handed_over_at"] == given.json()["handed_over_at"]
    # At the kiosk the used receipt says when, but not which member of staff.
    used = assert_error(check_in(kiosk, token), 409, "pickup_already_handed_over")
    assert "pickup1" not in json.dumps(used)

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


# Wrong receipts ------------------------------------------------------------------------------


def test_forged_tokens_are_unknown_and_change_nothing(server, clerk, kiosk, staff, services):
    pickup_id, token = ready_pickup(clerk)
    before = pickup_row(server, pickup_id)
    events_before = all_events_text(server)
    forged = [secrets.token_urlsafe(24), token[:-1] + ("A" if token[-1] != "A" else "B"), "x"]
    for guess in forged:
        assert_error(lookup(staff, guess), 404, "pickup_unknown")
        assert_error(check_in(kiosk, guess), 404, "pickup_unknown")
        assert_error(hand_over(staff, pickup_id, guess), 404, "pickup_unknown")
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

    assert_error(check_in(kiosk, foreign["token"]), 404, "pickup_unknown")
    assert_error(lookup(staff, foreign["token"]), 404, "pickup_unknown")
    assert_error(hand_over(staff, foreign["id"], foreign["token"]), 404, "pickup_not_found")
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
    assert pickup_row(server, own_id)["status"] == "ready"
    # At its own site the receipt works; that site has no service P to check in to.
    assert lookup(zsupervisor, foreign["token"]).json()["holder_name"] == HOLDER
    assert_error(
        check_in(zkiosk, foreign["token"], site=SECOND_SITE), 409, "pickup_service_missing"
    )
    assert hand_over(zsupervisor, foreign["id"], foreign["token"]).status_code == 200


def test_who_may_do_what(server, clerk, kiosk, staff, supervisor, display):
    pickup_id, token = ready_pickup(clerk)
    before = pickup_row(server, pickup_id)
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


def test_many_wrong_scans_are_refused_and_reported(server, clerk, kiosk, staff, caplog):
    caplog.set_level(logging.WARNING, logger="tresen.pickups")
    pickup_id, token = ready_pickup(clerk)
    guesses = [secrets.token_urlsafe(24) for _ in range(11)]
    for guess in guesses[:10]:
        assert_error(lookup(staff, guess), 404, "pickup_unknown")
    assert_error(lookup(staff, guesses[10]), 429, "too_many_wrong_scans")
    # Past the limit even the right receipt waits; the kiosk counts on its own.
    assert_error(lookup(staff, token), 429, "too_many_wrong_scans")
    assert_error(hand_over(staff, pickup_id, token), 429, "too_many_wrong_scans")
    for guess in guesses[:10]:
        assert_error(check_in(kiosk, guess), 404, "pickup_unknown")
    assert_error(check_in(kiosk, token), 429, "too_many_wrong_scans")
    assert pickup_row(server, pickup_id)["status"] == "ready"
    assert pickup_row(server, pickup_id)["checked_in_at"] is None

    reports = [e for e in pickup_events(server) if e.type == "pickup.wrong_scans"]
    assert [(e.actor, e.data["count"]) for e in reports] == [
        ("pickup1", 10),
        ("device:lobby-kiosk", 10),
    ]
    warnings = [r for r in caplog.records if r.name == "tresen.pickups"]
    assert len(warnings) == 2 and all(r.levelno == logging.WARNING for r in warnings)
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
