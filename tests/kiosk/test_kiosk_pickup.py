"""Checking in for a document pickup at the kiosk: the receipt's code scanned (a keyboard-wedge
scanner types it and Enter) or typed on the on-screen keys; a ready document gives a printed P
ticket, anything else a plain answer in the citizen's language and no ticket."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from tests.kiosk.test_kiosk_window import server_queue, tap, wait_printed
from tests.support.waits import ANSWER_MS


def order(server, ready: bool = True, **fields) -> dict:  # type: ignore[no-untyped-def]
    clerk = server.client(server.login("clerk1"))
    body = {
        "document_kind": "residence_permit",
        "holder_name": "Olena Kovalenko",
        "case_reference": "32-AT-2026-0815",
        **fields,
    }
    created = clerk.post("/sites/demo/pickups", json=body)
    assert created.status_code == 201, created.text
    pickup = created.json()
    if ready:
        assert (
            clerk.post(f"/pickups/{pickup['id']}/ready", json={"slot": "B-17"}).status_code == 200
        )
    return pickup


def answer(kiosk) -> str:  # type: ignore[no-untyped-def]
    label = kiosk.window.findChild(QLabel, "pickupAnswer")
    return label.text() if label.isVisible() else ""


def scan(kiosk, qtbot, code: str) -> None:  # type: ignore[no-untyped-def]
    """What a keyboard-wedge scanner does: type the code, then Enter, each key to the widget
    that has the focus (a scanner is a keyboard)."""
    for char in code:
        qtbot.keyClick(kiosk.window.focusWidget() or kiosk.window, char)
    qtbot.keyClick(kiosk.window.focusWidget() or kiosk.window, Qt.Key.Key_Return)


def test_a_ready_document_checked_in_prints_a_pickup_ticket(open_kiosk, server, qtbot) -> None:
    pickup = order(server)
    kiosk = open_kiosk()
    tap(kiosk, "lang-ru", qtbot)
    tap(kiosk, "pickupButton", qtbot)
    assert kiosk.window.findChild(QWidget, "pickupScreen").isVisible()
    scan(kiosk, qtbot, pickup["token"])
    wait_printed(kiosk, qtbot)
    waiting = server_queue(server)["waiting"]
    assert [(t["number"], t["language"]) for t in waiting] == [("P001", "ru")]
    assert kiosk.window.findChild(QLabel, "confirmedNumber").text() == "P001"
    # The P ticket shows nothing of the pickup: no name, no case reference.
    assert "Kovalenko" not in kiosk.controller.last.ticket.service_name


def test_a_receipt_scanned_on_the_start_screen_goes_straight_to_check_in(
    open_kiosk, server, qtbot
) -> None:
    pickup = order(server)
    kiosk = open_kiosk()
    scan(kiosk, qtbot, pickup["token"])
    wait_printed(kiosk, qtbot)
    assert [t["number"] for t in server_queue(server)["waiting"]] == ["P001"]


def test_the_code_typed_on_the_on_screen_keys_checks_in(open_kiosk, server, qtbot) -> None:
    pickup = order(server)
    kiosk = open_kiosk()
    tap(kiosk, "pickupButton", qtbot)
    for letter in pickup["token"]:
        tap(kiosk, f"key-{letter}", qtbot)
    tap(kiosk, "key-delete", qtbot)
    tap(kiosk, f"key-{pickup['token'][-1]}", qtbot)
    tap(kiosk, "checkInButton", qtbot)
    wait_printed(kiosk, qtbot)
    assert [t["number"] for t in server_queue(server)["waiting"]] == ["P001"]


def test_in_arabic_the_keys_keep_their_order_and_check_in(open_kiosk, server, qtbot) -> None:
    """The receipt's code is Latin letters and digits: in Arabic the screen reads right to left,
    but its keys are not mirrored (A stays left of B, as on the receipt and every keyboard)."""
    pickup = order(server)
    kiosk = open_kiosk()
    tap(kiosk, "lang-ar", qtbot)
    tap(kiosk, "pickupButton", qtbot)
    screen = kiosk.window.findChild(QWidget, "pickupScreen")
    assert screen.layoutDirection() == Qt.LayoutDirection.RightToLeft

    def x_of(name: str) -> int:
        key = kiosk.window.findChild(QPushButton, name)
        assert key.width() >= 60 and key.height() >= 60  # big enough to tap
        return key.mapToGlobal(key.rect().center()).x()  # type: ignore[no-any-return]

    assert x_of("key-A") < x_of("key-B") < x_of("key-H")
    assert x_of("key-I") == x_of("key-A")  # the next row starts on the left again
    for letter in pickup["token"]:
        tap(kiosk, f"key-{letter}", qtbot)
    tap(kiosk, "checkInButton", qtbot)
    wait_printed(kiosk, qtbot)
    assert [t["number"] for t in server_queue(server)["waiting"]] == ["P001"]


def test_a_document_not_ready_says_when_to_come_back_and_issues_nothing(
    open_kiosk, server, qtbot
) -> None:
    expected = date.today() + timedelta(weeks=3)
    pickup = order(server, ready=False, expected_ready_on=expected.isoformat())
    kiosk = open_kiosk()
    tap(kiosk, "pickupButton", qtbot)
    scan(kiosk, qtbot, pickup["token"])
    qtbot.waitUntil(lambda: "noch nicht fertig" in answer(kiosk), timeout=ANSWER_MS)
    assert str(expected.year) in answer(kiosk) and str(expected.day) in answer(kiosk)
    assert server_queue(server)["waiting"] == []
    assert kiosk.printer.cuts() == 0


def test_an_unknown_code_is_answered_plainly_and_issues_nothing(open_kiosk, server, qtbot) -> None:
    kiosk = open_kiosk()
    tap(kiosk, "lang-tr", qtbot)
    tap(kiosk, "pickupButton", qtbot)
    scan(kiosk, qtbot, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    qtbot.waitUntil(lambda: "fiş tanınmıyor" in answer(kiosk), timeout=ANSWER_MS)
    assert server_queue(server)["waiting"] == []
    assert kiosk.printer.cuts() == 0


def test_checking_in_twice_gives_the_number_already_drawn(open_kiosk, server, qtbot) -> None:
    pickup = order(server)
    kiosk = open_kiosk()
    tap(kiosk, "pickupButton", qtbot)
    scan(kiosk, qtbot, pickup["token"])
    wait_printed(kiosk, qtbot)
    tap(kiosk, "doneButton", qtbot)
    tap(kiosk, "pickupButton", qtbot)
    scan(kiosk, qtbot, pickup["token"])
    qtbot.waitUntil(lambda: "P001" in answer(kiosk), timeout=ANSWER_MS)
    assert kiosk.printer.cuts() == 1


def test_without_the_server_check_in_says_to_ask_staff(open_kiosk, server, qtbot) -> None:
    pickup = order(server)
    kiosk = open_kiosk()
    server.stop()
    tap(kiosk, "pickupButton", qtbot)
    scan(kiosk, qtbot, pickup["token"])
    qtbot.waitUntil(lambda: "Information" in answer(kiosk), timeout=ANSWER_MS)
    assert kiosk.printer.cuts() == 0
    server.start()


def test_a_receipt_replaced_at_the_desk_says_to_use_the_new_one(open_kiosk, server, qtbot) -> None:
    pickup = order(server)
    desk = server.client(server.login("pickup1"))  # the quick-pickup desk prints a new one
    reissued = desk.post(
        f"/pickups/{pickup['id']}/reissue", json={"id_checked": True, "reason": "lost"}
    )
    assert reissued.status_code == 200, reissued.text
    kiosk = open_kiosk()
    tap(kiosk, "lang-uk", qtbot)
    tap(kiosk, "pickupButton", qtbot)
    scan(kiosk, qtbot, pickup["token"])
    qtbot.waitUntil(lambda: "замінено новою" in answer(kiosk), timeout=ANSWER_MS)
    assert server_queue(server)["waiting"] == []
    assert kiosk.printer.cuts() == 0
