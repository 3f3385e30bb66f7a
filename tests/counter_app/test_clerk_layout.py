"""The clerk's window on the screens desks have: it resizes, and from 1280×720 up the queue, the
case, the parked citizens and every button are in view; banners move nothing under the mouse."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QToolButton, QWidget

from counter_app.clerk.login import show_desk_window
from tests.support.api import act, call_next
from tests.support.waits import ANSWER_MS


def frame_in_window(widget: QWidget) -> QRect:
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def fully_shown(widget: QWidget) -> bool:
    """Shown, inside the window, and not clipped by the panels around it."""
    window = widget.window()
    return (
        widget.isVisible()
        and window.rect().contains(frame_in_window(widget))
        and widget.visibleRegion().boundingRect() == widget.rect()
    )


def key_widgets(session) -> dict[str, QWidget]:  # type: ignore[no-untyped-def]
    window = session.window
    found: dict[str, QWidget] = {
        name: window.findChild(QWidget, name)
        for name in ("queueView", "casePanel", "caseNotesEdit", "caseReferenceEdit")
    }
    for button in window.findChildren(QPushButton):
        if button.isVisibleTo(window):
            found[button.objectName() or button.text()] = button
    return found


def park_tickets(server, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    kiosk = server.client("demo-kiosk")
    clerk = server.client(server.login("clerk1"))
    numbers = []
    for _ in range(count):
        kiosk.post("/sites/demo/tickets", json={"service_id": kiosk.service_id("A")})
        ticket = call_next(clerk, "1")
        act(clerk, ticket["id"], "start")
        act(clerk, ticket["id"], "park")
        numbers.append(ticket["number"])
    return numbers


def test_the_window_works_from_1280x720_with_many_parked(open_desk, server, qtbot) -> None:
    """Before: the parked row widened the window, and it opened 800 px high on 768 px screens."""
    parked = park_tickets(server, 7)
    session = open_desk("clerk1", "1")
    window = session.window
    qtbot.waitUntil(lambda: len(session.controller.parked) == 7, timeout=ANSWER_MS)
    qtbot.waitUntil(
        lambda: window.findChild(QPushButton, f"resume-{parked[-1]}") is not None, timeout=ANSWER_MS
    )
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720, hint
    for size in ((1280, 720), (1366, 768), (1920, 1080)):
        window.resize(*size)
        qtbot.waitUntil(lambda size=size: window.size().toTuple() == size, timeout=ANSWER_MS)
        qtbot.wait(0)  # the layouts follow the resize
        widgets = key_widgets(session)
        assert {"callNextButton", "finishNextButton", "signOffButton", "pauseButton"} <= set(
            widgets
        )
        for name, widget in widgets.items():
            if name.startswith("resume-"):
                continue  # in the parked row, which scrolls
            assert fully_shown(widget), (size, name, frame_in_window(widget))
        area = window.findChild(QWidget, "parkedArea")
        assert fully_shown(area), size
        # The first parked one is in view, the rest scroll to. A late live event may rebuild
        # the row (new buttons are laid out on the next turn of the event loop): look again.
        qtbot.waitUntil(
            lambda: fully_shown(window.findChild(QPushButton, f"resume-{parked[0]}")),
            timeout=ANSWER_MS,
        )


def test_banners_move_nothing_and_the_printer_banner_can_be_dismissed(
    open_desk, server, qtbot
) -> None:
    session = open_desk("clerk1", "1")
    window = session.window
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1280, 720), timeout=ANSWER_MS)
    watched = [window.findChild(QTableView, "queueView")]
    watched += [window.findChild(QPushButton, n) for n in ("callNextButton", "finishButton")]
    before = [frame_in_window(w) for w in watched]
    banner = window.findChild(QLabel, "printerBanner")
    dismiss = window.findChild(QToolButton, "printerBannerDismiss")
    kiosk = server.client("demo-kiosk")
    kiosk.post("/sites/demo/devices/printer", json={"state": "paper_out"})
    qtbot.waitUntil(banner.isVisible, timeout=ANSWER_MS)
    assert dismiss.isVisible()
    assert [frame_in_window(w) for w in watched] == before

    # Offline too: the red banner shows in the same reserved row.
    server.stop()
    offline = window.findChild(QLabel, "offlineBanner")
    qtbot.waitUntil(offline.isVisible, timeout=ANSWER_MS)
    assert [frame_in_window(w) for w in watched] == before
    server.start()
    qtbot.waitUntil(lambda: not offline.isVisible(), timeout=ANSWER_MS)
    qtbot.waitUntil(banner.isVisible, timeout=ANSWER_MS)
    assert [frame_in_window(w) for w in watched] == before

    dismiss.click()
    assert not banner.isVisible() and not dismiss.isVisible()
    assert [frame_in_window(w) for w in watched] == before
    # The next change of a printer's state shows it again.
    kiosk.post("/sites/demo/devices/printer", json={"state": "cover_open"})
    qtbot.waitUntil(banner.isVisible, timeout=ANSWER_MS)
    assert banner.text() == "Kiosk lobby-kiosk: Druckerklappe offen"
    assert [frame_in_window(w) for w in watched] == before


def test_the_window_opens_within_a_screen_smaller_than_its_usual_size(open_desk) -> None:
    """Before: it always opened 1280×800, so on a 1366×768 screen the parked row was below it."""
    window = open_desk("clerk1", "1").window
    window.hide()
    show_desk_window(window, QRect(0, 0, 1366, 728))  # 768 less a task bar
    assert window.isMaximized()
    assert window.height() <= 728 and window.width() <= 1366
    window.showNormal()
    window.hide()
    show_desk_window(window, QRect(0, 0, 1920, 1040))
    assert not window.isMaximized()
    assert window.size().toTuple() == (1280, 800)
