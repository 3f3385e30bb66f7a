"""The back office marks arrived documents ready, by keyboard: find, Enter, shelf slot, Enter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableWidget

from counter_app.clerk.arrivals import ArrivalsDialog
from tests.support.waits import ANSWER_MS


def order(server, holder: str, reference: str) -> dict:  # type: ignore[no-untyped-def]
    clerk = server.client(server.login("clerk2"))
    answer = clerk.post(
        "/sites/demo/pickups",
        json={"document_kind": "passport", "holder_name": holder, "case_reference": reference},
    )
    assert answer.status_code == 201
    return answer.json()


def test_documents_arrived_are_marked_ready_with_their_slot_by_keyboard(
    open_desk, server, qtbot
) -> None:
    first = order(server, "Olena Kovalenko", "32-AT-2026-0815")
    order(server, "Mehmet Demir", "32-AT-2026-0999")
    session = open_desk("clerk1", "5")
    qtbot.keyClick(session.window, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: session.window.findChild(ArrivalsDialog) is not None, timeout=ANSWER_MS)
    dialog = session.window.findChild(ArrivalsDialog)
    table = dialog.findChild(QTableWidget, "arrivalsTable")
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=ANSWER_MS)
    search = dialog.findChild(QLineEdit, "arrivalsSearch")
    qtbot.keyClicks(search, "0815")
    assert table.rowCount() == 1 and table.item(0, 2).text() == "Olena Kovalenko"
    qtbot.keyClick(search, Qt.Key.Key_Return)
    slot = dialog.findChild(QLineEdit, "arrivalsSlot")
    assert QApplication.focusWidget() is slot or slot.hasFocus()
    qtbot.keyClicks(slot, "B-17")
    qtbot.keyClick(slot, Qt.Key.Key_Return)
    message = dialog.findChild(QLabel, "arrivalsMessage")
    qtbot.waitUntil(lambda: "B-17" in message.text(), timeout=ANSWER_MS)
    assert message.text() == "32-AT-2026-0815 liegt bereit im Fach B-17."
    supervisor = server.client(server.login("supervisor"))
    marked = supervisor.get(f"/pickups/{first['id']}").json()
    assert (marked["status"], marked["slot"]) == ("ready", "B-17")
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=ANSWER_MS)
    assert table.item(0, 2).text() == "Mehmet Demir"


def test_marking_ready_without_a_slot_says_so_and_changes_nothing(open_desk, server, qtbot) -> None:
    pickup = order(server, "Olena Kovalenko", "32-AT-2026-0815")
    session = open_desk("clerk1", "5")
    session.window.arrivals_button.click()
    dialog = session.window.findChild(ArrivalsDialog)
    table = dialog.findChild(QTableWidget, "arrivalsTable")
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=ANSWER_MS)
    dialog.mark_ready()
    assert dialog.findChild(QLabel, "arrivalsMessage").text() == "Bitte zuerst das Fach angeben."
    supervisor = server.client(server.login("supervisor"))
    assert supervisor.get(f"/pickups/{pickup['id']}").json()["status"] == "ordered"
