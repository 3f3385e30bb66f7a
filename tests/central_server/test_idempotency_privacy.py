"""The answers remembered for retries (48 hours) hold no personal data.

A pickup ordered with an ``Idempotency-Key`` used to leave the holder's name and the case
reference in the idempotency record, and a finished ticket its case notes. Now the record keeps
the answer without them; a retry with the same key still answers as before, the private fields
read from the pickup or case as it is then. The receipt's token is never stored: a retry gets a
new one, and only the newest works.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from central_server.models import IdempotencyRecord
from tests.support.api import act, call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer

HOLDER = "Ayşe Yılmaz-Geheimnis"
REFERENCE = "AZ-2026-GEHEIM-77"
NOTES = "Mietvertrag fehlt, kommt Dienstag wieder"


def stored_answers(server: LiveServer) -> list[str]:
    assert server.db is not None
    with server.db.read_session() as session:
        records = session.scalars(select(IdempotencyRecord)).all()
        return [json.dumps(r.body, ensure_ascii=False) for r in records]


def order(clerk: ApiClient, key: str) -> Any:
    return clerk.post(
        "/sites/demo/pickups",
        json={"document_kind": "passport", "holder_name": HOLDER, "case_reference": REFERENCE},
        headers={"Idempotency-Key": key},
    )


def test_a_pickup_retry_answers_the_same_but_the_record_holds_no_personal_data(
    server: LiveServer, clerk: ApiClient
) -> None:
    first = order(clerk, "order-1")
    assert first.status_code == 201, first.text
    created = first.json()

    stored = stored_answers(server)
    assert len(stored) == 1
    for secret in (HOLDER, REFERENCE, created["token"]):
        assert secret not in stored[0], (secret, stored[0])

    again = order(clerk, "order-1")
    assert again.status_code == 201, again.text
    retried = again.json()
    # The same pickup, the same answer; only the token is new (it is never stored) ...
    assert {k: v for k, v in retried.items() if k != "token"} == {
        k: v for k, v in created.items() if k != "token"
    }
    assert retried["holder_name"] == HOLDER and retried["case_reference"] == REFERENCE
    assert retried["token"] != created["token"]
    assert len(clerk.get("/sites/demo/pickups").json()) == 1
    # ... and the new token is the one that works at the pickup desk.
    desk = ApiClient(server.url, server.login("pickup1"))
    assert desk.post("/pickups/lookup", json={"token": retried["token"]}).status_code == 200
    assert desk.post("/pickups/lookup", json={"token": created["token"]}).status_code == 404
    for secret in (HOLDER, REFERENCE, created["token"], retried["token"]):
        assert all(secret not in answer for answer in stored_answers(server)), secret


def test_a_finished_case_retry_answers_the_same_but_the_record_holds_no_notes(
    server: LiveServer, clerk: ApiClient, kiosk: ApiClient
) -> None:
    ticket = new_ticket(kiosk, 1)
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    body = {"outcome": "follow_up", "notes": NOTES, "case_reference": REFERENCE}
    key = {"Idempotency-Key": "finish-1"}
    first = clerk.post(f"/tickets/{ticket['id']}/finish", json=body, headers=key)
    assert first.status_code == 200, first.text
    assert first.json()["case"]["notes"] == NOTES
    assert all(NOTES not in a and REFERENCE not in a for a in stored_answers(server))

    again = clerk.post(f"/tickets/{ticket['id']}/finish", json=body, headers=key)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
