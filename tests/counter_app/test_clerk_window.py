"""The clerk's window against a real server: what the clerk sees and what the server records."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView

from tests.support.waits import ANSWER_MS

KEY_NAMES = (
    "callNextButton",
    "recallButton",
    "noShowButton",
    "startButton",
    "parkButton",
    "transferButton",
    "finishButton",
)


def button(session, name: str) -> QPushButton:  # type: ignore[no-untyped-def]
    found = session.window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def queue_numbers(session) -> list[str]:  # type: ignore[no-untyped-def]
    view = session.window.findChild(QTableView, "queueView")
    model = view.model()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def current_number(session) -> str:  # type: ignore[no-untyped-def]
    return session.window.findChild(QLabel, "currentTicketLabel").text()


def new_ticket(server, prefix: str = "A") -> dict:  # type: ignore[no-untyped-def]
    kiosk = server.client("demo-kiosk")
    answer = kiosk.post("/sites/demo/tickets", json={"service_id": kiosk.service_id(prefix)})
    assert answer.status_code == 201
    return answer.json()


def test_key_controls_carry_their_stable_names(open_desk) -> None:
    session = open_desk("clerk1", "1")
    for name in KEY_NAMES:
        assert session.window.findChild(QPushButton, name) is not None, name
    for name in ("queueView", "currentTicketLabel", "offlineBanner"):
        assert session.window.findChild(object, name) is not None, name


def test_a_kiosk_ticket_appears_in_the_queue_within_a_second(open_desk, server, qtbot) -> None:
    session = open_desk("clerk1", "1")
    qtbot.waitUntil(lambda: session.controller.services != {}, timeout=ANSWER_MS)
    ticket = new_ticket(server)
    qtbot.waitUntil(lambda: ticket["number"] in queue_numbers(session), timeout=ANSWER_MS)


def test_call_serve_finish_by_keyboard_changes_the_server(open_desk, server, qtbot) -> None:
    ticket = new_ticket(server)
    session = open_desk("clerk1", "1")
    window = session.window
    qtbot.waitUntil(lambda: ticket["number"] in queue_numbers(session), timeout=ANSWER_MS)
    qtbot.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: current_number(session) == ticket["number"], timeout=ANSWER_MS)
    clerk = server.client(server.login("supervisor"))
    assert clerk.get(f"/tickets/{ticket['id']}").json()["status"] == "called"
    qtbot.waitUntil(lambda: button(session, "startButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.waitUntil(
        lambda: clerk.get(f"/tickets/{ticket['id']}").json()["status"] == "serving",
        timeout=ANSWER_MS,
    )
    qtbot.waitUntil(lambda: button(session, "finishButton").isEnabled(), timeout=ANSWER_MS)
    session.controller.update_draft(notes="Meldebestätigung mitgegeben")
    session.controller.finish("completed")
    qtbot.waitUntil(
        lambda: clerk.get(f"/tickets/{ticket['id']}").json()["status"] == "done", timeout=ANSWER_MS
    )
    done = clerk.get(f"/tickets/{ticket['id']}").json()
    assert done["case"]["outcome"] == "completed"
    assert done["case"]["notes"] == "Meldebestätigung mitgegeben"
    assert current_number(session) == "—"


def test_two_desks_never_get_the_same_ticket(open_desk, server, qtbot) -> None:
    for _ in range(6):
        new_ticket(server)
    first = open_desk("clerk1", "1")
    second = open_desk("clerk2", "2")
    called: list[str] = []
    for _round in range(3):
        for session in (first, second):
            qtbot.waitUntil(
                lambda s=session: button(s, "callNextButton").isEnabled(), timeout=ANSWER_MS
            )
        # Both press "call next" at the same moment.
        button(first, "callNextButton").click()
        button(second, "callNextButton").click()
        for session in (first, second):
            qtbot.waitUntil(lambda s=session: s.controller.current is not None, timeout=ANSWER_MS)
            called.append(session.controller.current.number)
            session.controller.act("no-show")
        for session in (first, second):
            qtbot.waitUntil(lambda s=session: s.controller.current is None, timeout=ANSWER_MS)
    assert len(called) == 6
    assert len(set(called)) == 6, called


def test_server_gone_mid_case_the_typed_case_arrives_once(open_desk, server, qtbot) -> None:
    from sqlalchemy import func, select

    from central_server.models import Event

    ticket = new_ticket(server)
    session = open_desk("clerk1", "1")
    window, controller = session.window, session.controller
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    controller.call_next()
    # As a clerk would: press "Start serving" once it can be pressed (the call's own answer may
    # come after the live event has shown the citizen).
    qtbot.waitUntil(lambda: button(session, "startButton").isEnabled(), timeout=ANSWER_MS)
    controller.act("start")
    qtbot.waitUntil(lambda: button(session, "finishButton").isEnabled(), timeout=ANSWER_MS)

    server.stop()
    banner = window.findChild(QLabel, "offlineBanner")
    qtbot.waitUntil(banner.isVisible, timeout=ANSWER_MS)
    assert not button(session, "callNextButton").isEnabled()
    window.notes_edit.setFocus()
    qtbot.keyClicks(window.notes_edit, "Pass abgelaufen, neuer Antrag gestellt")
    controller.finish("completed")
    assert controller.current is None
    assert controller.pending_changes() == 1
    assert "1" in banner.text()

    server.start()
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: controller.pending_changes() == 0, timeout=ANSWER_MS)
    clerk = server.client(server.login("supervisor"))
    done = clerk.get(f"/tickets/{ticket['id']}").json()
    assert done["status"] == "done"
    assert done["case"]["notes"] == "Pass abgelaufen, neuer Antrag gestellt"
    with server.db.read_session() as db_session:
        finishes = db_session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.ticket_id == ticket["id"], Event.type == "ticket.finished")
        )
    assert finishes == 1


def test_typed_notes_survive_a_restart_of_the_window(open_desk, server, qtbot) -> None:
    new_ticket(server)
    session = open_desk("clerk1", "1")
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    session.controller.call_next()
    qtbot.waitUntil(lambda: session.controller.current is not None, timeout=ANSWER_MS)
    qtbot.keyClicks(session.window.notes_edit, "Vollmacht liegt vor")
    outbox = session.controller.outbox
    ticket_id = session.controller.current.id
    assert outbox.draft(ticket_id)["notes"] == "Vollmacht liegt vor"


def test_forward_to_back_office_with_notes(open_desk, server, qtbot) -> None:
    ticket = new_ticket(server, "C")
    front = open_desk("clerk1", "1")
    qtbot.waitUntil(lambda: button(front, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    front.controller.call_next()
    qtbot.waitUntil(lambda: button(front, "startButton").isEnabled(), timeout=ANSWER_MS)
    front.controller.act("start")
    qtbot.waitUntil(lambda: front.controller.current.status == "serving", timeout=ANSWER_MS)
    front.controller.update_draft(notes="Unterlagen vollständig, Fiktionsbescheinigung prüfen")
    front.controller.transfer(None, "5", "Entscheidung Backoffice")
    back = open_desk("clerk2", "5")
    qtbot.waitUntil(lambda: ticket["number"] in queue_numbers(back), timeout=ANSWER_MS)
    back.controller.call_next()
    qtbot.waitUntil(lambda: back.controller.current is not None, timeout=ANSWER_MS)
    assert back.controller.current.number == ticket["number"]
    assert (
        back.window.notes_edit.toPlainText()
        == "Unterlagen vollständig, Fiktionsbescheinigung prüfen"
    )
    assert "Entscheidung Backoffice" in back.window.forward_reason.text()


def test_language_switches_at_run_time(open_desk, qtbot) -> None:
    session = open_desk("clerk1", "1")
    call = button(session, "callNextButton")
    assert call.text() == "Nächste aufrufen (F2)"
    button(session, "languageButton").click()
    assert call.text() == "Call next (F2)"
    header = (
        session.window.findChild(QTableView, "queueView")
        .model()
        .headerData(0, Qt.Orientation.Horizontal)
    )
    assert header == "Number"


def test_finish_asks_for_the_outcome_and_f10_calls_the_next(open_desk, server, qtbot) -> None:
    from PySide6.QtCore import QTimer

    from counter_app.clerk.dialogs import OutcomeDialog

    first, second = new_ticket(server), new_ticket(server)
    session = open_desk("clerk1", "1")
    controller = session.controller
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(session.window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: button(session, "startButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(session.window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: button(session, "finishNextButton").isEnabled(), timeout=ANSWER_MS)

    answered: list[str] = []

    def answer_documents_missing() -> None:
        dialog = session.window.findChild(OutcomeDialog)
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(50, answer_documents_missing)  # not open yet: look again
            return
        answered.append(dialog.windowTitle())
        qtbot.keyClick(dialog, Qt.Key.Key_2)

    QTimer.singleShot(50, answer_documents_missing)
    qtbot.keyClick(session.window, Qt.Key.Key_F10)
    assert answered == [f"{first['number']} abschließen"]
    qtbot.waitUntil(
        lambda: controller.current is not None and controller.current.number == second["number"],
        timeout=ANSWER_MS,
    )
    clerk = server.client(server.login("supervisor"))
    qtbot.waitUntil(
        lambda: clerk.get(f"/tickets/{first['id']}").json()["status"] == "done", timeout=ANSWER_MS
    )
    assert clerk.get(f"/tickets/{first['id']}").json()["case"]["outcome"] == "documents_missing"


def test_park_and_resume(open_desk, server, qtbot) -> None:
    parked, other = new_ticket(server), new_ticket(server)
    session = open_desk("clerk1", "1")
    controller = session.controller
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    controller.call_next()
    qtbot.waitUntil(lambda: button(session, "startButton").isEnabled(), timeout=ANSWER_MS)
    controller.act("start")
    qtbot.waitUntil(lambda: button(session, "parkButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClicks(session.window.notes_edit, "holt Passfoto")
    qtbot.keyClick(session.window, Qt.Key.Key_F6)
    qtbot.waitUntil(
        lambda: [t.number for t in controller.parked] == [parked["number"]], timeout=ANSWER_MS
    )
    controller.call_next()
    qtbot.waitUntil(
        lambda: controller.current is not None and controller.current.number == other["number"],
        timeout=ANSWER_MS,
    )
    controller.act("no-show")
    resume = f"resume-{parked['number']}"
    qtbot.waitUntil(
        lambda: (
            session.window.findChild(QPushButton, resume) is not None
            and controller.current is None
            and not controller.busy
        ),
        timeout=ANSWER_MS,
    )
    session.window.findChild(QPushButton, resume).click()
    qtbot.waitUntil(
        lambda: controller.current is not None and controller.current.number == parked["number"],
        timeout=ANSWER_MS,
    )
    assert controller.current.status == "serving"
    assert session.window.notes_edit.toPlainText() == "holt Passfoto"


def test_a_break_shows_the_desk_as_unavailable_to_others(open_desk, qtbot) -> None:
    from PySide6.QtWidgets import QApplication

    first = open_desk("clerk1", "1")
    second = open_desk("clerk2", "2")
    first.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first.window, timeout=ANSWER_MS)
    qtbot.keyClick(first.window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: first.controller.desk_state == "paused", timeout=ANSWER_MS)
    qtbot.waitUntil(
        lambda: "Platz 1: in Pause" in second.window.desks_label.text(), timeout=ANSWER_MS
    )
    assert not button(first, "callNextButton").isEnabled()
    assert button(first, "pauseButton").text() == "Weiterarbeiten (F11)"
    qtbot.keyClick(first.window, Qt.Key.Key_F11)
    qtbot.waitUntil(
        lambda: "Platz 1: geöffnet" in second.window.desks_label.text(), timeout=ANSWER_MS
    )


def test_document_ordered_creates_the_pickup(open_desk, server, qtbot) -> None:
    from PySide6.QtCore import QTimer

    from counter_app.clerk.dialogs import OrderDialog

    new_ticket(server, "C")
    session = open_desk("clerk1", "1")
    controller = session.controller
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    controller.call_next()
    qtbot.waitUntil(lambda: button(session, "startButton").isEnabled(), timeout=ANSWER_MS)
    controller.act("start")
    qtbot.waitUntil(lambda: button(session, "documentOrderedButton").isEnabled(), timeout=ANSWER_MS)
    controller.update_draft(case_reference="32-AT-2026-0815")
    session.window.reference_edit.setText("32-AT-2026-0815")

    def fill_in() -> None:
        dialog = session.window.findChild(OrderDialog)
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(50, fill_in)
            return
        assert dialog.reference.text() == "32-AT-2026-0815"
        dialog.holder.setText("Olena Kovalenko")
        dialog.accept()

    QTimer.singleShot(50, fill_in)
    qtbot.keyClick(session.window, Qt.Key.Key_F7)
    notice = session.window.notice_label
    qtbot.waitUntil(lambda: "32-AT-2026-0815" in notice.text(), timeout=ANSWER_MS)
    clerk = server.client(server.login("supervisor"))
    pickups = clerk.get("/sites/demo/pickups").json()
    assert [(p["holder_name"], p["case_reference"], p["status"]) for p in pickups] == [
        ("Olena Kovalenko", "32-AT-2026-0815", "ordered")
    ]


def test_a_kiosk_printer_out_of_paper_shows_at_the_desk_until_it_is_fixed(
    open_desk, server, qtbot
) -> None:
    session = open_desk("clerk1", "1")
    banner = session.window.findChild(QLabel, "printerBanner")
    assert not banner.isVisible()
    kiosk = server.client("demo-kiosk")
    answer = kiosk.post("/sites/demo/devices/printer", json={"state": "paper_out"})
    assert answer.status_code == 200
    qtbot.waitUntil(banner.isVisible, timeout=ANSWER_MS)
    assert banner.text() == "Kiosk lobby-kiosk: Drucker ohne Papier"
    kiosk.post("/sites/demo/devices/printer", json={"state": "ready"})
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=ANSWER_MS)
