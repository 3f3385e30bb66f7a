"""Retries with an Idempotency-Key: a kiosk or desk that resends after a fault (its outbox)
gets the first answer again and never makes a second ticket or a second call."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from tests.support.api import act, assert_error, call_next, new_ticket, queue, waiting_numbers


def _key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


def test_ticket_creation_retried_gives_the_same_ticket(clerk, kiosk, services):
    body = {"service_id": services["A"], "language": "uk"}
    first = kiosk.post("/sites/demo/tickets", json=body, headers=_key("kiosk-1/0001"))
    assert first.status_code == 201, first.text
    again = kiosk.post("/sites/demo/tickets", json=body, headers=_key("kiosk-1/0001"))
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.json()["number"] == "A001"
    assert waiting_numbers(clerk) == ["A001"]
    assert {c["prefix"]: c["waiting"] for c in queue(clerk)["counts"]}["A"] == 1
    # A new key is a new citizen.
    other = kiosk.post("/sites/demo/tickets", json=body, headers=_key("kiosk-1/0002"))
    assert other.status_code == 201 and other.json()["number"] == "A002"
    assert waiting_numbers(clerk) == ["A001", "A002"]


def test_retry_after_the_queue_moved_on_still_answers_the_first_answer(clerk, kiosk, services):
    body = {"service_id": services["A"]}
    first = kiosk.post("/sites/demo/tickets", json=body, headers=_key("k-7"))
    call_next(clerk, "1")
    again = kiosk.post("/sites/demo/tickets", json=body, headers=_key("k-7"))
    assert again.status_code == 201
    assert again.json() == first.json()  # the answer as it was, position 1 and all
    assert queue(clerk)["waiting"] == []


def test_same_key_with_another_request_is_refused(clerk, kiosk, services):
    first = kiosk.post(
        "/sites/demo/tickets", json={"service_id": services["A"]}, headers=_key("same")
    )
    assert first.status_code == 201
    other = kiosk.post(
        "/sites/demo/tickets",
        json={"service_id": services["B"]},
        headers={**_key("same"), "Accept-Language": "en"},
    )
    error = assert_error(other, 422, "idempotency_key_reused")
    assert "Idempotency-Key" in error["message"]
    assert waiting_numbers(clerk) == ["A001"]
    # The key stays bound to the first request.
    assert (
        kiosk.post(
            "/sites/demo/tickets", json={"service_id": services["A"]}, headers=_key("same")
        ).json()
        == first.json()
    )


def test_keys_belong_to_the_caller(server, clerk, services):
    """Two callers who happen to use the same key both get their own ticket."""
    clerk2 = server.client(server.login("clerk2"))
    body = {"service_id": services["A"]}
    mine = clerk.post("/sites/demo/tickets", json=body, headers=_key("1"))
    theirs = clerk2.post("/sites/demo/tickets", json=body, headers=_key("1"))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert (mine.json()["number"], theirs.json()["number"]) == ("A001", "A002")


def test_call_next_retried_returns_the_same_call(server, clerk, kiosk, services):
    new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["A"])
    first = clerk.post("/sites/demo/desks/1/call-next", headers=_key("desk1-call-1"))
    assert first.status_code == 200 and first.json()["number"] == "A001"
    again = clerk.post("/sites/demo/desks/1/call-next", headers=_key("desk1-call-1"))
    # Not 409 "desk busy", not A002: the same call.
    assert again.status_code == 200
    assert again.json() == first.json()
    assert waiting_numbers(clerk) == ["A002"]
    assert [t["number"] for t in queue(clerk)["called"]] == ["A001"]


def test_action_retried_returns_the_first_answer(clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    started = clerk.post(f"/tickets/{ticket['id']}/start", headers=_key("start-1"))
    assert started.status_code == 200
    retried = clerk.post(f"/tickets/{ticket['id']}/start", headers=_key("start-1"))
    assert retried.status_code == 200 and retried.json() == started.json()
    body = {"outcome": "completed", "notes": "alles erledigt"}
    done = clerk.post(f"/tickets/{ticket['id']}/finish", json=body, headers=_key("finish-1"))
    assert done.status_code == 200
    assert (
        clerk.post(f"/tickets/{ticket['id']}/finish", json=body, headers=_key("finish-1")).json()
        == done.json()
    )
    # Without a key, the same action is a new request, and the state does not allow it.
    assert_error(
        clerk.post(f"/tickets/{ticket['id']}/finish", json=body), 409, "invalid_transition"
    )


def test_refused_request_is_not_remembered(clerk, kiosk, services):
    """A retry of a request that changed nothing is tried again: 204 and errors are not kept."""
    empty = clerk.post("/sites/demo/desks/1/call-next", headers=_key("call-a"))
    assert empty.status_code == 204
    new_ticket(kiosk, services["A"])
    called = clerk.post("/sites/demo/desks/1/call-next", headers=_key("call-a"))
    assert called.status_code == 200 and called.json()["number"] == "A001"

    ticket = new_ticket(kiosk, services["A"])
    refused = clerk.post(f"/tickets/{ticket['id']}/start", headers=_key("start-a2"))
    assert_error(refused, 409, "invalid_transition")
    act(clerk, called.json()["id"], "no-show")
    call_next(clerk, "1")
    assert clerk.post(f"/tickets/{ticket['id']}/start", headers=_key("start-a2")).status_code == 200


def test_key_of_a_bad_length_is_refused(clerk, kiosk, services):
    answer = kiosk.post(
        "/sites/demo/tickets", json={"service_id": services["A"]}, headers=_key("x" * 201)
    )
    assert_error(answer, 422, "invalid_idempotency_key")
    assert waiting_numbers(clerk) == []


def test_retry_after_a_server_restart_gives_the_same_ticket(server, services):
    kiosk = server.client("demo-kiosk")
    body = {"service_id": services["B"]}
    first = kiosk.post("/sites/demo/tickets", json=body, headers=_key("before-restart"))
    assert first.status_code == 201
    server.stop()
    server.start()
    kiosk = server.client("demo-kiosk")
    again = kiosk.post("/sites/demo/tickets", json=body, headers=_key("before-restart"))
    assert again.status_code == 201 and again.json() == first.json()
    clerk = server.client(server.login("clerk1"))
    assert waiting_numbers(clerk) == ["B001"]


def test_the_same_retry_sent_at_once_from_many_threads_makes_one_ticket(server, services):
    barrier = threading.Barrier(8)

    def send(_: int) -> tuple[int, dict]:
        client = server.client("demo-kiosk")
        barrier.wait(timeout=10)
        answer = client.post(
            "/sites/demo/tickets", json={"service_id": services["C"]}, headers=_key("burst")
        )
        return answer.status_code, answer.json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {status for status, _ in answers} == {201}
    assert all(body == answers[0][1] for _, body in answers)
    clerk = server.client(server.login("clerk1"))
    assert waiting_numbers(clerk) == ["C001"]
