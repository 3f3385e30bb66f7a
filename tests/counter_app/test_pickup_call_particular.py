"""The quick-pickup desk calls a particular P ticket by its number (Ctrl+N, after a
confirmation) and takes a no-show back with "Undo" (Ctrl+Z), as the clerk's desk does; the scan
field has the keyboard again afterwards, so a keyboard-wedge scanner keeps working. The real
window against a real server."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QPushButton

from tests.counter_app.test_pickup_window import (
    button,
    call_next,
    focused,
    label,
    open_pickup_desk,  # noqa: F401  (the fixture)
    ready_and_checked_in,
    scan,
    scan_input,
    shown,
)
from tests.support.waits import ANSWER_MS


def confirmation(session) -> QMessageBox | None:  # type: ignore[no-untyped-def]
    box = session.window.findChild(QMessageBox, "callConfirmDialog")
    return box if box is not None and box.isVisible() else None


def number_field(session) -> QLineEdit:  # type: ignore[no-untyped-def]
    found = session.window.findChild(QLineEdit, "callNumberEdit")
    assert found is not None
    return found


def on_server(server, ticket: dict) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    shown = server.client(server.login("supervisor")).get(f"/tickets/{ticket['id']}").json()
    return shown["status"], shown["desk"]


def call_number(qtbot, session, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+N where the keyboard is (the scan field), the number, Enter."""
    field = number_field(session)
    focused(qtbot, session)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: field.isVisible() and field.hasFocus(), timeout=ANSWER_MS)
    field.clear()
    qtbot.keyClicks(field, typed)
    qtbot.keyClick(field, Qt.Key.Key_Return)


@pytest.fixture
def two_waiting(open_pickup_desk, server, qtbot):  # type: ignore[no-untyped-def]  # noqa: F811
    """pickup1 at desk 6, and two P tickets waiting for it: (session, first, second); the
    second carries its receipt's token too."""
    session = open_pickup_desk()
    _, first = ready_and_checked_in(server, "Amina Haddad", "B-17")
    second_pickup, second = ready_and_checked_in(server, "Jonas Weber", "C-03")
    qtbot.waitUntil(lambda: len(session.controller.waiting) == 2, timeout=ANSWER_MS)
    return session, first, {**second, "token": second_pickup["token"]}


def test_ctrl_n_calls_the_typed_p_number_after_the_confirmation(two_waiting, server, qtbot) -> None:
    session, first, second = two_waiting
    field = number_field(session)
    assert not field.isVisible()  # no room taken, no focus taken, until it is asked for
    call_number(qtbot, session, second["number"].lower())
    qtbot.waitUntil(lambda: confirmation(session) is not None, timeout=ANSWER_MS)
    assert confirmation(session).text() == f"{second['number']} jetzt an Schnellschalter aufrufen?"
    qtbot.keyClick(confirmation(session), Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: label(session, "currentTicketLabel").text() == second["number"], timeout=ANSWER_MS
    )
    assert on_server(server, second) == ("called", "6")
    assert on_server(server, first) == ("waiting", None)
    # The keyboard is the scanner's again: the called citizen's receipt is read at once.
    assert not field.isVisible()
    scan(qtbot, session, second["token"])
    assert shown(session, "pickupHolderLabel") == "Jonas Weber"


def test_escape_in_the_confirmation_calls_nobody_and_gives_the_scan_field_back(
    two_waiting, server, qtbot
) -> None:
    session, first, second = two_waiting
    call_number(qtbot, session, second["number"])
    qtbot.waitUntil(lambda: confirmation(session) is not None, timeout=ANSWER_MS)
    qtbot.keyClick(confirmation(session), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: confirmation(session) is None, timeout=ANSWER_MS)
    focused(qtbot, session)
    session.controller.tasks.wait(ANSWER_MS)
    QApplication.processEvents()
    assert on_server(server, second) == ("waiting", None)
    assert on_server(server, first) == ("waiting", None)
    assert label(session, "currentTicketLabel").text() == "—"
    assert not number_field(session).isVisible()

    # A number that does not wait here is said so, nothing opens, and Esc in the field
    # closes it: both times the scan field has the keyboard again.
    call_number(qtbot, session, "A1")
    assert confirmation(session) is None
    assert label(session, "noticeLabel").text() == "A1 wartet nicht auf diesen Platz."
    focused(qtbot, session)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    field = number_field(session)
    qtbot.waitUntil(field.hasFocus, timeout=ANSWER_MS)
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    focused(qtbot, session)
    assert not field.isVisible()
    assert confirmation(session) is None


def test_f4_then_ctrl_z_brings_the_p_ticket_back_to_the_desk(two_waiting, server, qtbot) -> None:
    session, first, _second = two_waiting
    call_next(qtbot, session, first["number"])
    qtbot.waitUntil(lambda: button(session, "noShowButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F4)
    undo = session.window.findChild(QPushButton, "undoNoShowButton")
    qtbot.waitUntil(lambda: undo.isVisible() and undo.isEnabled(), timeout=ANSWER_MS)
    assert on_server(server, first)[0] == "no_show"
    assert first["number"] in shown(session, "undoNoShowLabel")
    assert undo.text() == "Rückgängig (Strg+Z)"
    assert undo.focusPolicy() == Qt.FocusPolicy.NoFocus
    # Ctrl+Z where the keyboard is, in the scan field: the no-show is taken back.
    focused(qtbot, session)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: label(session, "currentTicketLabel").text() == first["number"], timeout=ANSWER_MS
    )
    assert on_server(server, first) == ("called", "6")
    qtbot.waitUntil(lambda: not undo.isVisible(), timeout=ANSWER_MS)
    focused(qtbot, session)
