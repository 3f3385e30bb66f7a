"""The kiosk when a supervisor steers: a service stopped for today, or whose daily contingent is
used up, is greyed with the message in the citizen's language and issues nothing, online or
offline; a refusal the kiosk did not see coming is said plainly and nothing is printed."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from central_server.admin import site_file
from kiosk.screens.style import SERVICE_BUTTON_HEIGHT
from tests.support.sites import demo_spec
from tests.support.waits import ANSWER_MS

GERMAN_B = (
    "Heute keine Wartenummern mehr für Personalausweis und Reisepass. "
    "Bitte kommen Sie an einem anderen Tag wieder."
)
ARABIC_B = "لا مزيد من الأرقام اليوم لخدمة بطاقة الهوية وجواز السفر. يرجى الحضور في يوم آخر."


def _button(kiosk, name: str) -> QPushButton:  # type: ignore[no-untyped-def]
    # The buttons are made anew when the services change: look each time.
    return kiosk.window.findChild(QPushButton, name)


def _supervisor(server):  # type: ignore[no-untyped-def]
    return server.client(server.login("supervisor"))


def _service_id(kiosk, prefix: str) -> int:  # type: ignore[no-untyped-def]
    return next(s.id for s in kiosk.controller.services if s.prefix == prefix)


def _waiting(server) -> list[str]:  # type: ignore[no-untyped-def]
    queue = _supervisor(server).get("/sites/demo/queue").json()
    return [t["number"] for t in queue["waiting"]]


def test_a_stopped_service_is_greyed_with_the_message_in_the_citizens_language(
    open_kiosk, server, qtbot
) -> None:
    kiosk = open_kiosk()
    supervisor = _supervisor(server)
    service_b = _service_id(kiosk, "B")
    stopped = supervisor.post(f"/sites/demo/services/{service_b}/stop", json={"reason": "staff"})
    assert stopped.status_code == 200, stopped.text
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not _button(kiosk, "service-B").isEnabled(), timeout=ANSWER_MS)
    button = _button(kiosk, "service-B")
    assert button.hint.text() == GERMAN_B
    assert button.accessibleName() == f"Personalausweis und Reisepass: {GERMAN_B}"
    assert button.height() >= SERVICE_BUTTON_HEIGHT  # as large as the others, only greyed
    assert _button(kiosk, "service-A").isEnabled() and _button(kiosk, "service-C").isEnabled()
    qtbot.mouseClick(_button(kiosk, "lang-ar"), Qt.MouseButton.LeftButton)
    assert button.hint.text() == ARABIC_B
    assert button.name.text() == "بطاقة الهوية وجواز السفر"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert kiosk.window.stack.currentWidget() is kiosk.window.start_screen
    assert kiosk.printer.cuts() == 0 and _waiting(server) == []

    supervisor.post(f"/sites/demo/services/{service_b}/resume").raise_for_status()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: _button(kiosk, "service-B").isEnabled(), timeout=ANSWER_MS)
    assert _button(kiosk, "service-B").hint.text() == "تقديم الطلب أو التجديد أو الاستلام"


def test_a_stop_the_kiosk_did_not_know_of_is_said_plainly_and_nothing_printed(
    open_kiosk, server, qtbot
) -> None:
    kiosk = open_kiosk()
    service_a = next(s for s in kiosk.controller.services if s.prefix == "A")
    _supervisor(server).post(f"/sites/demo/services/{service_a.id}/stop").raise_for_status()
    kiosk.window.language.set("tr")
    qtbot.mouseClick(_button(kiosk, "service-A"), Qt.MouseButton.LeftButton)  # drawn before
    notice = kiosk.window.findChild(QLabel, "notice")
    qtbot.waitUntil(notice.isVisible, timeout=ANSWER_MS)
    assert notice.text() == "Bu işlem için bugün başka sıra numarası verilmiyor."
    assert kiosk.window.stack.currentWidget() is kiosk.window.start_screen
    assert kiosk.printer.cuts() == 0 and _waiting(server) == []
    # The kiosk looks again at once: the button greys with the whole message.
    qtbot.waitUntil(lambda: not _button(kiosk, "service-A").isEnabled(), timeout=ANSWER_MS)
    assert _button(kiosk, "service-A").hint.text() == (
        "Bugün Adres kaydı için başka sıra numarası verilmiyor. Lütfen başka bir gün tekrar gelin."
    )


def test_the_daily_contingent_used_up_greys_the_service(open_kiosk, server, qtbot) -> None:
    spec = demo_spec()
    next(s for s in spec["services"] if s["prefix"] == "C")["daily_limit"] = 1
    site_file.apply(server.db, site_file.SiteFile.model_validate(spec))
    kiosk = open_kiosk()
    qtbot.mouseClick(_button(kiosk, "service-C"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.printer.cuts() == 1, timeout=ANSWER_MS)
    kiosk.window.reset()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not _button(kiosk, "service-C").isEnabled(), timeout=ANSWER_MS)
    assert _button(kiosk, "service-C").hint.text() == (
        "Heute keine Wartenummern mehr für Aufenthaltstitel. "
        "Bitte kommen Sie an einem anderen Tag wieder."
    )
    assert _waiting(server) == ["C001"]


def test_offline_a_stopped_service_stays_greyed_and_gets_no_numbers_until_the_next_day(
    open_kiosk, server, qtbot, monkeypatch
) -> None:
    supervisor = _supervisor(server)
    service_b = supervisor.service_id("B")
    supervisor.post(f"/sites/demo/services/{service_b}/stop").raise_for_status()
    kiosk = open_kiosk()
    store, today = kiosk.issuer.store, kiosk.issuer.today()
    assert not _button(kiosk, "service-B").isEnabled()
    service_a = _service_id(kiosk, "A")
    qtbot.waitUntil(lambda: store.numbers_left(service_a, today) > 0, timeout=ANSWER_MS)
    assert store.numbers_left(service_b, today) == 0  # the server leased none for B

    server.stop()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not kiosk.controller.online, timeout=ANSWER_MS)
    assert not _button(kiosk, "service-B").isEnabled()
    assert _button(kiosk, "service-A").isEnabled()  # issued from leased numbers
    # Past midnight, still without the server: the stop was for yesterday.
    monkeypatch.setattr(kiosk.issuer, "today", lambda: today + timedelta(days=1))
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: _button(kiosk, "service-B").isEnabled(), timeout=ANSWER_MS)
    assert _button(kiosk, "service-B").hint.text() == "Beantragen, verlängern, abholen"
