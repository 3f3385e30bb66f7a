"""Nothing moves under a citizen's finger: the kiosk's notes (server gone, printer out, a ticket
refused) appear without moving a single service button, standing and lying."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from counter_app.core.errors import NotFound
from counter_app.printers.status import PrinterState
from kiosk.screens.pickup import NEEDS_SERVER, answer_for
from tests.support.waits import ANSWER_MS


def button_places(kiosk) -> dict[str, QRect]:  # type: ignore[no-untyped-def]
    """Where each service button is on the screen, once the layout has done its work."""
    QApplication.sendPostedEvents()  # the layout request a shown or hidden note posts
    QApplication.processEvents()
    places = {}
    for button in kiosk.window.start_screen.buttons:
        assert button.isVisible()
        places[button.objectName()] = QRect(button.mapTo(kiosk.window, QPoint(0, 0)), button.size())
    assert len(places) == 4
    return places


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["standing", "lying"])
def test_the_offline_note_moves_no_button_when_the_server_goes_and_comes_back(
    open_kiosk, server, qtbot, size
) -> None:
    kiosk = open_kiosk(size=size)
    note = kiosk.window.findChild(QLabel, "statusNote")
    qtbot.waitUntil(
        lambda: kiosk.issuer.store.numbers_left(1, kiosk.issuer.today()) > 0, timeout=ANSWER_MS
    )
    online = button_places(kiosk)
    server.stop()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not kiosk.controller.online and note.isVisible(), timeout=ANSWER_MS)
    assert note.text() == "Wartenummern werden zurzeit ohne Verbindung ausgegeben."
    assert button_places(kiosk) == online
    server.start()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: kiosk.controller.online and not note.isVisible(), timeout=ANSWER_MS)
    assert button_places(kiosk) == online


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["standing", "lying"])
def test_the_printer_note_and_a_refusal_move_no_button(
    open_kiosk, printer, qtbot, size, monkeypatch
) -> None:
    monkeypatch.setattr("kiosk.controller.RETRY_MS", 200)
    kiosk = open_kiosk(size=size)
    before = button_places(kiosk)
    note = kiosk.window.findChild(QLabel, "statusNote")
    notice = kiosk.window.findChild(QLabel, "notice")
    printer.state = PrinterState.PAPER_OUT
    kiosk.controller.check_printer()
    qtbot.waitUntil(note.isVisible, timeout=ANSWER_MS)
    assert button_places(kiosk) == before
    # The longest refusal, in the language where it is longest, shows in the same band.
    kiosk.window.language.set("uk")
    kiosk.window.start_screen.show_notice(
        "No ticket can be issued at the moment. Please ask at the information desk."
    )
    assert notice.isVisible() and notice.text().startswith("Наразі")
    assert button_places(kiosk) == before
    assert notice.height() >= notice.heightForWidth(notice.width())  # nothing cut off
    printer.state = PrinterState.READY
    kiosk.window.start_screen.clear_notice()
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=ANSWER_MS)
    assert button_places(kiosk) == before


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["standing", "lying"])
def test_the_pickup_answer_moves_no_key(open_kiosk, qtbot, size) -> None:
    kiosk = open_kiosk(size=size)
    tap = kiosk.window.findChild(QPushButton, "pickupButton")
    qtbot.mouseClick(tap, Qt.MouseButton.LeftButton)
    screen = kiosk.window.pickup
    keys = [b for b in screen.findChildren(QPushButton) if b.objectName().startswith("key-")]
    keys += [screen.back_button, screen.check_in_button]

    def places() -> dict[str, QRect]:
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        return {k.objectName(): QRect(k.mapTo(kiosk.window, QPoint(0, 0)), k.size()) for k in keys}

    for code in ("de", "ru", "uk", "tr", "ar", "en"):  # a long answer in every language
        kiosk.window.language.set(code)
        screen.open_for(screen.service)  # no answer yet
        before = places()
        screen.show_answer(answer_for(NotFound("x", "x"), kiosk.window.language))
        screen.show_answer(screen.answer.text() + " " + kiosk.window.language(NEEDS_SERVER))
        assert screen.answer.isVisible()
        assert places() == before, code


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["standing", "lying"])
def test_a_printer_fault_on_the_confirmation_does_not_move_done(
    open_kiosk, printer, qtbot, size
) -> None:
    kiosk = open_kiosk(size=size)
    printer.state = PrinterState.PAPER_OUT
    qtbot.mouseClick(kiosk.window.findChild(QPushButton, "service-A"), Qt.MouseButton.LeftButton)
    reprint = kiosk.window.findChild(QPushButton, "reprintButton")
    qtbot.waitUntil(reprint.isVisible, timeout=ANSWER_MS)  # the fault is known: "Print again"
    fault = kiosk.controller.last
    done = kiosk.window.findChild(QPushButton, "doneButton")

    def place() -> QRect:
        QApplication.sendPostedEvents()
        QApplication.processEvents()
        return QRect(done.mapTo(kiosk.window, QPoint(0, 0)), done.size())

    # The screen as it was a moment before, while the ticket was printing, then the fault.
    kiosk.window.confirmation.show_outcome(replace(fault, printing=True))
    assert not reprint.isVisible()
    while_printing = place()
    kiosk.window.confirmation.show_outcome(fault)
    assert reprint.isVisible()
    assert place() == while_printing
