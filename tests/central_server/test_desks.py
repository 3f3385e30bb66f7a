"""Desks: signing on, breaks, signing off, taking over a desk, and what other desks see."""

from __future__ import annotations

from tests.support.api import act, assert_error, call_next, new_ticket


def _desks(client) -> dict[str, dict]:
    answer = client.get("/sites/demo/desks")
    assert answer.status_code == 200, answer.text
    return {d["code"]: d for d in answer.json()}


def test_the_demo_desks(clerk, services):
    desks = _desks(clerk)
    assert sorted(desks, key=int) == ["1", "2", "3", "4", "5", "6"]
    assert {code: d["kind"] for code, d in desks.items()} == {
        "1": "front_office",
        "2": "front_office",
        "3": "front_office",
        "4": "front_office",
        "5": "back_office",
        "6": "quick_pickup",
    }
    assert desks["3"]["service_ids"] == [services["B"], services["A"], services["C"]]
    assert desks["5"]["service_ids"] == []
    assert desks["6"]["service_ids"] == [services["P"]]
    assert all(d["state"] == "closed" and d["signed_on_user"] is None for d in desks.values())


def test_sign_on_pause_sign_off(server, clerk):
    on = clerk.post("/sites/demo/desks/1/sign-on")
    assert on.status_code == 200, on.text
    assert (on.json()["state"], on.json()["signed_on_user"]) == ("open", "clerk1")
    supervisor = server.client(server.login("supervisor"))
    assert _desks(supervisor)["1"]["signed_on_user"] == "clerk1"

    paused = clerk.post("/sites/demo/desks/1/pause")
    assert paused.status_code == 200 and paused.json()["state"] == "paused"
    assert paused.json()["signed_on_user"] == "clerk1"
    back = clerk.post("/sites/demo/desks/1/sign-on")
    assert back.json()["state"] == "open"

    off = clerk.post("/sites/demo/desks/1/sign-off")
    assert off.status_code == 200
    assert (off.json()["state"], off.json()["signed_on_user"]) == ("closed", None)


def test_a_taken_desk_needs_force_to_take_over(server, clerk):
    clerk.post("/sites/demo/desks/2/sign-on")
    clerk3 = server.client(server.login("clerk3"))
    refused = clerk3.post("/sites/demo/desks/2/sign-on", headers={"Accept-Language": "en"})
    error = assert_error(refused, 409, "desk_taken")
    assert "clerk1" in error["message"]
    assert _desks(clerk)["2"]["signed_on_user"] == "clerk1"
    # Another clerk may not send clerk1 on a break or sign them off either.
    assert_error(clerk3.post("/sites/demo/desks/2/pause"), 409, "desk_taken_by_other")
    assert_error(clerk3.post("/sites/demo/desks/2/sign-off"), 409, "desk_taken_by_other")

    taken = clerk3.post("/sites/demo/desks/2/sign-on", json={"force": True})
    assert taken.status_code == 200 and taken.json()["signed_on_user"] == "clerk3"
    # A supervisor may close anybody's desk, e.g. at the end of the day.
    supervisor = server.client(server.login("supervisor"))
    assert supervisor.post("/sites/demo/desks/2/sign-off").json()["state"] == "closed"


def test_a_person_works_at_one_desk_at_a_time(clerk):
    clerk.post("/sites/demo/desks/1/sign-on")
    clerk.post("/sites/demo/desks/3/sign-on")
    desks = _desks(clerk)
    assert (desks["1"]["state"], desks["1"]["signed_on_user"]) == ("closed", None)
    assert (desks["3"]["state"], desks["3"]["signed_on_user"]) == ("open", "clerk1")


def test_no_break_while_a_citizen_is_called(clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    clerk.post("/sites/demo/desks/1/sign-on")
    call_next(clerk, "1")
    assert _desks(clerk)["1"]["current_ticket"] == "A001"
    for what in ("pause", "sign-off"):
        error = assert_error(clerk.post(f"/sites/demo/desks/1/{what}"), 409, "desk_busy")
        assert "A001" in error["message"]
    assert _desks(clerk)["1"]["state"] == "open"
    act(clerk, ticket["id"], "start")
    act(clerk, ticket["id"], "park")
    # A parked citizen does not hold the desk.
    assert clerk.post("/sites/demo/desks/1/pause").json()["state"] == "paused"


def test_devices_cannot_sign_on(server):
    for token in ("demo-kiosk", "demo-display"):
        assert_error(
            server.client(token).post("/sites/demo/desks/1/sign-on"), 403, "forbidden_role"
        )


def test_the_wait_estimate_counts_the_open_desks(server, clerk, kiosk, services):
    new_ticket(kiosk, services["C"])
    second = new_ticket(kiosk, services["C"])
    # Nobody signed on yet: the office is about to open with four desks for C.
    assert second["estimated_wait_minutes"] == 5  # 20 min for C001, shared by 4 desks
    clerk.post("/sites/demo/desks/4/sign-on")
    # Only one desk is open now: C001's 20 minutes are all ahead of C002.
    assert clerk.get(f"/tickets/{second['id']}").json()["estimated_wait_minutes"] == 20
    clerk2 = server.client(server.login("clerk2"))
    clerk2.post("/sites/demo/desks/2/sign-on")
    assert clerk.get(f"/tickets/{second['id']}").json()["estimated_wait_minutes"] == 10


def test_calling_at_another_persons_desk_is_refused(server, clerk, kiosk, services):
    """clerk1 works at desk 1; clerk2 pressing "call next" for desk 1 must not take it over."""
    assert clerk.post("/sites/demo/desks/1/sign-on").status_code == 200
    ticket = new_ticket(kiosk, services["A"])
    other = server.client(server.login("clerk2"))
    refused = assert_error(other.post("/sites/demo/desks/1/call-next"), 409, "desk_taken")
    assert "clerk1" in refused["message"]
    assert other.get(f"/tickets/{ticket['id']}").json()["status"] == "waiting"
    # A supervisor may step in at any desk.
    supervisor = server.client(server.login("supervisor"))
    assert call_next(supervisor, "1")["id"] == ticket["id"]
