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
from tests.support.live_server import LiveServer
from tests.support.waits import ANSWER_MS

BERLIN = ZoneInfo("Europe/Berlin")


def rows(session) -> list[list[str]]:  # type: ignore[no-untyped-def]
    model = session.window.findChild(QTableView, "queueView").model()
    return [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


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

    assert header(session) == ["Nummer", "Anliegen", "Grund", "Sprache", "Voraussichtlich"]
    shown = [row[:4] for row in rows(session)]
    assert shown[0] == [
        due["number"],
        "Personalausweis und Reisepass",
        f"Termin {hhmm(due_at)}",
        "Ukrainisch",
    ]
    assert shown[1][0] == urgent.json()["number"]
    assert shown[1][2] == "Dringend · wartet seit 0 Min."
    assert shown[2] == [
        waited["number"],
        "Anmeldung und Ummeldung",
        "wartet seit 25 Min. · über Ziel (20 Min.) · offline gezogen",
        "Türkisch",
    ]
    assert shown[3][0::2] == [fresh["number"], "wartet seit 0 Min."]
    assert shown[3][3] == "Arabisch"
    assert shown[4][0::2] == [later["number"], f"Termin {hhmm(later_at)}"]

    # In English, the same reasons.
    session.window.findChild(object, "languageButton").click()
    reasons = [row[2] for row in rows(session)]
    assert reasons[0] == f"Appointment {hhmm(due_at)}"
    assert reasons[2] == "waiting 25 min · over target (20 min) · issued offline"

    # F2 calls the appointment; the called ticket shows its time and the citizen's language.
    qtbot.keyClick(session.window, Qt.Key.Key_F2)
    current = session.window.findChild(QLabel, "currentTicketLabel")
    qtbot.waitUntil(lambda: current.text() == due["number"], timeout=ANSWER_MS)
    details = session.window.findChild(QLabel, "currentDetails").text()
    assert f"Language: Ukrainian · Appointment {hhmm(due_at)}" in details
    qtbot.waitUntil(lambda: len(rows(session)) == 4, timeout=ANSWER_MS)
