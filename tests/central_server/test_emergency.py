"""The emergency call (Notruf): who may call, answer and end it, what the log keeps, who hears of
it over the live stream, and that the waiting-room display never does."""

from __future__ import annotations

import json
from typing import Any

import requests
from sqlalchemy import select

from central_server.db import Database
from central_server.models import Event
from tests.support.api import assert_error, call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer
from tests.support.sites import add_second_site
from tests.support.sse import EventStream

BASE = "/sites/demo/desks"


def _log(server: LiveServer) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    """(type, actor, desk, data) of every emergency event in the log, in order."""
    db: Database | None = server.db
    assert db is not None
    with db.read_session() as session:
        query = select(Event).where(Event.type.like("desk.emergency%")).order_by(Event.seq)
        return [(e.type, e.actor, e.desk_code, dict(e.data)) for e in session.scalars(query)]


def _signed_on(server: LiveServer, user: str, desk: str) -> ApiClient:
    client = server.client(server.login(user))
    answer = client.post(f"{BASE}/{desk}/sign-on")
    assert answer.status_code == 200, answer.text
    return client


def test_call_answer_end_reach_every_desk_and_the_log(server: LiveServer) -> None:
    clerk1 = _signed_on(server, "clerk1", "3")
    clerk2 = _signed_on(server, "clerk2", "2")
    supervisor = server.client(server.login("supervisor"))
    with EventStream(server.url, server.login("clerk4")) as desk4:
        called = clerk1.post(f"{BASE}/3/emergency")
        assert called.status_code == 200, called.text
        body = called.json()
        assert (body["desk"], body["desk_name"], body["called_by"]) == ("3", "Platz 3", "clerk1")
        assert body["responders"] == [] and body["ended_at"] is None
        heard = desk4.next()
        assert heard.type == "desk.emergency"
        assert (heard.data["desk"], heard.data["desk_name"]) == ("3", "Platz 3")
        assert heard.data["actor"] == "clerk1" and heard.data["at"]

        coming = clerk2.post(f"{BASE}/3/emergency/respond", json={"desk": "2"})
        assert coming.status_code == 200, coming.text
        (responder,) = coming.json()["responders"]
        assert (responder["user"], responder["desk"], responder["desk_name"]) == (
            "clerk2",
            "2",
            "Platz 2",
        )
        heard = desk4.next()
        assert heard.type == "desk.emergency_response"
        assert (heard.data["desk"], heard.data["from_desk_name"]) == ("3", "Platz 2")
        # A supervisor comes from no desk.
        from_office = supervisor.post(f"{BASE}/3/emergency/respond", json={})
        assert [r["user"] for r in from_office.json()["responders"]] == ["clerk2", "supervisor"]
        desk4.next()

        # A window that opens now reads the open call (the stream tells only what follows).
        (open_call,) = clerk2.get("/sites/demo/emergencies").json()
        assert open_call == from_office.json()
        ended = clerk1.post(f"{BASE}/3/emergency/end")
        assert ended.status_code == 200, ended.text
        assert ended.json()["ended_by"] == "clerk1" and ended.json()["ended_at"]
        assert desk4.next().type == "desk.emergency_ended"
    assert _log(server) == [
        ("desk.emergency", "clerk1", "3", {"desk_name": "Platz 3", "user": "clerk1"}),
        (
            "desk.emergency_response",
            "clerk2",
            "3",
            {
                "desk_name": "Platz 3",
                "user": "clerk2",
                "from_desk": "2",
                "from_desk_name": "Platz 2",
            },
        ),
        (
            "desk.emergency_response",
            "supervisor",
            "3",
            {
                "desk_name": "Platz 3",
                "user": "supervisor",
                "from_desk": None,
                "from_desk_name": None,
            },
        ),
        ("desk.emergency_ended", "clerk1", "3", {"desk_name": "Platz 3", "user": "clerk1"}),
    ]
    assert supervisor.get("/sites/demo/emergencies").json() == []
    # Over, a desk may call again.
    assert clerk1.post(f"{BASE}/3/emergency").status_code == 200
    assert [c["desk"] for c in supervisor.get("/sites/demo/emergencies").json()] == ["3"]


def test_the_pickup_desk_calls_and_answers_too(server: LiveServer) -> None:
    pickup = _signed_on(server, "pickup1", "6")
    clerk1 = _signed_on(server, "clerk1", "1")
    assert pickup.post(f"{BASE}/6/emergency").status_code == 200
    assert clerk1.post(f"{BASE}/6/emergency/respond", json={"desk": "1"}).status_code == 200
    assert clerk1.post(f"{BASE}/6/emergency/end").status_code == 403  # not the caller
    assert pickup.post(f"{BASE}/6/emergency/end").status_code == 200
    assert clerk1.post(f"{BASE}/1/emergency").status_code == 200
    answered = pickup.post(f"{BASE}/1/emergency/respond", json={"desk": "6"})
    assert answered.json()["responders"][0]["desk_name"] == "Schnellschalter"


def test_refusals_change_nothing(server: LiveServer) -> None:
    clerk1 = _signed_on(server, "clerk1", "1")
    clerk2 = _signed_on(server, "clerk2", "2")
    clerk3 = server.client(server.login("clerk3"))  # signed on nowhere
    pickup = _signed_on(server, "pickup1", "6")
    # Nothing open yet: nothing to answer or end.
    assert_error(
        clerk2.post(f"{BASE}/1/emergency/respond", json={"desk": "2"}), 409, "no_emergency"
    )
    assert_error(clerk1.post(f"{BASE}/1/emergency/end"), 409, "no_emergency")
    # Only the person signed on at a desk calls from it.
    assert_error(clerk2.post(f"{BASE}/1/emergency"), 403, "not_signed_on_here")
    assert_error(clerk3.post(f"{BASE}/4/emergency"), 403, "not_signed_on_here")
    # Quick-pickup staff work at the pickup desk only.
    assert_error(pickup.post(f"{BASE}/1/emergency"), 403, "forbidden_desk")
    for device in ("demo-kiosk", "demo-display"):
        client = server.client(device)
        assert_error(client.post(f"{BASE}/1/emergency"), 403, "forbidden_role")
        assert_error(client.post(f"{BASE}/1/emergency/end"), 403, "forbidden_role")
        assert_error(client.get("/sites/demo/emergencies"), 403, "forbidden_role")
    statistics = server.client(server.login("statistik"))
    assert_error(statistics.post(f"{BASE}/1/emergency"), 403, "forbidden_role")
    assert_error(clerk1.post(f"{BASE}/9/emergency"), 404, "desk_not_found")
    assert _log(server) == []

    assert clerk1.post(f"{BASE}/1/emergency").status_code == 200
    assert_error(clerk1.post(f"{BASE}/1/emergency"), 409, "emergency_open")
    # The caller does not answer their own call; an answer names a desk one is signed on at.
    assert_error(
        clerk1.post(f"{BASE}/1/emergency/respond", json={"desk": "1"}), 409, "own_emergency"
    )
    assert_error(
        clerk2.post(f"{BASE}/1/emergency/respond", json={"desk": "3"}), 403, "not_signed_on_here"
    )
    assert_error(clerk2.post(f"{BASE}/1/emergency/respond", json={}), 422, "desk_required")
    assert clerk2.post(f"{BASE}/1/emergency/respond", json={"desk": "2"}).status_code == 200
    assert_error(
        clerk2.post(f"{BASE}/1/emergency/respond", json={"desk": "2"}), 409, "already_responding"
    )
    assert_error(clerk2.post(f"{BASE}/1/emergency/end"), 403, "not_the_caller")
    # Another site's people act at their own site only.
    add_second_site(server.db)  # type: ignore[arg-type]
    foreign = server.client(server.login("zsupervisor"))
    assert_error(foreign.post(f"{BASE}/1/emergency/respond", json={}), 403, "forbidden_site")
    assert_error(foreign.post(f"{BASE}/1/emergency/end"), 403, "forbidden_site")
    assert_error(foreign.get("/sites/demo/emergencies"), 403, "forbidden_site")
    assert [t for t, *_ in _log(server)] == ["desk.emergency", "desk.emergency_response"]
    # A supervisor ends anybody's call.
    supervisor = server.client(server.login("supervisor"))
    assert supervisor.post(f"{BASE}/1/emergency/end").json()["ended_by"] == "supervisor"


def test_the_display_never_hears_of_it(server: LiveServer, kiosk: ApiClient) -> None:
    clerk1 = _signed_on(server, "clerk1", "1")
    new_ticket(kiosk, server.client(server.login("clerk2")).service_id("A"))
    call_next(clerk1, "1")
    cookies = {"tresen_display": "demo-display"}
    with (
        EventStream(server.url, "demo-display") as device_stream,
        requests.get(
            f"{server.url}/display/demo/events", cookies=cookies, stream=True, timeout=10
        ) as board,
    ):
        chunks = board.iter_content(chunk_size=None)
        first = _next_state(chunks)
        assert clerk1.post(f"{BASE}/1/emergency").status_code == 200
        assert clerk1.post(f"{BASE}/1/emergency/end").status_code == 200
        # A ticket called afterwards reaches both: the emergency between was left out.
        new_ticket(kiosk, server.client(server.login("clerk2")).service_id("A"))
        heard = device_stream.next()
        assert heard.type == "ticket.created", heard
        later = _next_state(chunks)
        while len(later["waiting"]) and sum(w["count"] for w in later["waiting"]) == 0:
            later = _next_state(chunks)
    assert later["calls"] == first["calls"]
    text = json.dumps(later)
    for word in ("emergency", "Notruf"):
        assert word not in text
    # The display's page reads the same state as its stream.
    state = requests.get(f"{server.url}/display/demo/state", cookies=cookies, timeout=10).json()
    assert "emergency" not in json.dumps(state)


def _next_state(chunks: Any) -> dict[str, Any]:
    text = ""
    for chunk in chunks:
        text += chunk.decode()
        if "event: state" in text and text.endswith("\n\n"):
            break
    block = text[text.index("event: state") :]
    return dict(json.loads(block.split("data: ", 1)[1].split("\n", 1)[0]))
