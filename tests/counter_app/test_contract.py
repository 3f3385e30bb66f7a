"""The contract between the desk programs and the server: what the desktop reads, the server
serves.

Every answer the desktop reads is a model of ``counter_app.core.answers``, bound to its
operation once, in ``counter_app.core.api.OPERATIONS``. The server's own OpenAPI document
(``create_app().openapi()``) must promise every field of every such model, with a compatible
type (``tests/support/contract.py`` says what that means). A field renamed on the server fails
here, in CI, not at a desk on a Monday morning.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import requests
from PySide6.QtWidgets import QLabel

from central_server.app import create_app
from central_server.config import ServerSettings
from counter_app.clerk.app import ClerkSession
from counter_app.core import answers
from counter_app.core.api import OPERATIONS, TresenClient
from counter_app.core.errors import BadAnswer, Rejected, StateConflict
from counter_app.core.live import LiveEvent
from counter_app.core.outbox import Outbox
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.support.contract import problems
from tests.support.live_server import LiveServer
from tests.support.scripted_day import Clock
from tests.support.sse import EventStream
from tests.support.waits import ANSWER_MS


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(ServerSettings(db="sqlite://")).openapi()


def test_every_answer_the_desktop_reads_is_promised_by_the_server(
    document: dict[str, Any],
) -> None:
    assert problems(document, OPERATIONS) == []


def test_every_answer_model_is_bound_to_an_operation() -> None:
    """A model nobody binds would be read unchecked: each is an answer, a part of one, an
    event's payload or a refusal's particulars (both checked against the running server
    below)."""
    bound = {op.answer for op in OPERATIONS.values() if op.answer is not None}
    parts = {
        answers.ChecklistStep,
        answers.ServiceDocument,
        answers.Case,
        answers.ServiceCount,
        answers.Lease,
        answers.PickupRef,
        answers.BoardTicket,
        answers.BoardDesk,
        answers.BoardService,
        answers.BoardAlert,
        answers.Figures,
        answers.Spread,
        answers.EstimateError,
        answers.Kinds,
        answers.Feedback,
        answers.StatisticsSite,
        answers.StatisticsGroup,
        answers.StatisticsOrganisation,
        answers.StatisticsService,
        answers.StatisticsDesk,
        answers.StatisticsClerk,
        answers.EmergencyResponder,
    }
    events = {answers.DeskEvent, answers.PrinterEvent, answers.PickupEvent, answers.EmergencyEvent}
    # A refusal's particulars, checked against the running server too.
    refusals = {answers.DeskTaken, answers.PickupRefusal, answers.AppointmentRefusal}
    models = {
        value
        for value in vars(answers).values()
        if isinstance(value, type)
        and issubclass(value, answers.Answer)
        and value is not answers.Answer
    }
    assert models - bound - parts - events - refusals == set()


def _schema(document: dict[str, Any], name: str) -> dict[str, Any]:
    return document["components"]["schemas"][name]  # type: ignore[no-any-return]


def _renamed(document: dict[str, Any], schema: str, old: str, new: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = _schema(changed, schema)
    target["properties"][new] = target["properties"].pop(old)
    target["required"] = [new if r == old else r for r in target.get("required", [])]
    return changed


def test_a_field_renamed_on_the_server_is_caught(document: dict[str, Any]) -> None:
    changed = _renamed(document, "TicketPublic", "queued_at", "enqueued_at")
    found = problems(changed, OPERATIONS)
    assert found
    assert all("Ticket" in p and "queued_at is not in the server's answer" in p for p in found)
    # Every operation that answers a ticket (or a queue of them) is named.
    assert any(p.startswith("queue ") for p in found)
    assert any(p.startswith("call_next ") for p in found)


@pytest.mark.parametrize(
    ("schema", "field", "change", "expected"),
    [
        ("PickupPublic", "slot", {"type": "string"}, None),  # no longer nullable: fine
        ("DeskPublic", "code", {"anyOf": [{"type": "string"}, {"type": "null"}]}, "may send null"),
        ("SitePublic", "name", {"type": "integer"}, "expected"),
        ("LeasePublic", "day", {"type": "string", "format": "date-time"}, "expected"),
        ("DeskCounts", "waiting", {"type": "number"}, "expected"),
        ("ServicePublic", "names", {"type": "object"}, "a mapping expected"),
    ],
)
def test_a_field_of_another_type_is_caught(
    document: dict[str, Any],
    schema: str,
    field: str,
    change: dict[str, Any],
    expected: str | None,
) -> None:
    changed = copy.deepcopy(document)
    _schema(changed, schema)["properties"][field] = change
    found = problems(changed, OPERATIONS)
    if expected is None:
        assert found == []
    else:
        assert found and all(f".{field}" in p and expected in p for p in found), found


def test_a_field_the_server_may_leave_out_is_caught(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    _schema(changed, "PickupPublic")["required"].remove("holder_name")
    found = problems(changed, OPERATIONS)
    assert found and all("holder_name is required here" in p for p in found)


def test_a_status_the_desktop_does_not_know_is_caught(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    schema = changed["components"]["schemas"]
    status = next(
        name
        for name, s in schema.items()
        if set(s.get("enum", ())) >= {"waiting", "called", "serving", "parked"}
    )
    schema[status]["enum"] = [*schema[status]["enum"], "on_hold"]
    found = problems(changed, OPERATIONS)
    assert found and all("'on_hold'" in p and "unknown to TicketStatus" in p for p in found)


def test_an_endpoint_moved_on_the_server_is_caught(document: dict[str, Any]) -> None:
    changed = copy.deepcopy(document)
    changed["paths"]["/api/v1/pickups/lookup-by-token"] = changed["paths"].pop(
        "/api/v1/pickups/lookup"
    )
    assert problems(changed, OPERATIONS) == [
        "lookup_pickup (POST /pickups/lookup): the server has no such path"
    ]


# At run time: an answer that does not fit is a BadAnswer, never a KeyError in a widget ----------


class _OneAnswer:
    """A requests session that answers every request with ``body``."""

    def __init__(self, body: str) -> None:
        self.body = body

    def request(self, *_args: Any, **_kwargs: Any) -> Any:
        answer = requests.Response()
        answer.status_code = 200
        answer._content = self.body.encode()
        answer.headers["Content-Type"] = "application/json"
        return answer


def test_an_answer_without_a_field_the_desk_reads_is_a_bad_answer() -> None:
    client = TresenClient("http://server.invalid", session=_OneAnswer('{"slug": "demo"}'))
    with pytest.raises(BadAnswer) as caught:
        client.site("demo")
    assert caught.value.answer == "site"
    assert "name: Field required" in caught.value.problems


def test_an_answer_with_more_fields_than_the_desk_reads_is_fine() -> None:
    body = '{"slug": "demo", "name": "Bürgeramt", "timezone": "Europe/Berlin", "new": [1]}'
    client = TresenClient("http://server.invalid", session=_OneAnswer(body))
    assert client.site("demo") == answers.Site(name="Bürgeramt", timezone="Europe/Berlin")


# Live events: not in the OpenAPI document, so read from the running server ----------------------


@pytest.fixture
def events(server: LiveServer) -> Iterator[EventStream]:
    stream = EventStream(server.url, server.login("supervisor"), "demo")
    yield stream
    stream.close()


def _next_of(stream: EventStream, kind: str) -> LiveEvent:
    """The next event of ``kind``; the stream fails the test if none comes in time."""
    while True:
        event = stream.next()
        if event.type == kind:
            return LiveEvent(event.id, event.type, event.data)


def test_live_events_carry_what_the_desks_read(server: LiveServer, events: EventStream) -> None:
    clerk = TresenClient(server.url)
    clerk.login("clerk1", "demo")
    clerk.sign_on("demo", "1")
    signed_on = _next_of(events, "desk.signed_on").payload(answers.DeskEvent)
    assert signed_on is not None
    assert (signed_on.desk, signed_on.user) == ("1", "clerk1")

    kiosk = TresenClient(server.url, token="demo-kiosk")
    assert kiosk.report_printer("demo", "paper_out").state == "paper_out"
    printer = _next_of(events, "device.printer").payload(answers.PrinterEvent)
    assert printer is not None and printer.state == "paper_out" and printer.device

    ordered = clerk.order_pickup(
        "demo",
        {"document_kind": "passport", "case_reference": "AZ-1", "holder_name": "Amina Haddad"},
    )
    pickup = _next_of(events, "pickup.ordered").payload(answers.PickupEvent)
    assert pickup is not None and pickup.pickup == answers.PickupRef(id=ordered.id)

    called = clerk.call_for_help("demo", "1")
    emergency = _next_of(events, "desk.emergency").payload(answers.EmergencyEvent)
    assert emergency is not None
    assert (emergency.desk, emergency.desk_name, emergency.actor) == ("1", "Platz 1", "clerk1")
    assert emergency.at == called.called_at
    colleague = TresenClient(server.url)
    colleague.login("clerk2", "demo")
    colleague.sign_on("demo", "2")
    colleague.respond_to_emergency("demo", "1", "2")
    coming = _next_of(events, "desk.emergency_response").payload(answers.EmergencyEvent)
    assert coming is not None
    assert (coming.actor, coming.from_desk, coming.from_desk_name) == ("clerk2", "2", "Platz 2")
    assert clerk.end_emergency("demo", "1").ended_by == "clerk1"
    ended = _next_of(events, "desk.emergency_ended").payload(answers.EmergencyEvent)
    assert ended is not None and ended.actor == "clerk1"


def test_refusals_carry_what_the_desks_read(server: LiveServer) -> None:
    """A refusal's particulars are not in the API's document (one ``details`` object for every
    code): the ones the desktop shows are checked against a running server."""
    holder = TresenClient(server.url)
    holder.login("clerk1", "demo")
    holder.sign_on("demo", "1")
    other = TresenClient(server.url)
    other.login("clerk2", "demo")
    with pytest.raises(StateConflict) as taken:
        other.sign_on("demo", "1")
    assert taken.value.code == "desk_taken"
    assert answers.refusal_details(taken.value.details, answers.DeskTaken) == answers.DeskTaken(
        user="clerk1", desk="1"
    )

    due = date.today() + timedelta(days=14)
    ordered = holder.order_pickup(
        "demo",
        {
            "document_kind": "passport",
            "case_reference": "AZ-2",
            "holder_name": "Amina Haddad",
            "expected_ready_on": due,
        },
    )
    kiosk = TresenClient(server.url, token="demo-kiosk")
    with pytest.raises(StateConflict) as not_ready:
        kiosk.check_in_pickup("demo", ordered.token)
    assert not_ready.value.code == "pickup_not_ready"
    details = answers.refusal_details(not_ready.value.details, answers.PickupRefusal)
    assert details is not None and details.expected_ready_on == due

    holder.mark_ready(ordered.id, "A-3")
    ticket = kiosk.check_in_pickup("demo", ordered.token)
    with pytest.raises(StateConflict) as again:
        kiosk.check_in_pickup("demo", ordered.token)
    assert again.value.code == "pickup_already_checked_in"
    details = answers.refusal_details(again.value.details, answers.PickupRefusal)
    assert details is not None and details.number == ticket.number


def test_appointment_refusals_carry_what_the_kiosk_reads(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    supervisor = server.client(server.login("supervisor"))
    # The server's clock at 9:00 in Berlin: an appointment 45 minutes on is today's at any hour
    # the test runs (at 23:30 it would be tomorrow's, and refused as another day's).
    now = Clock().install(monkeypatch).at("09:00", datetime.now(ZoneInfo("Europe/Berlin")).date())
    booked = [
        ("early", now + timedelta(minutes=45)),
        ("due", now + timedelta(minutes=5)),
        ("later", now + timedelta(days=2)),
    ]
    pushed = supervisor.post(
        "/sites/demo/appointments",
        json={
            "appointments": [
                {
                    "external_id": code,
                    "code": code,
                    "service_id": supervisor.service_id("A"),
                    "starts_at": at.isoformat(),
                }
                for code, at in booked
            ]
        },
    )
    assert pushed.status_code in (200, 201), pushed.text
    kiosk = TresenClient(server.url, token="demo-kiosk")

    def refusal(code: str) -> answers.AppointmentRefusal:
        with pytest.raises(Rejected) as refused:
            kiosk.check_in_appointment("demo", code.upper())
        details = answers.refusal_details(refused.value.details, answers.AppointmentRefusal)
        assert details is not None, refused.value.details
        return details

    early = refusal("early").check_in_from
    assert early is not None and early.utcoffset() is not None and early < booked[0][1]
    assert refusal("later").reason == "other_day"
    assert refusal("later").day == (booked[2][1].astimezone(ZoneInfo("Europe/Berlin"))).date()
    assert refusal("nothing").reason == "unknown"
    ticket = kiosk.check_in_appointment("demo", "DUE")
    assert ticket.priority == "appointment" and ticket.appointment_at == booked[1][1]
    assert refusal("due").number == ticket.number


@pytest.mark.parametrize(
    ("code", "clerk", "headline"),
    [
        (
            "de",
            "Dieses Programm versteht die Antwort des Servers nicht: Die Versionen passen nicht "
            "zusammen. Bitte lassen Sie das Arbeitsplatzprogramm von der IT aktualisieren.",
            "Antwort nicht verstanden",
        ),
        (
            "en",
            "This program does not understand the server's answer: the versions do not fit "
            "together. Please ask IT to update the desk program.",
            "Answer not understood",
        ),
    ],
)
def test_a_bad_answer_reads_as_such_at_the_desks(code: str, clerk: str, headline: str) -> None:
    from counter_app.pickup.errors import describe as describe_at_pickup
    from counter_app.qt.errors import describe
    from counter_app.qt.i18n import Language

    error = BadAnswer("queue", "waiting.0.queued_at: Field required")
    language = Language(code)
    assert describe(error, language) == clerk
    assert describe_at_pickup(error, language, "lookup") == (headline, clerk)


class _NewerServer(requests.Session):
    """Stands in for a server of a later version that renamed ``queued_at`` in its tickets (no
    such server can exist here): every queue answer (alone or in a desk's view) is rewritten
    so."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        answer = super().request(method, url, *args, **kwargs)
        path = str(url).split("?")[0]
        if path.endswith(("/queue", "/view")) and answer.status_code == 200:
            body = answer.json()
            queue = body["queue"] if path.endswith("/view") else body
            for group in ("waiting", "called", "serving", "parked"):
                for ticket in queue[group]:
                    ticket["enqueued_at"] = ticket.pop("queued_at")
            answer._content = json.dumps(body).encode()
        return answer


def test_a_desk_that_cannot_read_the_server_says_so_and_keeps_running(
    server: LiveServer, qtbot: Any, tmp_path: Path
) -> None:
    kiosk = TresenClient(server.url, token="demo-kiosk")
    kiosk.create_ticket("demo", kiosk.services("demo")[0].id)
    client = TresenClient(server.url, session=_NewerServer())
    sign_in = client.login("clerk1", "demo")
    session = ClerkSession(
        client,
        sign_in,
        "demo",
        "1",
        Language("de"),
        Outbox(tmp_path / "outbox.sqlite3"),
        Tasks(),
        None,
    )
    qtbot.addWidget(session.window)
    session.window.show()
    session.start()
    try:
        notice = session.window.findChild(QLabel, "noticeLabel")
        qtbot.waitUntil(lambda: "versteht die Antwort des Servers nicht" in notice.text())
        assert session.window.isVisible()
        assert session.controller.online  # the server answers; this is no network fault
        assert session.controller.waiting == []  # nothing half-read is shown
    finally:
        session.stop()
        session.controller.tasks.wait(ANSWER_MS)
        session.controller.outbox.close()
