"""The supervisor's window (issue 14): the live board and steering, through the real server on
both databases and real widgets offscreen, by keyboard the way a supervisor without a mouse
works. What is checked is what a supervisor or a citizen would notice: what the board shows,
what desks call and what the kiosk issues afterwards (read through the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QListWidget, QMessageBox

from counter_app.core.settings import DeskSettings
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from counter_app.supervisor import app as supervisor_app
from counter_app.supervisor.app import SupervisorSession
from counter_app.supervisor.login import SupervisorLoginDialog
from counter_app.supervisor.window import SupervisorWindow
from tests.support.api import call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer
from tests.support.waits import ANSWER_MS


@pytest.fixture
def kiosk(server: LiveServer) -> ApiClient:
    return server.client("demo-kiosk")


@pytest.fixture
def services(kiosk: ApiClient) -> dict[str, int]:
    answer = kiosk.get("/sites/demo/services")
    assert answer.status_code == 200, answer.text
    return {s["prefix"]: int(s["id"]) for s in answer.json()}


def _desk_cells(window: SupervisorWindow, code: str) -> tuple[str, ...]:
    for row in window.desk_model.rows:
        if row.code == code:
            return row.cells
    return ()


def _service_cells(window: SupervisorWindow, prefix: str) -> tuple[str, ...]:
    for row in window.service_model.rows:
        if row.prefix == prefix:
            return row.cells
    return ()


def _dialog(qtbot: Any, window: SupervisorWindow, name: str) -> Any:
    qtbot.waitUntil(
        lambda: window.dialog is not None and window.dialog.objectName() == name,
        timeout=ANSWER_MS,
    )
    assert window.dialog is not None
    return window.dialog


def _press(qtbot: Any, window: SupervisorWindow, key: Qt.Key) -> None:
    """A function key in the window (active again once a dialog has closed)."""
    window.raise_()
    window.activateWindow()
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=ANSWER_MS)
    qtbot.keyClick(window, key)


def _confirm_by_keyboard(qtbot: Any, window: SupervisorWindow) -> str:
    """The confirmation's text; then the key of its yes button (J in German) says yes; No is
    its default, so Enter would not."""
    box = _dialog(qtbot, window, "steeringConfirm")
    assert isinstance(box, QMessageBox)
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    text = box.text()
    yes = box.button(QMessageBox.StandardButton.Yes)
    qtbot.keyClick(box, yes.shortcut()[0].key())
    qtbot.waitUntil(lambda: window.dialog is not box, timeout=ANSWER_MS)
    return text


def _said(qtbot: Any, window: SupervisorWindow, part: str) -> None:
    def check() -> None:
        assert part in window.steering_message.text()

    qtbot.waitUntil(check, timeout=ANSWER_MS)


def _desk_services(client: ApiClient, code: str) -> list[int]:
    answer = client.get("/sites/demo/desks")
    assert answer.status_code == 200, answer.text
    return next(d["service_ids"] for d in answer.json() if d["code"] == code)


def test_the_board_follows_a_call_at_another_desk_live(
    open_supervisor: Any, server: LiveServer, kiosk: ApiClient, services: dict[str, int], qtbot: Any
) -> None:
    session: SupervisorSession = open_supervisor()
    window = session.window
    # It fits the smallest desk screen, with the board and with the statistics.
    for tab in (1, 0):
        window.tabs.setCurrentIndex(tab)
        needs = window.minimumSizeHint()
        assert needs.width() <= 1280 and needs.height() <= 720, (tab, needs)
    assert _desk_cells(window, "1")[1] == "geschlossen"
    ticket = new_ticket(kiosk, services["A"])
    qtbot.waitUntil(lambda: _service_cells(window, "A")[1] == "1", timeout=ANSWER_MS)

    clerk = server.client(server.login("clerk1"))
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    called = call_next(clerk, "1")
    assert called is not None and called["id"] == ticket["id"]

    # No click, no key: the live stream brings it.
    qtbot.waitUntil(
        lambda: _desk_cells(window, "1")[3] == f"{ticket['number']} (aufgerufen)",
        timeout=ANSWER_MS,
    )
    cells = _desk_cells(window, "1")
    assert cells[1] == "geöffnet"
    assert cells[2] == "Sachbearbeitung 1"
    assert cells[4] == "0 Min."
    assert cells[5] == "A, B, C"
    assert _service_cells(window, "A")[1] == "0"
    # The level reads as words and as colour.
    assert _service_cells(window, "A")[3] == "im Ziel"
    # English at the press of a button; the board stays.
    window.language_button.click()
    assert window.service_model.headerData(1, Qt.Orientation.Horizontal) == "People waiting"
    assert _service_cells(window, "A")[3] == "within target"
    assert _desk_cells(window, "1")[3] == f"{ticket['number']} (called)"


def test_each_steering_action_by_keyboard_changes_what_desks_call_and_the_kiosk_issues(
    open_supervisor: Any, server: LiveServer, kiosk: ApiClient, services: dict[str, int], qtbot: Any
) -> None:
    session: SupervisorSession = open_supervisor()
    window = session.window
    supervisor = server.client(server.login("supervisor"))

    # The services of desk 1: untick B, put C before A; all by keys.
    window.desk_board.setFocus()
    window.choose_desk("1")
    _press(qtbot, window, Qt.Key.Key_F5)
    dialog = _dialog(qtbot, window, "deskServicesDialog")
    listing = dialog.findChild(QListWidget, "deskServicesList")
    assert [listing.item(i).text()[0] for i in range(listing.count())] == ["A", "B", "C", "P"]
    listing.setFocus()
    qtbot.keyClick(listing, Qt.Key.Key_Down)  # B
    qtbot.keyClick(listing, Qt.Key.Key_Space)  # unticked
    qtbot.keyClick(listing, Qt.Key.Key_Down)  # C
    qtbot.keyClick(listing, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(listing, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # C first
    qtbot.keyClick(listing, Qt.Key.Key_Return)
    question = _confirm_by_keyboard(qtbot, window)
    assert question == "Platz 1 ruft ab seinem nächsten Aufruf C, A auf, in dieser Reihenfolge."
    _said(qtbot, window, "Platz 1 ruft jetzt C, A auf.")
    assert _desk_services(supervisor, "1") == [services["C"], services["A"]]
    qtbot.waitUntil(lambda: _desk_cells(window, "1")[5] == "C, A", timeout=ANSWER_MS)

    # Stop issuing B today, reason "not enough staff": the kiosk gets no B ticket.
    window.service_board.setFocus()
    window.choose_service("B")
    assert window.chosen_service() is not None and window.chosen_service().prefix == "B"
    assert window.buttons["stopServiceButton"].isEnabled()
    _press(qtbot, window, Qt.Key.Key_F6)
    dialog = _dialog(qtbot, window, "stopServiceDialog")
    reason = dialog.findChild(QComboBox, "stopReasonBox")
    reason.setFocus()
    qtbot.keyClick(reason, Qt.Key.Key_Down)
    qtbot.keyClick(reason, Qt.Key.Key_Down)  # the second reason: not enough staff
    assert reason.currentData() == "staff"
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    question = _confirm_by_keyboard(qtbot, window)
    assert "B · Personalausweis und Reisepass" in question
    _said(qtbot, window, "gibt heute keine Nummern mehr aus")
    refused = kiosk.post("/sites/demo/tickets", json={"service_id": services["B"]})
    assert refused.status_code == 409 and refused.json()["code"] == "service_stopped"
    qtbot.waitUntil(
        lambda: _service_cells(window, "B")[8] == "gestoppt: Zu wenig Personal",
        timeout=ANSWER_MS,
    )
    assert window.buttons["resumeServiceButton"].isEnabled()
    assert not window.buttons["stopServiceButton"].isEnabled()

    # Resume it: the kiosk issues B again.
    _press(qtbot, window, Qt.Key.Key_F7)
    question = _confirm_by_keyboard(qtbot, window)
    assert question.startswith("Nummern für B · Personalausweis und Reisepass heute wieder")
    _said(qtbot, window, "gibt wieder Nummern aus")
    assert kiosk.post("/sites/demo/tickets", json={"service_id": services["B"]}).status_code == 201
    qtbot.waitUntil(lambda: _service_cells(window, "B")[8] == "gibt aus", timeout=ANSWER_MS)

    # Move a waiting A ticket to C: desk 4 (C first) would call it; it keeps its number.
    moved = new_ticket(kiosk, services["A"])
    qtbot.waitUntil(
        lambda: any(t.id == moved["id"] for t in session.controller.waiting), timeout=ANSWER_MS
    )
    _press(qtbot, window, Qt.Key.Key_F8)
    dialog = _dialog(qtbot, window, "moveTicketDialog")
    dialog.findChild(QComboBox, "ticketBox").setCurrentIndex(
        dialog.findChild(QComboBox, "ticketBox").findData(moved["id"])
    )
    target = dialog.findChild(QComboBox, "targetServiceBox")
    target.setFocus()
    target.setCurrentIndex(target.findData(services["C"]))
    qtbot.keyClick(target, Qt.Key.Key_Return)
    question = _confirm_by_keyboard(qtbot, window)
    assert question.startswith(f"{moved['number']} zu C · Aufenthaltstitel verschieben?")
    _said(qtbot, window, f"{moved['number']} wartet jetzt auf C · Aufenthaltstitel.")
    after = supervisor.get(f"/tickets/{moved['id']}").json()
    assert (after["number"], after["service_id"]) == (moved["number"], services["C"])

    # Cancel it with a reason, typed.
    _press(qtbot, window, Qt.Key.Key_F9)
    dialog = _dialog(qtbot, window, "cancelTicketDialog")
    dialog.findChild(QComboBox, "ticketBox").setCurrentIndex(
        dialog.findChild(QComboBox, "ticketBox").findData(moved["id"])
    )
    edit = dialog.findChild(QLineEdit, "cancelReasonEdit")
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # no reason: refused in the dialog
    assert dialog.isVisible()
    assert "warum" in dialog.findChild(type(window.steering_message), "dialogProblem").text()
    qtbot.keyClicks(edit, "Doppelt gezogen")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    question = _confirm_by_keyboard(qtbot, window)
    assert question.startswith(f"{moved['number']} stornieren?")
    _said(qtbot, window, f"{moved['number']} ist storniert.")
    assert supervisor.get(f"/tickets/{moved['id']}").json()["status"] == "cancelled"


def test_a_refusal_by_the_server_is_shown_in_words_and_changes_nothing(
    open_supervisor: Any, server: LiveServer, kiosk: ApiClient, services: dict[str, int], qtbot: Any
) -> None:
    session: SupervisorSession = open_supervisor()
    window = session.window
    ticket = new_ticket(kiosk, services["A"])
    qtbot.waitUntil(lambda: bool(session.controller.waiting), timeout=ANSWER_MS)
    _press(qtbot, window, Qt.Key.Key_F9)
    dialog = _dialog(qtbot, window, "cancelTicketDialog")
    edit = dialog.findChild(QLineEdit, "cancelReasonEdit")
    qtbot.keyClicks(edit, "Falscher Dienst")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    _dialog(qtbot, window, "steeringConfirm")
    # Meanwhile a desk calls the citizen.
    clerk = server.client(server.login("clerk1"))
    clerk.post("/sites/demo/desks/1/sign-on").raise_for_status()
    assert call_next(clerk, "1")["id"] == ticket["id"]  # type: ignore[index]
    _confirm_by_keyboard(qtbot, window)
    qtbot.waitUntil(lambda: ticket["number"] in window.steering_message.text(), timeout=ANSWER_MS)
    assert "aufgerufen" in window.steering_message.text()
    assert "b3261e" in window.steering_message.styleSheet()  # red
    assert clerk.get(f"/tickets/{ticket['id']}").json()["status"] == "called"


def test_a_clerk_is_refused_at_sign_in_with_a_clear_message(server: LiveServer, qtbot: Any) -> None:
    settings = DeskSettings(server=server.url, site="demo", user="clerk1")
    dialog = SupervisorLoginDialog(settings, Language("de"), Tasks())
    qtbot.addWidget(dialog)
    refused: list[str] = []
    dialog.refused.connect(refused.append)
    opened: list[object] = []
    dialog.signed_in.connect(lambda *a: opened.append(a))
    assert not dialog.desk.isVisible()
    dialog.password.setText("demo")
    dialog.attempt()
    qtbot.waitUntil(lambda: bool(refused), timeout=ANSWER_MS)
    assert refused == [
        "clerk1 ist keine Teamleitung: Dieses Fenster ist für die Rolle Teamleitung. "
        "Sachbearbeiterinnen und Sachbearbeiter melden sich mit tresen clerk an."
    ]
    assert dialog.error.text() == refused[0]
    assert opened == []


def test_a_clerk_started_unattended_exits_with_the_reason(
    server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: Any
) -> None:
    monkeypatch.setenv("TRESEN_PASSWORD", "demo")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    code = supervisor_app.main(
        ["--server", server.url, "--site", "demo", "--user", "clerk2", "--language", "en"]
    )
    assert code == 2
    assert "clerk2 is not a supervisor" in capsys.readouterr().err
    QApplication.processEvents()


def test_a_server_that_goes_away_is_said_and_the_board_stays(
    open_supervisor: Any, server: LiveServer, qtbot: Any
) -> None:
    session: SupervisorSession = open_supervisor()
    window = session.window
    rows = len(window.desk_model.rows)
    server.stop()
    qtbot.waitUntil(window.live_banner.isVisible, timeout=ANSWER_MS)
    assert window.live_banner.text().startswith("Keine Live-Verbindung zum Server")
    session.controller.refresh()
    qtbot.waitUntil(lambda: "nicht erreichbar" in window.steering_message.text(), timeout=ANSWER_MS)
    assert window.steering_message.text() == (
        "Der Server ist nicht erreichbar: Nichts wurde geändert, und die Übersicht zeigt, was sie "
        "zuletzt gelesen hat."
    )
    assert len(window.desk_model.rows) == rows
