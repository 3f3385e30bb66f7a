"""The live event stream (server-sent events) that clerks' queue views and the waiting-room
display follow: every change arrives once, in order, and a client that reconnects with the
last id it saw gets exactly what it missed, also after a server restart."""

from __future__ import annotations

import pytest
import requests

from tests.support.api import act, assert_error, call_next, new_ticket
from tests.support.sse import EventStream


def _stream(server, token, **kwargs) -> EventStream:
    stream = EventStream(server.url, token, **kwargs)
    assert stream.status_code == 200, stream.response.text
    assert stream.response.headers["content-type"].startswith("text/event-stream")
    return stream


def test_every_change_arrives_live_in_order(server, clerk, kiosk, services):
    with (
        _stream(server, "demo-display") as display,
        _stream(server, server.login("clerk2")) as desk_view,
    ):
        start = display.connected_at
        assert desk_view.connected_at == start
        assert display.retry is not None and display.retry > 0

        ticket = new_ticket(kiosk, services["A"])
        created = display.next()
        assert (created.id, created.type) == (start + 1, "ticket.created")
        assert created.data["ticket"]["number"] == "A001"
        assert created.data["ticket"]["status"] == "waiting"
        assert created.data["actor"] == "device:lobby-kiosk"

        call_next(clerk, "1")
        called = display.next()
        assert (called.id, called.type) == (start + 2, "ticket.called")
        assert called.data["desk"] == "1"
        assert called.data["ticket"]["number"] == "A001"
        assert called.data["ticket"]["desk"] == "1"

        act(clerk, ticket["id"], "recall")
        act(clerk, ticket["id"], "start")
        act(clerk, ticket["id"], "finish", {"outcome": "completed"})
        rest = display.take(3)
        assert [e.type for e in rest] == ["ticket.recalled", "ticket.started", "ticket.finished"]
        assert [e.id for e in rest] == [start + 3, start + 4, start + 5]
        assert rest[0].data["recall_count"] == 1
        assert rest[2].data["outcome"] == "completed"
        assert rest[2].data["ticket"]["status"] == "done"

        # The clerk's queue view saw the very same events.
        assert [e.id for e in desk_view.take(5)] == list(range(start + 1, start + 6))


def test_a_new_stream_starts_with_what_happens_from_now_on(server, clerk, kiosk, services):
    new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["B"])
    with _stream(server, "demo-display") as display:
        new_ticket(kiosk, services["C"])
        event = display.next()
        assert event.id == display.connected_at + 1
        assert event.data["ticket"]["number"] == "C001"


def test_reconnect_with_last_event_id_gets_exactly_the_missed_events(
    server, clerk, kiosk, services
):
    with _stream(server, "demo-display") as display:
        ticket = new_ticket(kiosk, services["A"])
        last_seen = display.next().id

    # While the display is away: a call, a recall and a new ticket.
    call_next(clerk, "1")
    act(clerk, ticket["id"], "recall")
    new_ticket(kiosk, services["B"])

    with _stream(server, "demo-display", last_event_id=last_seen) as display:
        missed = display.take(3)
        assert [e.id for e in missed] == [last_seen + 1, last_seen + 2, last_seen + 3]
        assert [e.type for e in missed] == ["ticket.called", "ticket.recalled", "ticket.created"]
        # And then live, with nothing repeated or skipped.
        act(clerk, ticket["id"], "start")
        live = display.next()
        assert (live.id, live.type) == (last_seen + 4, "ticket.started")


def test_after_parameter_works_like_last_event_id(server, kiosk, services):
    new_ticket(kiosk, services["A"])
    with _stream(server, "demo-display") as now:
        latest = now.connected_at
    new_ticket(kiosk, services["A"])
    with _stream(server, "demo-display", after=latest - 1) as display:
        events = display.take(2)
        assert [e.id for e in events] == [latest, latest + 1]
        assert [e.data["ticket"]["number"] for e in events] == ["A001", "A002"]


def test_last_event_id_zero_replays_the_whole_log(server, kiosk, services):
    new_ticket(kiosk, services["A"])
    with _stream(server, "demo-display") as now:
        latest = now.connected_at
    with _stream(server, "demo-display", last_event_id=0) as display:
        events = display.until(latest)
        assert [e.id for e in events] == list(range(1, latest + 1))
        assert events[-1].type == "ticket.created"


def test_reconnect_after_a_server_restart_misses_nothing(server, services):
    clerk_token = server.login("clerk1")
    clerk = server.client(clerk_token)
    kiosk = server.client("demo-kiosk")
    display = _stream(server, "demo-display")
    ticket = new_ticket(kiosk, services["A"])
    last_seen = display.next().id
    call_next(clerk, "1")  # happens while the display still listens...

    server.stop()
    # ...but the stream ends with the server before the display reads it.
    with pytest.raises((EOFError, requests.exceptions.RequestException)):
        for _ in range(10):
            if display.next().id > last_seen + 1:
                break
    display.close()

    server.start()
    clerk = server.client(clerk_token)  # a sign-in survives the restart
    act(clerk, ticket["id"], "start")
    new_ticket(server.client("demo-kiosk"), services["B"])

    with _stream(server, "demo-display", last_event_id=last_seen) as display:
        missed = display.take(3)
        assert [e.id for e in missed] == [last_seen + 1, last_seen + 2, last_seen + 3]
        assert [e.type for e in missed] == ["ticket.called", "ticket.started", "ticket.created"]
        act(clerk, ticket["id"], "finish", {"outcome": "completed"})
        assert display.next().id == last_seen + 4


def test_refused_changes_make_no_events(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    with _stream(server, "demo-display") as display:
        assert_error(clerk.post(f"/tickets/{ticket['id']}/start"), 409, "invalid_transition")
        assert_error(
            kiosk.post("/sites/demo/tickets", json={"service_id": 4711}), 404, "service_not_found"
        )
        assert clerk.post("/sites/demo/desks/5/call-next").status_code == 204
        call_next(clerk, "1")
        event = display.next()
        assert (event.id, event.type) == (display.connected_at + 1, "ticket.called")


def test_events_carry_no_case_notes(server, clerk, kiosk, services):
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    with _stream(server, "demo-display") as display:
        clerk.put(
            f"/tickets/{ticket['id']}/case",
            json={"notes": "Duldung läuft ab", "case_reference": "AZ-99-123"},
        )
        act(
            clerk,
            ticket["id"],
            "transfer",
            {"desk": "5", "reason": "Ausreisepflicht prüfen", "notes": "Duldung läuft ab"},
        )
        act(clerk, ticket["id"], "cancel")
        events = display.take(3)
    assert [e.type for e in events] == [
        "ticket.case_updated",
        "ticket.transferred",
        "ticket.cancelled",
    ]
    assert events[1].data["to_desk"] == "5"
    for event in events:
        text = repr(event.data)
        assert "Duldung" not in text and "AZ-99-123" not in text and "Ausreisepflicht" not in text


def test_desk_changes_are_events_too(server, clerk):
    with _stream(server, "demo-display") as display:
        assert clerk.post("/sites/demo/desks/2/sign-on").status_code == 200
        assert clerk.post("/sites/demo/desks/2/pause").status_code == 200
        assert clerk.post("/sites/demo/desks/2/sign-off").status_code == 200
        events = display.take(3)
    assert [e.type for e in events] == ["desk.signed_on", "desk.paused", "desk.signed_off"]
    assert all(e.data["desk"] == "2" for e in events)


def test_bad_last_event_id_is_refused(server):
    with EventStream(server.url, "demo-display", last_event_id="gestern") as stream:
        assert_error(stream.response, 422, "invalid_last_event_id")


def test_a_desk_taken_over_names_whom_it_displaced(server, clerk):
    """The displaced clerk's window learns at once, from the stream, that the desk is gone."""
    assert clerk.post("/sites/demo/desks/2/sign-on").status_code == 200
    clerk3 = server.client(server.login("clerk3"))
    with _stream(server, "demo-display") as display:
        assert clerk3.post("/sites/demo/desks/2/sign-on", json={"force": True}).status_code == 200
        assert clerk3.post("/sites/demo/desks/2/sign-on").status_code == 200  # already hers
        events = display.take(2)
    assert [(e.type, e.data["desk"], e.data["user"]) for e in events] == [
        ("desk.signed_on", "2", "clerk3"),
        ("desk.signed_on", "2", "clerk3"),
    ]
    assert events[0].data["taken_from"] == "clerk1"
    assert "taken_from" not in events[1].data


def test_streams_ask_browsers_to_come_back_at_different_moments(server) -> None:
    """After a restart every display and status page reconnects; each stream names its own wait
    (1 to 3 s) so that they do not all arrive in the same instant."""
    hints = set()
    for _ in range(8):
        with _stream(server, "demo-display") as display:
            assert display.retry is not None
            assert 1000 <= display.retry <= 3000, display.retry
            hints.add(display.retry)
    assert len(hints) >= 3, hints
