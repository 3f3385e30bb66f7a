"""A kiosk the server refuses (wrong or revoked device token) tells staff what to do and issues
nothing, not even offline; a kiosk that has never reached the server sends citizens to the
information desk. Real window, real server (or none at all)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from central_server.admin import commands
from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.printers.uri import open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt.tasks import Tasks
from kiosk.controller import KioskController
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import TicketIssuer
from kiosk.store import KioskStore
from kiosk.window import KioskWindow
from tests.kiosk.conftest import Kiosk
from tests.support.live_server import free_port
from tests.support.waits import ANSWER_MS

ASK_AT_THE_DESK_DE = (
    "Zurzeit kann keine Wartenummer ausgegeben werden. Bitte wenden Sie sich an die Information."
)


@pytest.fixture
def start_kiosk(printer, qtbot, tmp_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """``start_kiosk(url, token)``: a real kiosk window, not waiting for its services."""
    opened: list[Kiosk] = []

    def opener(url: str, token: str) -> Kiosk:
        issuer = TicketIssuer(
            TresenClient(url, token, timeout=(2.0, 10.0)),
            KioskStore(tmp_path / "kiosk.sqlite3"),
            Outbox(tmp_path / "outbox-kiosk.sqlite3"),
            "demo",
            lease_size=10,
        )
        worker = PrintWorker(lambda: open_printer(printer.uri, 576, timeout=2.0))
        worker.start()
        tasks = Tasks()
        controller = KioskController(issuer, worker, tasks, 576)
        window = KioskWindow(
            controller, CitizenLanguage("de"), settings_file="/etc/tresen/kiosk.toml"
        )
        qtbot.addWidget(window)
        window.resize(1080, 1920)
        window.show()
        controller.start()
        kiosk = Kiosk(window, controller, issuer, worker, printer, tasks)
        opened.append(kiosk)
        return kiosk

    yield opener
    for kiosk in opened:
        kiosk.controller.stop()
        kiosk.worker.stop()
        kiosk.tasks.wait(ANSWER_MS)
        kiosk.issuer.outbox.close()
        kiosk.issuer.store.close()


def staff_message(kiosk: Kiosk) -> QLabel:
    return kiosk.window.findChild(QLabel, "kioskRefused")


def service_buttons(kiosk: Kiosk) -> list[QPushButton]:
    return [b for b in kiosk.window.start_screen.buttons if b.isVisible()]


def test_a_wrong_token_tells_staff_on_the_screen_and_issues_nothing(
    start_kiosk, server, qtbot
) -> None:
    kiosk = start_kiosk(server.url, "typed-wrong-9f3k")
    message = staff_message(kiosk)
    qtbot.waitUntil(message.isVisible, timeout=ANSWER_MS)
    text = message.text()
    assert "hat das Gerätetoken dieses Kiosks abgelehnt" in text
    assert "tresen admin issue-device-token demo NAME --kind kiosk" in text
    assert "/etc/tresen/kiosk.toml" in text
    assert "typed-wrong-9f3k" not in text
    assert service_buttons(kiosk) == []
    note = kiosk.window.findChild(QLabel, "statusNote")
    assert note.isVisible() and note.text() == ASK_AT_THE_DESK_DE
    kiosk.window.language.set("tr")  # the citizen's line follows the language, staff's stays
    assert note.text() == "Şu anda sıra numarası verilemiyor. Lütfen danışma masasına başvurun."
    assert message.text() == text
    assert kiosk.controller.online  # refused is not offline
    assert kiosk.issuer.pending_uploads() == 0


def test_a_token_revoked_while_running_stops_the_kiosk_even_when_the_server_goes(
    start_kiosk, server, qtbot, monkeypatch
) -> None:
    monkeypatch.setattr("kiosk.controller.REFRESH_MS", 500)  # the kiosk's poll, shortened
    kiosk = start_kiosk(server.url, "demo-kiosk")
    today = kiosk.issuer.today()
    qtbot.waitUntil(lambda: len(service_buttons(kiosk)) == 4, timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: kiosk.issuer.store.numbers_left(1, today) > 0, timeout=ANSWER_MS)
    service_a = next(s for s in kiosk.controller.services if s.prefix == "A")
    commands.revoke_device_token(server.db, "demo", "lobby-kiosk")
    message = staff_message(kiosk)
    qtbot.waitUntil(message.isVisible, timeout=ANSWER_MS)
    assert "abgelehnt" in message.text()
    assert service_buttons(kiosk) == []
    # The server gone now: a revoked kiosk still issues no ticket from its leased numbers.
    server.stop()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not kiosk.controller.online, timeout=ANSWER_MS)
    assert message.isVisible()
    assert kiosk.issuer.store.numbers_left(service_a.id, today) == 0
    assert not kiosk.controller.take_ticket(service_a, "de")
    assert kiosk.printer.cuts() == 0
    assert kiosk.issuer.pending_uploads() == 0


def test_a_first_start_without_server_or_numbers_sends_citizens_to_the_information_desk(
    start_kiosk, qtbot
) -> None:
    kiosk = start_kiosk(f"http://127.0.0.1:{free_port()}", "demo-kiosk")
    note = kiosk.window.findChild(QLabel, "statusNote")
    qtbot.waitUntil(lambda: not kiosk.controller.online, timeout=ANSWER_MS)
    assert note.isVisible() and note.text() == ASK_AT_THE_DESK_DE
    assert not staff_message(kiosk).isVisible()
    for code, start in (("en", "No ticket can be issued"), ("ar", "لا"), ("uk", "Наразі")):
        kiosk.window.language.set(code)
        assert note.text().startswith(start), code
