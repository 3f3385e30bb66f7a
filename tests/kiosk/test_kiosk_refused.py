"""A kiosk the server refuses (wrong or revoked device token) tells staff what to do and issues
nothing, not even offline; a kiosk that has never reached the server sends citizens to the
information desk. Real window, real server (or none at all)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton

from central_server.admin import commands
from tests.kiosk.conftest import Kiosk
from tests.support.live_server import free_port
from tests.support.waits import ANSWER_MS

ASK_AT_THE_DESK_DE = (
    "Zurzeit kann keine Wartenummer ausgegeben werden. Bitte wenden Sie sich an die Information."
)


def staff_message(kiosk: Kiosk) -> QLabel:
    return kiosk.window.findChild(QLabel, "kioskRefused")


def service_buttons(kiosk: Kiosk) -> list[QPushButton]:
    return [b for b in kiosk.window.start_screen.buttons if b.isVisible()]


def test_a_wrong_token_tells_staff_on_the_screen_and_issues_nothing(
    start_kiosk, server, qtbot
) -> None:
    kiosk = start_kiosk(server.url, "typed-wrong-9f3k", settings_file="/etc/tresen/kiosk.toml")
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
    kiosk = start_kiosk(server.url, "demo-kiosk", settings_file="/etc/tresen/kiosk.toml")
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
    kiosk = start_kiosk(
        f"http://127.0.0.1:{free_port()}", "demo-kiosk", settings_file="/etc/tresen/kiosk.toml"
    )
    note = kiosk.window.findChild(QLabel, "statusNote")
    qtbot.waitUntil(lambda: not kiosk.controller.online, timeout=ANSWER_MS)
    assert note.isVisible() and note.text() == ASK_AT_THE_DESK_DE
    assert not staff_message(kiosk).isVisible()
    for code, start in (("en", "No ticket can be issued"), ("ar", "لا"), ("uk", "Наразі")):
        kiosk.window.language.set(code)
        assert note.text().startswith(start), code
