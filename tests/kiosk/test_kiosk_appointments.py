"""Checking in a booked appointment at the kiosk: the confirmation's code scanned (a
keyboard-wedge scanner types it and Enter, also on the start screen) or typed on the on-screen
keys; an appointment in its window gives a printed ticket that says its time, anything else a
plain answer in the citizen's language and no ticket. Without the server nobody can check in:
the kiosk says so and offers a walk-in ticket."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from sqlalchemy import update

from central_server.models import Site
from counter_app.core.errors import ServerUnreachable, rejected_for
from kiosk.i18n import CitizenLanguage
from kiosk.screens.appointment import answer_for
from kiosk.ticket import ticket_lines
from kiosk.ticket_layout import render_ticket, to_bitmap
from tests.kiosk.test_kiosk_pickup import scan
from tests.kiosk.test_kiosk_window import (
    printed_qr_links,
    server_queue,
    tap,
    text_of,
    wait_printed,
)
from tests.support.raster import images_from_escpos
from tests.support.scripted_day import Clock
from tests.support.waits import ANSWER_MS

BERLIN = ZoneInfo("Europe/Berlin")  # the demo site's time zone
#: The day the tests run on, fixed once: a run across midnight keeps it.
TODAY = datetime.now(BERLIN).date()


def now() -> datetime:
    """10:00 today in Berlin: the server's time in these tests (:func:`server_clock`)."""
    return datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def server_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The in-process server's clock at :func:`now`: an appointment minutes away is today's
    at any hour the tests run (in the last hour before midnight it would be tomorrow's)."""
    clock = Clock().install(monkeypatch)
    clock.at("10:00", TODAY)
    return clock


def book(server, code: str, starts_at: datetime, prefix: str = "A") -> None:  # type: ignore[no-untyped-def]
    """What the booking system does: push the day's appointment."""
    supervisor = server.client(server.login("supervisor"))
    body = {
        "appointments": [
            {
                "external_id": f"zms-{code}",
                "code": code,
                "service_id": supervisor.service_id(prefix),
                "starts_at": starts_at.isoformat(),
            }
        ]
    }
    pushed = supervisor.post("/sites/demo/appointments", json=body)
    assert pushed.status_code in (200, 201), pushed.text


def screen(kiosk) -> QWidget:  # type: ignore[no-untyped-def]
    return kiosk.window.findChild(QWidget, "appointmentScreen")


def answer(kiosk) -> str:  # type: ignore[no-untyped-def]
    label = kiosk.window.findChild(QLabel, "appointmentAnswer")
    return label.text() if label.isVisible() else ""


def walk_in_offered(kiosk) -> bool:  # type: ignore[no-untyped-def]
    return kiosk.window.findChild(QPushButton, "walkInButton").isVisible()  # type: ignore[no-any-return]


def type_on_keys(kiosk, qtbot, code: str) -> None:  # type: ignore[no-untyped-def]
    for char in code:
        tap(kiosk, f"appointmentKey-{char}", qtbot)


def test_the_start_screen_offers_the_appointment_check_in_in_every_language(
    open_kiosk, qtbot
) -> None:
    kiosk = open_kiosk()
    button = kiosk.window.findChild(QPushButton, "appointmentButton")
    assert button.isVisible() and button.height() >= 60  # 15 mm on a lobby screen
    assert button.accessibleName() == "Ich habe einen Termin"
    tap(kiosk, "lang-ar", qtbot)
    assert button.name.text() == "لدي موعد"
    tap(kiosk, "appointmentButton", qtbot)
    assert screen(kiosk).isVisible()
    assert text_of(kiosk, "appointmentTitle") == "تسجيل الحضور لموعدك"
    # The keys keep their order right to left: a keyboard is not mirrored.
    one = kiosk.window.findChild(QPushButton, "appointmentKey-1")
    two = kiosk.window.findChild(QPushButton, "appointmentKey-2")
    assert one.mapToGlobal(one.rect().center()).x() < two.mapToGlobal(two.rect().center()).x()
    assert all(
        key.height() >= 60 and key.width() >= 60
        for key in screen(kiosk).findChildren(QPushButton)
        if key.objectName().startswith("appointmentKey-")
    )


def test_a_refused_kiosk_offers_no_check_in_and_a_scan_opens_nothing(
    start_kiosk, server, qtbot
) -> None:
    kiosk = start_kiosk(server.url, "typed-wrong-9f3k")
    qtbot.waitUntil(lambda: bool(kiosk.controller.refusal), timeout=ANSWER_MS)
    assert not kiosk.window.findChild(QPushButton, "appointmentButton").isVisible()
    scan(kiosk, qtbot, "4711")
    assert kiosk.window.findChild(QWidget, "startScreen").isVisible()
    assert kiosk.printer.cuts() == 0


def test_a_code_typed_on_the_keys_prints_a_ticket_that_says_the_appointment_time(
    open_kiosk, server, qtbot
) -> None:
    starts_at = now() + timedelta(minutes=10)
    book(server, "4711-0815", starts_at)
    kiosk = open_kiosk()
    tap(kiosk, "appointmentButton", qtbot)
    assert screen(kiosk).isVisible()
    type_on_keys(kiosk, qtbot, "47110816")
    tap(kiosk, "appointmentKey-delete", qtbot)  # a slip corrected
    type_on_keys(kiosk, qtbot, "5")
    assert kiosk.window.findChild(QLineEdit, "appointmentCodeEdit").text() == "47110815"
    tap(kiosk, "appointmentCheckInButton", qtbot)
    data = wait_printed(kiosk, qtbot)

    [waiting] = server_queue(server)["waiting"]
    assert waiting["priority"] == "appointment"
    ticket = kiosk.controller.last.ticket
    assert ticket.number == waiting["number"]
    assert ticket.appointment_at == starts_at
    # The confirmation and the paper say the time, in the citizen's language.
    assert text_of(kiosk, "confirmedNumber") == waiting["number"]
    assert text_of(kiosk, "confirmedAppointment") == f"Termin {starts_at:%H:%M}"
    assert f"Termin {starts_at:%H:%M}" in [line.text for line in ticket_lines(ticket, "")[0]]
    # The paper is, dot for dot, the ticket drawn from those lines (also shown on the screen);
    # the time is a line of its own on it.
    [paper] = images_from_escpos(data)
    assert paper.tobytes() == to_bitmap(kiosk.controller.last.preview).tobytes()
    without_time = render_ticket(replace(ticket, appointment_at=None), kiosk.controller.site_name)
    assert paper.height > without_time.height()
    assert printed_qr_links(data) == [ticket.status_url]


def test_a_code_scanned_on_the_start_screen_checks_in_at_once(open_kiosk, server, qtbot) -> None:
    starts_at = now() + timedelta(minutes=5)
    book(server, "B7K29QXM", starts_at, prefix="C")
    kiosk = open_kiosk()
    tap(kiosk, "lang-uk", qtbot)
    scan(kiosk, qtbot, "b7k2-9qxm")  # case and dashes do not matter
    wait_printed(kiosk, qtbot)
    assert kiosk.window.findChild(QWidget, "ticketConfirmation").isVisible()
    [waiting] = server_queue(server)["waiting"]
    assert (waiting["service_prefix"], waiting["priority"], waiting["language"]) == (
        "C",
        "appointment",
        "uk",
    )
    assert text_of(kiosk, "confirmedAppointment") == f"Запис на {starts_at:%H:%M}"


def test_a_stray_key_long_before_a_scan_does_not_spoil_it(open_kiosk, qtbot, monkeypatch) -> None:
    monkeypatch.setattr("kiosk.window.SCAN_GAP_S", 0.05)
    kiosk = open_kiosk()
    scan_keys = kiosk.window.findChild(QWidget, "startScreen")
    qtbot.keyClicks(scan_keys, "x")  # a key someone pressed, no Enter
    time.sleep(0.1)
    scan(kiosk, qtbot, "4711")
    assert screen(kiosk).isVisible()
    assert kiosk.window.findChild(QLineEdit, "appointmentCodeEdit").text() == "4711"


def test_too_early_says_when_to_come_back_in_the_citizens_language(
    open_kiosk, server, qtbot
) -> None:
    starts_at = now() + timedelta(minutes=50)
    book(server, "4711", starts_at)
    kiosk = open_kiosk()
    tap(kiosk, "lang-tr", qtbot)
    scan(kiosk, qtbot, "4711")
    opens = starts_at - timedelta(minutes=30)  # the default window: from 30 minutes before
    qtbot.waitUntil(lambda: "erken geldiniz" in answer(kiosk), timeout=ANSWER_MS)
    assert f"{opens:%H:%M}" in answer(kiosk)
    assert not walk_in_offered(kiosk)
    assert server_queue(server)["waiting"] == []
    assert kiosk.printer.cuts() == 0


def test_checking_in_twice_gives_the_number_already_drawn(open_kiosk, server, qtbot) -> None:
    book(server, "4711", now() + timedelta(minutes=10))
    kiosk = open_kiosk()
    scan(kiosk, qtbot, "4711")
    wait_printed(kiosk, qtbot)
    number = kiosk.controller.last.ticket.number
    tap(kiosk, "doneButton", qtbot)
    tap(kiosk, "lang-ru", qtbot)
    tap(kiosk, "appointmentButton", qtbot)
    type_on_keys(kiosk, qtbot, "4711")
    tap(kiosk, "appointmentCheckInButton", qtbot)
    qtbot.waitUntil(lambda: "уже зарегистрировались" in answer(kiosk), timeout=ANSWER_MS)
    assert number in answer(kiosk)
    assert kiosk.printer.cuts() == 1
    assert len(server_queue(server)["waiting"]) == 1


def test_an_appointment_of_another_day_says_which_day(open_kiosk, server, qtbot) -> None:
    tomorrow = now() + timedelta(days=1)
    book(server, "0815", tomorrow)
    kiosk = open_kiosk()
    tap(kiosk, "lang-ar", qtbot)
    tap(kiosk, "appointmentButton", qtbot)
    type_on_keys(kiosk, qtbot, "0815")
    tap(kiosk, "appointmentCheckInButton", qtbot)
    day = format_date(tomorrow.date(), "full", locale="ar")
    qtbot.waitUntil(lambda: day in answer(kiosk), timeout=ANSWER_MS)
    assert "وليس اليوم" in answer(kiosk)
    assert kiosk.printer.cuts() == 0


def test_an_unknown_code_is_answered_plainly_and_issues_nothing(open_kiosk, server, qtbot) -> None:
    kiosk = open_kiosk()
    scan(kiosk, qtbot, "99999999")
    qtbot.waitUntil(lambda: "nicht bekannt" in answer(kiosk), timeout=ANSWER_MS)
    assert screen(kiosk).isVisible()
    assert server_queue(server)["waiting"] == []
    assert kiosk.printer.cuts() == 0
    tap(kiosk, "appointmentBackButton", qtbot)
    assert kiosk.window.findChild(QWidget, "startScreen").isVisible()


def test_without_the_server_it_says_so_and_offers_a_walk_in_ticket_of_the_service(
    open_kiosk, server, qtbot
) -> None:
    """The only service issuing: the walk-in ticket is one tap away, from leased numbers."""
    supervisor = server.client(server.login("supervisor"))
    for prefix in ("B", "C"):
        stopped = supervisor.post(f"/sites/demo/services/{supervisor.service_id(prefix)}/stop")
        assert stopped.status_code == 200, stopped.text
    kiosk = open_kiosk()
    service_a = next(s for s in kiosk.controller.services if s.prefix == "A")
    qtbot.waitUntil(
        lambda: kiosk.issuer.store.numbers_left(service_a.id, kiosk.issuer.today()) > 0,
        timeout=ANSWER_MS,
    )
    server.stop()
    scan(kiosk, qtbot, "4711")
    qtbot.waitUntil(lambda: "fehlt gerade die Verbindung" in answer(kiosk), timeout=ANSWER_MS)
    assert walk_in_offered(kiosk)
    tap(kiosk, "walkInButton", qtbot)
    wait_printed(kiosk, qtbot)
    ticket = kiosk.controller.last.ticket
    assert ticket.offline and ticket.number.startswith("A9")
    assert ticket.appointment_at is None
    server.start()


def test_without_the_server_the_walk_in_offer_leads_back_to_the_services(
    open_kiosk, server, qtbot
) -> None:
    """Several services: the kiosk cannot know which one was booked, the citizen chooses."""
    kiosk = open_kiosk()
    server.stop()
    kiosk.controller.refresh()
    qtbot.waitUntil(lambda: not kiosk.controller.online, timeout=ANSWER_MS)
    tap(kiosk, "lang-en", qtbot)
    tap(kiosk, "appointmentButton", qtbot)
    # Offline already known: said at once, before any code.
    assert "needs the connection" in answer(kiosk)
    tap(kiosk, "walkInButton", qtbot)
    assert kiosk.window.findChild(QWidget, "startScreen").isVisible()
    assert kiosk.window.language.code == "en"  # the citizen's language stays
    assert kiosk.printer.cuts() == 0
    server.start()


# Every answer, in the citizen's language (the screen shows what ``answer_for`` says) ----------


def refused(code: str, status: int = 409, **details: object) -> Exception:
    return rejected_for(status, {"code": code, "message": "…", "details": details})


@pytest.mark.parametrize(
    ("error", "language", "expected", "walk_in"),
    [
        (
            refused("appointment_too_early", check_in_from="2026-12-04T09:05:00+00:00"),
            "de",
            "Bitte melden Sie sich ab 10:05\u00a0Uhr an.",  # UTC shown on the site's clock
            False,
        ),
        (
            refused("appointment_too_late", check_in_until="2026-12-04T10:25:00+01:00"),
            "en",
            "The time to check in for your appointment ended at 10:25\u202fAM.",
            True,
        ),
        (refused("appointment_too_late"), "tr", "giriş süresi geçti", True),
        (refused("appointment_checked_in", number="A012"), "uk", "Ваш номер A012.", False),
        (refused("appointment_cancelled"), "ru", "Эта запись отменена.", True),
        (
            refused("appointment_not_found", 404, reason="unknown"),
            "ar",
            "رمز الموعد هذا غير معروف.",
            False,
        ),
        (
            refused("appointment_not_found", 404, reason="other_day", day="2026-12-07"),
            "de",
            "Ihr Termin ist am Montag, 7. Dezember 2026, nicht heute.",
            False,
        ),
        (
            refused("appointment_not_found", 404, reason="other_site", site_name="Bürgeramt Nord"),
            "tr",
            "Bu randevu başka bir ofiste: Bürgeramt Nord.",
            False,
        ),
        (refused("too_many_wrong_scans", 429), "de", "Zu viele Versuche.", False),
        (ServerUnreachable(), "ar", "يتطلب تسجيل الحضور للموعد اتصالاً بالمكتب", True),
    ],
)
def test_every_refusal_is_said_in_the_citizens_language(
    qapp, error: Exception, language: str, expected: str, walk_in: bool
) -> None:
    answer = answer_for(error, CitizenLanguage(language), BERLIN)
    assert expected in answer.text
    assert answer.walk_in is walk_in
    # Only "early", "another day" and "your number is" are no failure: not in red.
    calm = getattr(error, "code", "") in ("appointment_too_early", "appointment_checked_in") or (
        "other_day" in str(getattr(error, "details", {}))
    )
    assert answer.calm is calm


def late_appointment(server, code: str) -> datetime:  # type: ignore[no-untyped-def]
    starts_at = now() - timedelta(minutes=20)  # the window closed 10 minutes ago
    book(server, code, starts_at)
    return starts_at


def test_too_late_says_until_when_and_offers_a_walk_in_ticket(open_kiosk, server, qtbot) -> None:
    starts_at = late_appointment(server, "4711")
    kiosk = open_kiosk()
    scan(kiosk, qtbot, "4711")
    closed = starts_at + timedelta(minutes=10)
    qtbot.waitUntil(lambda: f"bis {closed:%H:%M}\u00a0Uhr" in answer(kiosk), timeout=ANSWER_MS)
    assert walk_in_offered(kiosk)
    assert kiosk.printer.cuts() == 0
    # Several services: the citizen chooses the walk-in ticket's among them.
    tap(kiosk, "walkInButton", qtbot)
    assert kiosk.window.findChild(QWidget, "startScreen").isVisible()
    tap(kiosk, "service-A", qtbot)
    wait_printed(kiosk, qtbot)
    [waiting] = server_queue(server)["waiting"]
    assert waiting["priority"] == "normal" and waiting["appointment_at"] is None


def test_where_the_site_lets_the_late_in_the_ticket_says_it_is_a_walk_in_ticket(
    open_kiosk, server, qtbot
) -> None:
    with server.db.engine.begin() as connection:
        connection.execute(
            update(Site).where(Site.slug == "demo").values(late_appointments="walk_in")
        )
    late_appointment(server, "4711")
    kiosk = open_kiosk()
    tap(kiosk, "lang-en", qtbot)
    scan(kiosk, qtbot, "4711")
    wait_printed(kiosk, qtbot)
    [waiting] = server_queue(server)["waiting"]
    assert waiting["priority"] == "normal" and waiting["appointment_late"] is True
    ticket = kiosk.controller.last.ticket
    assert ticket.appointment_late
    said = "Walk-in ticket: the time to check in for your appointment had passed."
    assert text_of(kiosk, "confirmedAppointment") == said
    assert said in [line.text for line in ticket_lines(ticket, "")[0]]
