"""Nothing moves under a citizen's finger: the kiosk's notes (server gone, printer out, a ticket
refused) appear without moving a single service button, standing and lying."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QLabel

from counter_app.printers.status import PrinterState


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
        lambda: kiosk.issuer.store.numbers_left(1, kiosk.issuer.today()) > 0, timeout=20000
    )
    online = button_places(kiosk)
    server.stop()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not kiosk.controller.online and note.isVisible(), timeout=20000)
    assert note.text() == "Wartenummern werden zurzeit ohne Verbindung ausgegeben."
    assert button_places(kiosk) == online
    server.start()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: kiosk.controller.online and not note.isVisible(), timeout=20000)
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
    printer.state = PrinterState.paper_out
    kiosk.controller.check_printer()
    qtbot.waitUntil(note.isVisible, timeout=20000)
    assert button_places(kiosk) == before
    # The longest refusal, in the language where it is longest, shows in the same band.
    kiosk.window.language.set("uk")
    kiosk.window.start_screen.show_notice(
        "No ticket can be issued at the moment. Please ask at the information desk."
    )
    assert notice.isVisible() and notice.text().startswith("Наразі")
    assert button_places(kiosk) == before
    assert notice.height() >= notice.heightForWidth(notice.width())  # nothing cut off
    printer.state = PrinterState.ready
    kiosk.window.start_screen.clear_notice()
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=20000)
    assert button_places(kiosk) == before
