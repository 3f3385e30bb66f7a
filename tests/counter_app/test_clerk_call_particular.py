"""The clerk calls a particular citizen (from the queue or by number, after a confirmation) and
takes a no-show back with "Undo": the real window against a real server."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton, QTableView

from tests.counter_app.test_clerk_window import button, current_number, new_ticket, queue_numbers
from tests.support.waits import ANSWER_MS


def confirmation(session) -> QMessageBox | None:  # type: ignore[no-untyped-def]
    box = session.window.findChild(QMessageBox, "callConfirmDialog")
    return box if box is not None and box.isVisible() else None


def called_events(server, ticket_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from central_server.models import Event

    with server.db.read_session() as session:
        rows = session.scalars(
            select(Event).where(Event.ticket_id == ticket_id, Event.type == "ticket.called")
        ).all()
        return [dict(e.data) for e in rows]


def test_a_queue_row_is_called_after_the_confirmation_and_escape_calls_nobody(
    open_desk, server, qtbot
) -> None:
    tickets = [new_ticket(server) for _ in range(3)]
    session = open_desk("clerk3", "3")
    qtbot.waitUntil(lambda: len(queue_numbers(session)) == 3, timeout=ANSWER_MS)
    view = session.window.findChild(QTableView, "queueView")
    view.setFocus()
    view.selectRow(2)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: confirmation(session) is not None, timeout=ANSWER_MS)
    box = confirmation(session)
    assert box.text() == "A003 jetzt an Platz 3 aufrufen?"
    # Escape: nobody is called, here or on the server.
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: confirmation(session) is None, timeout=ANSWER_MS)
    session.controller.tasks.wait(ANSWER_MS)
    QApplication.processEvents()
    supervisor = server.client(server.login("supervisor"))
    assert [supervisor.get(f"/tickets/{t['id']}").json()["status"] for t in tickets] == [
        "waiting"
    ] * 3
    assert current_number(session) == "—"

    # A double click on the row, then Enter on the confirmation: A003 is called at desk 3.
    rect = view.visualRect(view.model().index(2, 0))
    # As a mouse does it: a press and release, then the double click.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: confirmation(session) is not None, timeout=ANSWER_MS)
    qtbot.keyClick(confirmation(session), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: current_number(session) == "A003", timeout=ANSWER_MS)
    shown = supervisor.get(f"/tickets/{tickets[2]['id']}").json()
    assert (shown["status"], shown["desk"]) == ("called", "3")
    assert called_events(server, tickets[2]["id"])[0]["out_of_order"] is True
    qtbot.waitUntil(lambda: queue_numbers(session) == ["A001", "A002"], timeout=ANSWER_MS)


def test_a_typed_number_is_called_after_the_confirmation(open_desk, server, qtbot) -> None:
    first, second = new_ticket(server), new_ticket(server)
    session = open_desk("clerk3", "3")
    qtbot.waitUntil(lambda: len(queue_numbers(session)) == 2, timeout=ANSWER_MS)
    field = session.window.findChild(QLineEdit, "callNumberEdit")
    qtbot.keyClick(session.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(field.hasFocus, timeout=ANSWER_MS)
    # A number that does not wait here is said so; nothing opens.
    qtbot.keyClicks(field, "b7")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert confirmation(session) is None
    notice = session.window.findChild(object, "noticeLabel")
    assert notice.text() == "b7 wartet nicht auf diesen Platz."
    field.clear()
    qtbot.keyClicks(field, "a2")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: confirmation(session) is not None, timeout=ANSWER_MS)
    assert confirmation(session).text() == "A002 jetzt an Platz 3 aufrufen?"
    qtbot.keyClick(confirmation(session), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: current_number(session) == "A002", timeout=ANSWER_MS)
    supervisor = server.client(server.login("supervisor"))
    assert supervisor.get(f"/tickets/{second['id']}").json()["status"] == "called"
    assert supervisor.get(f"/tickets/{first['id']}").json()["status"] == "waiting"


def test_f4_then_undo_brings_the_citizen_back_to_the_desk(open_desk, server, qtbot) -> None:
    first, second = new_ticket(server), new_ticket(server)
    session = open_desk("clerk1", "1")
    window = session.window
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: button(session, "noShowButton").isEnabled(), timeout=ANSWER_MS)
    # F4 asks nothing: the no-show is marked at once, and "Undo" is offered.
    qtbot.keyClick(window, Qt.Key.Key_F4)
    undo = window.findChild(QPushButton, "undoNoShowButton")
    qtbot.waitUntil(lambda: undo.isVisible() and undo.isEnabled(), timeout=ANSWER_MS)
    supervisor = server.client(server.login("supervisor"))
    assert supervisor.get(f"/tickets/{first['id']}").json()["status"] == "no_show"
    assert "A001" in window.findChild(object, "undoNoShowLabel").text()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: current_number(session) == "A001", timeout=ANSWER_MS)
    shown = supervisor.get(f"/tickets/{first['id']}").json()
    assert (shown["status"], shown["desk"]) == ("called", "1")
    assert shown["queued_at"] == first["queued_at"]
    assert not undo.isVisible()
    # The next call ends the offer: after F4 on A001 again and a call of A002, no "Undo".
    qtbot.waitUntil(lambda: button(session, "noShowButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(window, Qt.Key.Key_F4)
    qtbot.waitUntil(undo.isVisible, timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: current_number(session) == second["number"], timeout=ANSWER_MS)
    assert not undo.isVisible()


def test_undo_waits_for_the_server_and_is_never_kept_offline(open_desk, server, qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    ticket = new_ticket(server)
    session = open_desk("clerk1", "1")
    window, controller = session.window, session.controller
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: button(session, "noShowButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(window, Qt.Key.Key_F4)
    undo = window.findChild(QPushButton, "undoNoShowButton")
    qtbot.waitUntil(lambda: undo.isVisible() and undo.isEnabled(), timeout=ANSWER_MS)

    server.stop()
    qtbot.waitUntil(window.findChild(QLabel, "offlineBanner").isVisible, timeout=ANSWER_MS)
    label = window.findChild(QLabel, "undoNoShowLabel")
    assert "nicht offline vorgemerkt" in label.text()
    assert not undo.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert controller.pending_changes() == 0  # nothing waits in the outbox

    server.start()
    qtbot.waitUntil(undo.isEnabled, timeout=ANSWER_MS)
    undo.click()
    qtbot.waitUntil(lambda: current_number(session) == ticket["number"], timeout=ANSWER_MS)
    supervisor = server.client(server.login("supervisor"))
    assert supervisor.get(f"/tickets/{ticket['id']}").json()["status"] == "called"
