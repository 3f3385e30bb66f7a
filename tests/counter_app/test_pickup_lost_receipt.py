"""The quick-pickup desk for a citizen without the receipt, on the real window against a real
server: F7 finds the pickup by name or case reference, F8 hands it over after the ID check
stating why, F10 prints a new receipt on the desk's printer (a test printer on a real socket:
its QR code is the new token, and the old receipt is void). And a called P ticket names its
document and slot before the scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QListWidget

from counter_app.clerk.app import receipt_printer
from counter_app.pickup.app import PickupSession
from counter_app.pickup.dialogs import MissingReceiptDialog
from tests.central_server.test_pickups import all_events_text, pickup_events
from tests.counter_app.test_clerk_receipt import qr_codes
from tests.counter_app.test_pickup_window import (
    button,
    call_next,
    check_in,
    focused,
    label,
    make_ready,
    on_server,
    open_pickup_desk,
    order,
    ready_and_checked_in,
    scan,
    scan_input,
    shown,
)
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.waits import ANSWER_MS

__all__ = ["open_pickup_desk"]  # the fixture

#: Where the README's picture of the search is saved, when asked for.
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def search_field(session: PickupSession) -> QLineEdit:
    found = session.window.findChild(QLineEdit, "pickupSearchField")
    assert found is not None
    return found


def results(session: PickupSession) -> QListWidget:
    found = session.window.findChild(QListWidget, "pickupSearchResults")
    assert found is not None
    return found


def search(qtbot, session: PickupSession, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    """F7, type, Enter, as staff do; the result lines once the server has answered."""
    focused(qtbot, session)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search_field(session), timeout=ANSWER_MS)
    qtbot.keyClicks(search_field(session), text)
    qtbot.keyClick(search_field(session), Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: (
            not session.controller.search.busy and session.controller.search.results is not None
        ),
        timeout=ANSWER_MS,
    )
    return [results(session).item(i).text() for i in range(results(session).count())]


@pytest.fixture
def answer_missing_receipt(qtbot) -> Iterator[Callable[..., None]]:  # type: ignore[no-untyped-def]
    """``answer(key, reason=None, language=None, seen=None)``: once the dialog is open, choose
    the reason (and the receipt's language), note its question in ``seen``, press ``key``."""
    timers: list[QTimer] = []

    def answer(
        key: Qt.Key,
        reason: str | None = None,
        language: str | None = None,
        seen: list[str] | None = None,
    ) -> None:
        timer = QTimer()
        timer.setInterval(50)

        def look() -> None:
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, MissingReceiptDialog):
                return
            timer.stop()
            for name, value in (("missingReceiptReason", reason), ("receiptLanguage", language)):
                if value is not None:
                    box = dialog.findChild(QComboBox, name)
                    box.setCurrentIndex(box.findData(value))
            if seen is not None:
                seen.append(dialog.findChild(QLabel, "missingReceiptQuestion").text())
            qtbot.keyClick(dialog, key)

        timer.timeout.connect(look)
        timer.start()
        timers.append(timer)

    yield answer
    for timer in timers:
        timer.stop()


def test_found_by_name_and_handed_over_without_receipt(
    open_pickup_desk, answer_missing_receipt, server, qtbot
) -> None:
    pickup = order(server, "Amina Haddad")
    make_ready(server, pickup, "B-17")
    order(server, "Jonas Weber")
    session = open_pickup_desk()
    assert search(qtbot, session, "hadd") == [
        "Amina Haddad · ABH-2026-0815\n"
        "Aufenthaltstitel · eAT · Fach B-17 · Abholbereit: nach Ausweisprüfung aushändigen"
    ]
    assert shown(session, "pickupSearchStatus") == "Gefunden: 1. Mit den Pfeiltasten auswählen."
    assert QApplication.focusWidget() is results(session)  # the arrow keys choose
    assert button(session, "handOverWithoutReceiptButton").isEnabled()
    # The log says that pickup1 searched, never what.
    searched = [e for e in pickup_events(server) if e.type == "pickup.searched"]
    assert [(e.actor, e.data) for e in searched] == [("pickup1", {"found": 1, "more": False})]
    assert "hadd" not in all_events_text(server).lower()

    asked: list[str] = []
    answer_missing_receipt(Qt.Key.Key_Return, reason="stolen", seen=asked)
    qtbot.keyClick(results(session), Qt.Key.Key_F8)
    assert asked == ["Haben Sie den Ausweis von Amina Haddad geprüft?"]
    qtbot.waitUntil(
        lambda: shown(session, "pickupSearchStatus").startswith("Ohne Abholschein ausgehändigt"),
        timeout=ANSWER_MS,
    )
    assert on_server(server, f"/pickups/{pickup['id']}")["status"] == "handed_over"
    handed = [e for e in pickup_events(server) if e.type == "pickup.handed_over"][-1]
    assert (handed.data["without_receipt"], handed.data["reason"]) == (True, "stolen")
    assert results(session).item(0).text().endswith("Bereits ausgehändigt")
    assert not button(session, "handOverWithoutReceiptButton").isEnabled()
    # Esc closes the search: the next citizen sees nothing of it, the scan field has the keys.
    qtbot.keyClick(results(session), Qt.Key.Key_Escape)
    focused(qtbot, session)
    assert not results(session).isVisible() and results(session).count() == 0
    assert label(session, "pickupHint").isVisible()


def test_escape_in_the_dialog_hands_nothing_over(
    open_pickup_desk, answer_missing_receipt, server, qtbot
) -> None:
    pickup = order(server, "Amina Haddad")
    make_ready(server, pickup)
    session = open_pickup_desk()
    search(qtbot, session, "ABH-2026")
    answer_missing_receipt(Qt.Key.Key_Escape)
    qtbot.keyClick(results(session), Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=ANSWER_MS)
    assert on_server(server, f"/pickups/{pickup['id']}")["status"] == "ready"
    assert button(session, "handOverWithoutReceiptButton").isEnabled()


def test_a_new_receipt_is_printed_and_the_old_one_is_void(
    open_pickup_desk, answer_missing_receipt, server, qtbot, tmp_path: Path
) -> None:
    pickup = order(server, "Olena Kovalenko")
    old = pickup["token"]
    with FakeEscposPrinter() as printer:
        session = open_pickup_desk(printer=receipt_printer(printer.uri, 576))
        session.window.resize(1280, 720)
        lines = search(qtbot, session, "kovalenko")
        assert lines[0].endswith("Bestellt, noch nicht eingetroffen")
        # Not arrived: nothing to hand over, but a new receipt can be made.
        assert not button(session, "handOverWithoutReceiptButton").isEnabled()
        assert button(session, "reissueReceiptButton").isEnabled()
        picture = tmp_path / "pickup-lost-receipt.png"
        assert session.window.grab().save(str(picture))
        assert QImage(str(picture)).size().toTuple() == (1280, 720)

        answer_missing_receipt(Qt.Key.Key_Return, reason="lost", language="uk")
        qtbot.keyClick(results(session), Qt.Key.Key_F10)
        qtbot.waitUntil(lambda: printer.cuts() == 1, timeout=ANSWER_MS)
        qtbot.waitUntil(
            lambda: (
                label(session, "noticeLabel").text()
                == "Der neue Abholschein ist gedruckt. Bitte der Bürgerin oder dem Bürger geben."
            ),
            timeout=ANSWER_MS,
        )
        [new] = qr_codes(printer.printed())
        assert new != old
        assert session.receipts.last is not None
        assert session.receipts.last.receipt.language == "uk"
        assert session.receipts.last.receipt.ready_page == f"{server.url}/p"
        session.stop()
    staff = server.client(server.login("pickup1"))
    assert staff.post("/pickups/lookup", json={"token": new}).json()["id"] == pickup["id"]
    replaced = staff.post("/pickups/lookup", json={"token": old})
    assert (replaced.status_code, replaced.json()["code"]) == (409, "pickup_receipt_replaced")


def test_the_old_receipt_scanned_at_the_desk_says_it_was_replaced(
    open_pickup_desk, server, qtbot
) -> None:
    pickup = order(server, "Amina Haddad")
    make_ready(server, pickup)
    supervisor = server.client(server.login("supervisor"))
    answer = supervisor.post(
        f"/pickups/{pickup['id']}/reissue", json={"id_checked": True, "reason": "lost"}
    )
    assert answer.status_code == 200
    session = open_pickup_desk()
    scan(qtbot, session, pickup["token"])
    assert shown(session, "pickupStateLabel") == "Abholschein ersetzt"
    assert "durch einen neuen ersetzt" in shown(session, "pickupNoteLabel")
    assert not button(session, "handOverButton").isVisible()


def test_a_called_p_ticket_names_its_document_and_slot_before_the_scan(
    open_pickup_desk, server, qtbot, tmp_path: Path
) -> None:
    pickup, ticket = ready_and_checked_in(server, "Amina Haddad", "C-04")
    session = open_pickup_desk()
    session.window.resize(1280, 720)
    assert not label(session, "calledPickupLabel").isVisible()
    call_next(qtbot, session, ticket["number"])
    qtbot.waitUntil(lambda: label(session, "calledPickupLabel").isVisible(), timeout=ANSWER_MS)
    assert label(session, "calledPickupLabel").text() == (
        "Aufenthaltstitel · eAT\nRegalfach C-04\nZur Bestätigung den Abholschein scannen."
    )
    # The name stays off until the receipt is scanned; the scan confirms.
    assert "Amina" not in label(session, "calledPickupLabel").text()
    assert not button(session, "handOverButton").isVisible()
    assert session.window.grab().save(str(tmp_path / "called.png"))
    scan(qtbot, session, pickup["token"])
    assert shown(session, "pickupSlotLabel") == "C-04"
    assert button(session, "handOverButton").isEnabled()


def test_a_ticket_without_a_pickup_shows_none(open_pickup_desk, server, qtbot) -> None:
    other = order(server, "Jonas Weber")
    make_ready(server, other)
    ticket = check_in(server, other)
    session = open_pickup_desk()
    call_next(qtbot, session, ticket["number"])
    qtbot.waitUntil(lambda: label(session, "calledPickupLabel").isVisible(), timeout=ANSWER_MS)
    # Finished: the next ticket (none waiting) shows no pickup.
    session.controller.act("no_show")
    qtbot.waitUntil(lambda: label(session, "currentTicketLabel").text() == "—", timeout=ANSWER_MS)
    assert not label(session, "calledPickupLabel").isVisible()
