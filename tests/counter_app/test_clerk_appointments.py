"""The clerk's queue with appointments, against a real server: the tickets in the order the desk
calls them, each with why it is there, the citizen's language, and at the called ticket the
appointment time, the language and the offline mark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableView
from sqlalchemy import update

from central_server.models import Ticket
from counter_app.clerk.queue_model import REASON_COLUMN, REASON_ROLE
from tests.support.live_server import LiveServer
from tests.support.scripted_day import Clock
from tests.support.waits import ANSWER_MS

BERLIN = ZoneInfo("Europe/Berlin")


def rows(session) -> list[list[str]]:  # type: ignore[no-untyped-def]
    model = session.window.findChild(QTableView, "queueView").model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def reasons(session) -> list[str]:  # type: ignore[no-untyped-def]
    """Why each ticket stands where it stands: the second line of the service's column."""
    model = session.window.findChild(QTableView, "queueView").model()
    return [model.index(row, REASON_COLUMN).data(REASON_ROLE) for row in range(model.rowCount())]


def header(session) -> list[str]:  # type: ignore[no-untyped-def]
    model = session.window.findChild(QTableView, "queueView").model()
    return [
        model.headerData(column, Qt.Orientation.Horizontal) for column in range(model.columnCount())
    ]


def ticket(server: LiveServer, prefix: str, **fields: Any) -> dict[str, Any]:
    kiosk = server.client("demo-kiosk")
    answer = kiosk.post(
        "/sites/demo/tickets", json={"service_id": kiosk.service_id(prefix), **fields}
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def change(server: LiveServer, ticket_id: int, **values: Any) -> None:
    """What a check-in or an offline upload would have recorded (the queue's order and marks
    depend only on these columns)."""
    assert server.db is not None
    with server.db.write_session() as session:
        session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))


def hhmm(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%H:%M")


def test_the_queue_says_why_each_ticket_is_where_it_is(open_desk, server, qtbot) -> None:
    now = datetime.now(UTC)
    minute = now.replace(second=0, microsecond=0)
    due_at, later_at = minute + timedelta(minutes=1), minute + timedelta(minutes=45)
    # A walk-in waiting 25 minutes (A's target is 20), in Turkish, printed offline.
    waited = ticket(server, "A", language="tr")
    change(server, waited["id"], queued_at=now - timedelta(minutes=25), issued_offline=True)
    # An appointment due (its time less the 2-minute lead has come), in Ukrainian.
    due = ticket(server, "B", priority="appointment", language="uk")
    change(server, due["id"], appointment_at=due_at)
    # An appointment in 45 minutes: walk-ins fill the time until then.
    later = ticket(server, "C", priority="appointment")
    change(server, later["id"], appointment_at=later_at)

    session = open_desk("clerk1", "1")
    urgent = server.client(server.login("clerk2")).post(
        "/sites/demo/tickets",
        json={"service_id": server.client("demo-kiosk").service_id("A"), "priority": "urgent"},
    )
    assert urgent.status_code == 201
    fresh = ticket(server, "B", language="ar")  # a walk-in who just came (an event: a re-read)
    qtbot.waitUntil(lambda: len(rows(session)) == 5, timeout=ANSWER_MS)

    assert header(session) == ["Nummer", "Anliegen · Grund", "Sprache", "Voraussichtlich"]
    assert rows(session)[0] == [
        due["number"],
        f"Personalausweis und Reisepass\nTermin {hhmm(due_at)}",
        "Ukrainisch",
        "",  # an appointment is called at its time, not after an estimated wait
    ]
    assert [row[0] for row in rows(session)] == [
        due["number"],
        urgent.json()["number"],
        waited["number"],
        fresh["number"],
        later["number"],
    ]
    assert reasons(session) == [
        f"Termin {hhmm(due_at)}",
        "Dringend · wartet seit 0 Min.",
        "wartet seit 25 Min. · über Ziel (20 Min.) · offline gezogen",
        "wartet seit 0 Min.",
        f"Termin {hhmm(later_at)}",
    ]
    assert [row[2] for row in rows(session)] == [
        "Ukrainisch",
        "Deutsch",
        "Türkisch",
        "Arabisch",
        "Deutsch",
    ]

    # In English, the same reasons.
    session.window.findChild(object, "languageButton").click()
    assert reasons(session)[0] == f"Appointment {hhmm(due_at)}"
    assert reasons(session)[2] == "waiting 25 min · over target (20 min) · issued offline"

    # F2 calls the appointment; the called ticket shows its time and the citizen's language.
    qtbot.keyClick(session.window, Qt.Key.Key_F2)
    current = session.window.findChild(QLabel, "currentTicketLabel")
    qtbot.waitUntil(lambda: current.text() == due["number"], timeout=ANSWER_MS)
    details = session.window.findChild(QLabel, "currentDetails").text()
    assert f"Language: Ukrainian · Appointment {hhmm(due_at)}" in details
    qtbot.waitUntil(lambda: len(rows(session)) == 4, timeout=ANSWER_MS)


def test_an_appointment_moves_ahead_when_it_becomes_due_without_any_event(
    open_desk, server, qtbot, monkeypatch
) -> None:
    """Nothing happens at the site when an appointment becomes due: the desk reads its queue
    again on its own while an appointment waits (every minute; here every half second)."""
    monkeypatch.setattr("counter_app.clerk.controller.APPOINTMENT_REREAD_MS", 500)
    clock = Clock(now=datetime.now(UTC)).install(monkeypatch)
    walk_in = ticket(server, "A")
    booked = ticket(server, "A", priority="appointment")
    change(server, booked["id"], appointment_at=clock.now + timedelta(minutes=10))
    session = open_desk("clerk1", "1")
    last = ticket(server, "B")  # an event after the change: the desk reads the queue anew
    order = [walk_in["number"], last["number"], booked["number"]]
    qtbot.waitUntil(lambda: [row[0] for row in rows(session)] == order, timeout=ANSWER_MS)

    clock.now += timedelta(minutes=8)  # 10 minutes less the lead of 2: due
    order = [booked["number"], walk_in["number"], last["number"]]
    qtbot.waitUntil(lambda: [row[0] for row in rows(session)] == order, timeout=ANSWER_MS)
