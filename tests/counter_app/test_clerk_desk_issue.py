"""Mistakes undone, and what a desk can issue (issue 16), in the real clerk window against a real
server: a waiting ticket cancelled from the queue with a reason, by keyboard only; an urgent
ticket issued at the desk, printed on the desk's printer (a test printer on a real socket) with
the status page's QR code, or shown on screen where the desk has no printer."""

from __future__ import annotations

import requests
import zxingcpp
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel
from sqlalchemy import select

from central_server.models import Event
from counter_app.clerk.desk_issue import CancelDialog, IssuedTicketDialog, UrgentDialog
from counter_app.qt.paper import to_bitmap
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.raster import images_from_escpos
from tests.support.waits import ANSWER_MS


def _services(server) -> dict[str, int]:  # type: ignore[no-untyped-def]
    kiosk = server.client("demo-kiosk")
    return {s["prefix"]: s["id"] for s in kiosk.get("/sites/demo/services").json()}


def _ticket(server, prefix: str) -> dict:  # type: ignore[no-untyped-def]
    kiosk = server.client("demo-kiosk")
    answer = kiosk.post("/sites/demo/tickets", json={"service_id": _services(server)[prefix]})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _when_open(kind: type, then) -> None:  # type: ignore[no-untyped-def]
    """Run ``then(dialog)`` once a dialog of ``kind`` shows (it runs its own event loop)."""
    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible():
            then(widget)
            return
    QTimer.singleShot(50, lambda: _when_open(kind, then))


def _numbers(session) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.number for t in session.controller.waiting]


def test_a_waiting_ticket_is_cancelled_from_the_queue_with_a_reason(
    open_desk, server, qtbot
) -> None:
    first, second = _ticket(server, "A"), _ticket(server, "B")
    session = open_desk("clerk1", "1")
    window = session.window
    qtbot.waitUntil(lambda: _numbers(session) == ["A001", "B001"], timeout=ANSWER_MS)
    # By keyboard: into the queue, down to the second row, Del.
    view = window.queue_view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    asked: list[str] = []

    def answer(dialog: CancelDialog) -> None:
        asked.append(dialog.windowTitle())
        qtbot.keyClick(dialog.why, Qt.Key.Key_2)  # "Holds another ticket"
        qtbot.keyClick(dialog.why, Qt.Key.Key_Tab)
        qtbot.keyClicks(dialog.reason, "hat schon A001")
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    _when_open(CancelDialog, answer)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert asked == ["Nummer B001 stornieren"]
    qtbot.waitUntil(lambda: _numbers(session) == ["A001"], timeout=ANSWER_MS)
    qtbot.waitUntil(
        lambda: window.notice_label.text() == "Nummer B001 ist storniert.", timeout=ANSWER_MS
    )
    supervisor = server.client(server.login("supervisor"))
    cancelled = supervisor.get(f"/tickets/{second['id']}").json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["case"]["cancel_reason"] == "hat schon A001"
    with server.db.read_session() as db_session:
        [event] = db_session.scalars(select(Event).where(Event.type == "ticket.cancelled"))
    assert (event.actor, event.data["why"], event.data["desk"]) == ("clerk1", "came_twice", "1")
    assert supervisor.get(f"/tickets/{first['id']}").json()["status"] == "waiting"

    # "Another reason" needs words; Esc goes back and nothing is cancelled.
    window.activateWindow()  # offscreen, the closed dialog leaves no window active
    qtbot.waitUntil(window.isActiveWindow, timeout=ANSWER_MS)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Home)
    checked: list[bool] = []

    def give_up(dialog: CancelDialog) -> None:
        qtbot.keyClick(dialog.why, Qt.Key.Key_4)
        checked.append(dialog.confirm.isEnabled())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    _when_open(CancelDialog, give_up)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert checked == [False]
    assert _numbers(session) == ["A001"]
    assert supervisor.get(f"/tickets/{first['id']}").json()["status"] == "waiting"


def _issue_urgent(session, qtbot, language_index: int) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+Shift+N, service B (the second in the list), the language, Enter."""

    def answer(dialog: UrgentDialog) -> None:
        qtbot.keyClick(dialog.service, Qt.Key.Key_Down)
        dialog.language_box.setFocus()
        for _ in range(language_index):
            qtbot.keyClick(dialog.language_box, Qt.Key.Key_Down)
        qtbot.keyClick(dialog.language_box, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: session.window.issue_urgent_button.isEnabled(), timeout=ANSWER_MS)
    _when_open(UrgentDialog, answer)
    qtbot.keyClick(
        session.window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )


def _qr_codes(images) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.text for image in images for c in zxingcpp.read_barcodes(image.convert("L"))]


def test_an_urgent_ticket_is_issued_printed_and_called_first(open_desk, server, qtbot) -> None:
    _ticket(server, "A")
    with FakeEscposPrinter() as printer:
        session = open_desk("clerk1", "1", printer=printer.uri)
        qtbot.waitUntil(lambda: _numbers(session) == ["A001"], timeout=ANSWER_MS)
        _issue_urgent(session, qtbot, language_index=1)  # de, en: English
        qtbot.waitUntil(lambda: printer.cuts() == 1, timeout=ANSWER_MS)
        qtbot.waitUntil(
            lambda: session.window.notice_label.text() == "Dringende Nummer B001 ist gedruckt.",
            timeout=ANSWER_MS,
        )
        # The ticket's QR code leads to its status page, which knows it.
        [url] = _qr_codes(images_from_escpos(printer.printed()))
        assert url.startswith(f"{server.url}/t/")
        state = requests.get(f"{url}/state", timeout=10).json()
        assert state["state"] == "waiting"
        assert session.desk_tickets.last is not None
        assert session.desk_tickets.last.ticket.service_name == "ID card and passport"
    # It joins the queue before the walk-in, urgent, in English.
    qtbot.waitUntil(lambda: _numbers(session) == ["B001", "A001"], timeout=ANSWER_MS)
    urgent = session.controller.waiting[0]
    assert (urgent.priority, urgent.language) == ("urgent", "en")
    session.controller.call_next()
    qtbot.waitUntil(
        lambda: (
            session.controller.current is not None and session.controller.current.number == "B001"
        ),
        timeout=ANSWER_MS,
    )


def test_a_desk_without_a_printer_shows_the_urgent_ticket(open_desk, server, qtbot) -> None:
    session = open_desk("clerk1", "1")
    qtbot.waitUntil(lambda: bool(session.controller.services), timeout=ANSWER_MS)
    _issue_urgent(session, qtbot, language_index=0)
    qtbot.waitUntil(
        lambda: session.window.findChild(IssuedTicketDialog) is not None, timeout=ANSWER_MS
    )
    dialog = session.window.findChild(IssuedTicketDialog)
    assert dialog.findChild(QLabel, "issuedTicketNumber").text() == "B001"
    image = dialog.findChild(QLabel, "issuedTicketPreview").pixmap().toImage()
    [url] = _qr_codes([to_bitmap(image)])
    assert requests.get(f"{url}/state", timeout=10).json()["state"] == "waiting"
    qtbot.waitUntil(lambda: _numbers(session) == ["B001"], timeout=ANSWER_MS)
