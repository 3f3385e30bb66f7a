"""The kiosk as a citizen uses it: real widgets, the real server, a printer on a real socket."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from sqlalchemy import update

from central_server.models import Service
from counter_app.printers.status import PrinterState
from resources.i18n import CITIZEN_LANGUAGES
from tests.support.raster import images_from_escpos
from tests.support.waits import ANSWER_MS


def tap(kiosk, name: str, qtbot) -> None:  # type: ignore[no-untyped-def]
    button = kiosk.window.findChild(QPushButton, name)
    assert button is not None, name
    assert button.isVisible() and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def confirmation(kiosk) -> QWidget:  # type: ignore[no-untyped-def]
    return kiosk.window.findChild(QWidget, "ticketConfirmation")


def text_of(kiosk, name: str) -> str:  # type: ignore[no-untyped-def]
    return kiosk.window.findChild(QLabel, name).text()


def printed_qr_links(data: bytes) -> list[str]:
    links = []
    for image in images_from_escpos(data):
        links += [code.text for code in zxingcpp.read_barcodes(image.convert("L"))]
    return links


def wait_printed(kiosk, qtbot, tickets: int = 1) -> bytes:  # type: ignore[no-untyped-def]
    """Until the printer has cut ``tickets`` tickets and the kiosk has heard back from its print
    worker (which reads the printer's status after the last byte)."""
    qtbot.waitUntil(lambda: kiosk.printer.cuts() >= tickets, timeout=ANSWER_MS)
    qtbot.waitUntil(
        lambda: kiosk.controller.last is not None and not kiosk.controller.last.printing,
        timeout=ANSWER_MS,
    )
    return kiosk.printer.printed()


def server_queue(server) -> dict:  # type: ignore[no-untyped-def]
    supervisor = server.client(server.login("supervisor"))
    return supervisor.get("/sites/demo/queue").json()


def test_the_start_screen_offers_every_service_and_six_languages(open_kiosk) -> None:
    kiosk = open_kiosk()
    for name in ("service-A", "service-B", "service-C", "pickupButton"):
        button = kiosk.window.findChild(QPushButton, name)
        assert button is not None and button.isEnabled(), name
        assert button.height() >= 60  # 15 mm on a lobby screen
    # P tickets come from checking a receipt in, never from a plain tap.
    assert kiosk.window.findChild(QPushButton, "service-P") is None
    for code in CITIZEN_LANGUAGES:
        assert kiosk.window.findChild(QPushButton, f"lang-{code}").height() >= 60
    assert text_of(kiosk, "prompt") == "Bitte wählen Sie Ihr Anliegen"


def test_tapping_a_service_prints_a_ticket_whose_qr_opens_its_status_page(
    open_kiosk, server, qtbot
) -> None:
    kiosk = open_kiosk()
    tap(kiosk, "service-A", qtbot)
    qtbot.waitUntil(lambda: confirmation(kiosk).isVisible(), timeout=ANSWER_MS)
    data = wait_printed(kiosk, qtbot)
    waiting = server_queue(server)["waiting"]
    assert [t["number"] for t in waiting] == ["A001"]
    assert text_of(kiosk, "confirmedNumber") == "A001"
    links = printed_qr_links(data)
    assert len(links) == 1
    assert links[0].startswith(f"{server.url}/t/")
    token = links[0].rsplit("/", 1)[1]
    assert kiosk.controller.last is not None
    assert kiosk.controller.last.ticket.status_token == token
    qtbot.waitUntil(lambda: "Bitte nehmen Sie" in text_of(kiosk, "printStatus"), timeout=ANSWER_MS)


def test_arabic_lays_the_kiosk_out_right_to_left_and_tickets_carry_the_language(
    open_kiosk, server, qtbot
) -> None:
    kiosk = open_kiosk()
    tap(kiosk, "lang-ar", qtbot)
    assert kiosk.window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    name = kiosk.window.findChild(QPushButton, "service-C").name.text()
    assert name == "تصريح الإقامة"
    tap(kiosk, "service-C", qtbot)
    wait_printed(kiosk, qtbot)
    assert server_queue(server)["waiting"][0]["language"] == "ar"
    tap(kiosk, "doneButton", qtbot)
    tap(kiosk, "lang-de", qtbot)
    assert kiosk.window.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_after_idle_seconds_the_kiosk_returns_to_german_and_the_start(open_kiosk, qtbot) -> None:
    kiosk = open_kiosk(idle_seconds=1)
    tap(kiosk, "lang-tr", qtbot)
    tap(kiosk, "service-B", qtbot)
    qtbot.waitUntil(lambda: confirmation(kiosk).isVisible(), timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: not confirmation(kiosk).isVisible(), timeout=ANSWER_MS)
    assert kiosk.window.language.code == "de"
    assert kiosk.window.findChild(QPushButton, "lang-de").isChecked()


def test_a_double_tap_gives_one_ticket(open_kiosk, server, qtbot) -> None:
    kiosk = open_kiosk()
    taps: list[bool] = []  # what the controller answered to each tap that reached it
    take_ticket = kiosk.controller.take_ticket

    def counted(*args: object) -> bool:
        taps.append(take_ticket(*args))
        return taps[-1]

    kiosk.controller.take_ticket = counted
    button = kiosk.window.findChild(QPushButton, "service-A")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_printed(kiosk, qtbot)
    # The second tap was refused (or never reached a button), and nothing is still being issued.
    assert taps.count(True) == 1, taps
    qtbot.waitUntil(lambda: not kiosk.controller.busy, timeout=ANSWER_MS)
    assert [t["number"] for t in server_queue(server)["waiting"]] == ["A001"]
    assert kiosk.printer.cuts() == 1


def test_out_of_paper_keeps_the_ticket_tells_staff_and_reprints(open_kiosk, server, qtbot) -> None:
    kiosk = open_kiosk()
    kiosk.printer.state = PrinterState.PAPER_OUT
    tap(kiosk, "service-A", qtbot)
    qtbot.waitUntil(lambda: "kein Papier" in text_of(kiosk, "printStatus"), timeout=ANSWER_MS)
    assert "A001" in text_of(kiosk, "printStatus")  # the number stays on the screen
    assert kiosk.printer.cuts() == 0
    reprint = kiosk.window.findChild(QPushButton, "reprintButton")
    assert reprint.isVisible()
    # Staff see it: the server knows the kiosk's printer is out of paper.
    supervisor = server.client(server.login("supervisor"))

    def printer_state() -> str | None:
        devices = supervisor.get("/sites/demo/devices").json()
        return next(d["printer_state"] for d in devices if d["name"] == "lobby-kiosk")

    qtbot.waitUntil(lambda: printer_state() == "paper_out", timeout=ANSWER_MS)
    day = kiosk.controller.last.ticket.issued_at.date()
    assert [t["number"] for t in kiosk.issuer.store.unprinted(day)] == ["A001"]
    # Paper refilled: print again gives the same ticket, once.
    kiosk.printer.state = PrinterState.READY
    qtbot.mouseClick(reprint, Qt.MouseButton.LeftButton)
    data = wait_printed(kiosk, qtbot)
    assert len(printed_qr_links(data)) == 1
    assert kiosk.issuer.store.unprinted(day) == []
    assert [t["number"] for t in server_queue(server)["waiting"]] == ["A001"]
    qtbot.waitUntil(lambda: printer_state() == "ready", timeout=ANSWER_MS)


def test_server_gone_three_tickets_server_back_all_arrive_once(open_kiosk, server, qtbot) -> None:
    kiosk = open_kiosk()
    qtbot.waitUntil(
        lambda: kiosk.issuer.store.numbers_left(1, kiosk.issuer.today()) > 0, timeout=ANSWER_MS
    )
    server.stop()
    issued = []
    for round_ in range(3):
        tap(kiosk, "service-A", qtbot)
        qtbot.waitUntil(lambda r=round_: kiosk.printer.cuts() == r + 1, timeout=ANSWER_MS)
        issued.append(kiosk.controller.last.ticket)
        tap(kiosk, "doneButton", qtbot)
    assert all(t.offline for t in issued)
    numbers = [t.number for t in issued]
    assert len(set(numbers)) == 3 and all(n.startswith("A9") for n in numbers)
    assert not kiosk.controller.online
    server.start()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: kiosk.issuer.pending_uploads() == 0, timeout=ANSWER_MS)
    waiting = server_queue(server)["waiting"]
    assert sorted(t["number"] for t in waiting) == sorted(numbers)
    by_number = {t["number"]: t for t in waiting}
    for ticket in issued:
        arrived = by_number[ticket.number]
        assert arrived["issued_offline"] is True
        queued_at = datetime.fromisoformat(arrived["queued_at"])
        assert abs((queued_at - ticket.issued_at).total_seconds()) < 0.01
    # Online again: the next ticket comes from the server's own numbering.
    tap(kiosk, "service-A", qtbot)
    qtbot.waitUntil(lambda: kiosk.printer.cuts() == 4, timeout=ANSWER_MS)
    assert kiosk.controller.last.ticket.number == "A001"


def test_a_kiosk_restarted_while_the_server_is_away_still_issues_its_leased_numbers(
    open_kiosk, start_kiosk, server, qtbot
) -> None:
    """A power cut in the lobby while the server is down too: the kiosk comes back with its
    services as it last read them and issues from the numbers it holds, instead of an empty
    screen."""
    first = open_kiosk()
    store = first.issuer.store
    qtbot.waitUntil(lambda: store.numbers_left(1, first.issuer.today()) > 0, timeout=ANSWER_MS)
    shown = sorted(s.prefix for s in first.controller.services)
    first.controller.stop()
    first.worker.stop()
    first.window.close()
    server.stop()

    again = start_kiosk(server.url, "demo-kiosk")
    qtbot.waitUntil(lambda: bool(again.controller.services), timeout=ANSWER_MS)
    assert not again.controller.online
    assert sorted(s.prefix for s in again.controller.services) == shown
    note = again.window.findChild(QLabel, "statusNote")
    qtbot.waitUntil(note.isVisible, timeout=ANSWER_MS)
    assert note.text() == "Wartenummern werden zurzeit ohne Verbindung ausgegeben."
    tap(again, "service-A", qtbot)
    qtbot.waitUntil(lambda: again.printer.cuts() == 1, timeout=ANSWER_MS)
    ticket = again.controller.last.ticket
    assert ticket.offline and ticket.number.startswith("A9")

    server.start()
    again.controller.refresh()
    qtbot.waitUntil(lambda: again.issuer.pending_uploads() == 0, timeout=ANSWER_MS)
    assert [t["number"] for t in server_queue(server)["waiting"]] == [ticket.number]


def close_service_now(server, prefix: str) -> str:  # type: ignore[no-untyped-def]
    """Give ``prefix`` opening hours today that do not include now; return them as shown."""
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    hours = f"{now.hour + 1:02d}:00-{now.hour + 2:02d}:00" if now.hour < 22 else "00:00-01:00"
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[now.weekday()]
    with server.db.engine.begin() as connection:
        connection.execute(
            update(Service).where(Service.prefix == prefix).values(hours={weekday: [hours]})
        )
    return hours


def test_a_closed_service_says_why_instead_of_issuing_a_ticket(open_kiosk, server, qtbot) -> None:
    kiosk = open_kiosk()
    hours = close_service_now(server, "B")
    kiosk.controller.refresh()

    def service_b() -> QPushButton:  # the buttons are made anew when the services change
        return kiosk.window.findChild(QPushButton, "service-B")

    qtbot.waitUntil(lambda: not service_b().isEnabled(), timeout=ANSWER_MS)
    button = service_b()
    assert button.hint.text() == f"Jetzt geschlossen. Öffnungszeiten heute: {hours}"
    tap(kiosk, "lang-uk", qtbot)
    assert button.hint.text() == f"Зараз зачинено. Години роботи сьогодні: {hours}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not confirmation(kiosk).isVisible()
    assert server_queue(server)["waiting"] == []


def test_a_service_that_closed_since_the_screen_was_drawn_is_refused_plainly(
    open_kiosk, server, qtbot
) -> None:
    kiosk = open_kiosk()
    service_b = next(s for s in kiosk.controller.services if s.prefix == "B")
    close_service_now(server, "B")
    kiosk.controller.take_ticket(service_b, "de")
    notice = kiosk.window.findChild(QLabel, "notice")
    qtbot.waitUntil(notice.isVisible, timeout=ANSWER_MS)
    assert notice.text() == "Dieses Anliegen ist gerade geschlossen."
    assert kiosk.printer.cuts() == 0
    assert server_queue(server)["waiting"] == []


def test_a_refilled_printer_is_noticed_without_a_ticket_and_staff_are_told(
    open_kiosk, server, printer, qtbot, monkeypatch
) -> None:
    monkeypatch.setattr("kiosk.controller.RETRY_MS", 200)
    printer.state = PrinterState.PAPER_OUT
    kiosk = open_kiosk()
    note = kiosk.window.findChild(QLabel, "statusNote")
    qtbot.waitUntil(note.isVisible, timeout=ANSWER_MS)
    assert "Bildschirm angezeigt" in note.text()
    supervisor = server.client(server.login("supervisor"))

    def printer_state() -> str | None:
        devices = supervisor.get("/sites/demo/devices").json()
        return next(d["printer_state"] for d in devices if d["name"] == "lobby-kiosk")

    qtbot.waitUntil(lambda: printer_state() == "paper_out", timeout=ANSWER_MS)
    printer.state = PrinterState.READY
    qtbot.waitUntil(lambda: not note.isVisible(), timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: printer_state() == "ready", timeout=ANSWER_MS)
