"""The case a clerk records, against a real server: it travels with a forwarded ticket, it reaches
the server while the clerk types, and the "document ordered" dialog suggests what the service
orders."""

from __future__ import annotations

from collections.abc import Callable

import requests
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QDialog, QLabel, QPushButton

from tests.support.live_server import LiveServer
from tests.support.waits import ANSWER_MS


def button(session, name: str) -> QPushButton:  # type: ignore[no-untyped-def]
    found = session.window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def step_box(session, text: str) -> QCheckBox:  # type: ignore[no-untyped-def]
    boxes = [b for b in session.window.findChildren(QCheckBox) if b.text() == text]
    assert len(boxes) == 1, [b.text() for b in session.window.findChildren(QCheckBox)]
    return boxes[0]


def new_ticket(server: LiveServer, prefix: str) -> dict:
    kiosk = server.client("demo-kiosk")
    answer = kiosk.post("/sites/demo/tickets", json={"service_id": kiosk.service_id(prefix)})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def when_open(dialog_type: type[QDialog], handle: Callable[[QDialog], None]) -> None:
    """Run ``handle`` on the dialog of ``dialog_type`` once it is on screen (it opens modally)."""

    def look() -> None:
        dialog = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, dialog_type) and w.isVisible()
            ),
            None,
        )
        if dialog is None:
            QTimer.singleShot(50, look)  # not open yet: look again
            return
        handle(dialog)

    QTimer.singleShot(50, look)


def press(qtbot, session, key: Qt.Key) -> None:  # type: ignore[no-untyped-def]
    """A function key at ``session``'s window, as the clerk presses it there."""
    session.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is session.window, timeout=ANSWER_MS)
    qtbot.keyClick(session.window, key)


def serve_next(qtbot, session) -> dict:  # type: ignore[no-untyped-def]
    """F2 then F5: the next citizen is being served at ``session``'s desk."""
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    press(qtbot, session, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: button(session, "startButton").isEnabled(), timeout=ANSWER_MS)
    press(qtbot, session, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: button(session, "transferButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: session.controller.current.status == "serving", timeout=ANSWER_MS)
    return dict(session.controller.current)


def test_forwarding_takes_the_whole_case_to_the_back_office(open_desk, server, qtbot) -> None:
    from counter_app.clerk.dialogs import TransferDialog

    supervisor = server.client(server.login("supervisor"))
    tickets = [new_ticket(server, "B") for _ in range(4)]
    for earlier in tickets[:3]:  # B001-B003 were served elsewhere; B004 is next
        assert supervisor.post(f"/tickets/{earlier['id']}/cancel").status_code == 200
    front = open_desk("clerk1", "1")
    back = open_desk("clerk2", "5")

    serving = serve_next(qtbot, front)
    assert serving["number"] == "B004"
    qtbot.keyClicks(front.window.reference_edit, "BA-2026-0815")
    step_box(front, "Lichtbild geprüft").click()
    qtbot.keyClicks(front.window.notes_edit, "Alter Pass liegt vor")

    def forward(dialog: QDialog) -> None:
        assert isinstance(dialog, TransferDialog)
        assert dialog.desk_box.currentData() == "5"  # the back office comes first
        dialog.reason.setText("Entscheidung Backoffice")
        dialog.accept()

    when_open(TransferDialog, forward)
    press(qtbot, front, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: front.controller.current is None, timeout=ANSWER_MS)
    ticket_id = serving["id"]
    qtbot.waitUntil(
        lambda: supervisor.get(f"/tickets/{ticket_id}").json()["status"] == "transferred",
        timeout=ANSWER_MS,
    )
    case = supervisor.get(f"/tickets/{ticket_id}").json()["case"]
    assert case["case_reference"] == "BA-2026-0815"
    assert case["steps_done"] == ["photo_checked"]
    assert case["notes"] == "Alter Pass liegt vor"
    assert case["forward_reason"] == "Entscheidung Backoffice"

    # At desk 5 the clerk calls B004 and finds the case as desk 1 left it.
    assert serve_next(qtbot, back)["number"] == "B004"
    assert back.window.reference_edit.text() == "BA-2026-0815"
    assert step_box(back, "Lichtbild geprüft").isChecked()
    assert not step_box(back, "Fingerabdrücke erfasst").isChecked()
    assert back.window.notes_edit.toPlainText() == "Alter Pass liegt vor"
    assert "Entscheidung Backoffice" in back.window.findChild(QLabel, "forwardReason").text()


def server_case(server: LiveServer, ticket_id: int) -> dict:
    supervisor = server.client(server.login("supervisor"))
    answer = supervisor.get(f"/tickets/{ticket_id}/case")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_case_reaches_the_server_while_the_clerk_types(open_desk, server, qtbot) -> None:
    new_ticket(server, "B")
    session = open_desk("clerk1", "1")
    serving = serve_next(qtbot, session)
    qtbot.keyClicks(session.window.reference_edit, "BA-2026-0815")
    step_box(session, "Lichtbild geprüft").click()
    qtbot.keyClicks(session.window.notes_edit, "Alter Pass liegt vor")

    supervisor = server.client(server.login("supervisor"))

    def on_the_server() -> bool:
        case = supervisor.get(f"/tickets/{serving['id']}/case").json()
        return (case["case_reference"], case["steps_done"], case["notes"]) == (
            "BA-2026-0815",
            ["photo_checked"],
            "Alter Pass liegt vor",
        )

    qtbot.waitUntil(on_the_server, timeout=ANSWER_MS)
    # Nothing was finished or parked: the citizen is still at the desk, the case on screen.
    assert session.controller.current.status == "serving"
    assert session.window.notes_edit.toPlainText() == "Alter Pass liegt vor"
    assert supervisor.get(f"/tickets/{serving['id']}").json()["status"] == "serving"


def test_the_case_typed_while_the_server_is_gone_arrives_when_it_is_back(
    open_desk, server, qtbot
) -> None:
    new_ticket(server, "B")
    session = open_desk("clerk1", "1")
    controller = session.controller
    serving = serve_next(qtbot, session)

    server.stop()
    banner = session.window.findChild(QLabel, "offlineBanner")
    qtbot.waitUntil(banner.isVisible, timeout=ANSWER_MS)
    qtbot.keyClicks(session.window.notes_edit, "Pass abgelaufen")
    qtbot.waitUntil(lambda: controller.pending_changes() == 1, timeout=ANSWER_MS)
    qtbot.keyClicks(session.window.notes_edit, ", neuer beantragt")
    # Only the newest version waits to be sent, never a stale one after it.
    qtbot.waitUntil(
        lambda: (
            [i.body["notes"] for i in controller.outbox.waiting()]
            == ["Pass abgelaufen, neuer beantragt"]
        ),
        timeout=ANSWER_MS,
    )
    assert controller.current is not None and controller.current.id == serving["id"]
    assert session.window.notes_edit.toPlainText() == "Pass abgelaufen, neuer beantragt"

    server.start()
    qtbot.waitUntil(lambda: controller.pending_changes() == 0, timeout=ANSWER_MS)
    case = server_case(server, serving["id"])
    assert (case["status"], case["notes"]) == ("serving", "Pass abgelaufen, neuer beantragt")
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=ANSWER_MS)
    assert session.window.notes_edit.toPlainText() == "Pass abgelaufen, neuer beantragt"


def offered_documents(dialog) -> list[str]:  # type: ignore[no-untyped-def]
    """The combo's entries as the clerk reads them, up to the separator after the suggestions."""
    texts = [dialog.kind.itemText(i) for i in range(dialog.kind.count())]
    return texts[: texts.index("")] if "" in texts else texts


def visible_receipt(session):  # type: ignore[no-untyped-def]
    from counter_app.clerk.receipt import ReceiptDialog

    dialogs = [d for d in session.window.findChildren(ReceiptDialog) if d.isVisible()]
    return dialogs[0] if dialogs else None


def test_the_order_dialog_suggests_what_the_service_orders(open_desk, server, qtbot) -> None:
    from counter_app.clerk.dialogs import OrderDialog

    passport_ticket, residence_ticket = new_ticket(server, "B"), new_ticket(server, "C")
    session = open_desk("clerk1", "1")
    seen: dict[str, tuple[list[str], str, int]] = {}

    def look_and_order(dialog: QDialog) -> None:
        assert isinstance(dialog, OrderDialog)
        number = session.controller.current.number
        seen[number] = (
            offered_documents(dialog),
            dialog.kind.currentText(),
            dialog.weeks.value(),
        )
        dialog.holder.setText("Olena Kovalenko")
        dialog.reference.setText(f"AZ-{number}")
        dialog.accept()

    for ticket in (passport_ticket, residence_ticket):
        assert serve_next(qtbot, session)["number"] == ticket["number"]
        qtbot.waitUntil(
            lambda: button(session, "documentOrderedButton").isEnabled(), timeout=ANSWER_MS
        )
        when_open(OrderDialog, look_and_order)
        press(qtbot, session, Qt.Key.Key_F7)
        ordered = f"AZ-{ticket['number']}"
        qtbot.waitUntil(
            lambda o=ordered: o in session.window.notice_label.text(), timeout=ANSWER_MS
        )
        # No receipt printer at this desk: the receipt shows on screen; the clerk closes it.
        qtbot.waitUntil(lambda: visible_receipt(session) is not None, timeout=ANSWER_MS)
        visible_receipt(session).reject()
        session.controller.finish("completed")
        qtbot.waitUntil(lambda: session.controller.current is None, timeout=ANSWER_MS)

    assert seen["B001"] == (["Reisepass", "Personalausweis"], "Reisepass", 4)
    assert seen["C001"] == (["Aufenthaltstitel", "Reiseausweis"], "Aufenthaltstitel", 6)
    supervisor = server.client(server.login("supervisor"))
    pickups = supervisor.get("/sites/demo/pickups").json()
    assert sorted((p["case_reference"], p["document_kind"]) for p in pickups) == [
        ("AZ-B001", "passport"),
        ("AZ-C001", "residence_permit"),
    ]


def test_a_case_typed_just_before_the_program_closed_reaches_the_server_at_the_next_start(
    open_desk, server, qtbot
) -> None:
    new_ticket(server, "B")
    first = open_desk("clerk1", "1")
    serving = serve_next(qtbot, first)
    # Typed, and the program closes before the case could go to the server.
    first.controller.update_draft(notes="Vollmacht liegt vor", case_reference="BA-7")
    first.stop()
    first.window.close()
    assert server_case(server, serving["id"])["notes"] == ""

    again = open_desk("clerk1", "1")  # the same PC: the same outbox on its disk
    qtbot.waitUntil(
        lambda: (
            again.controller.current is not None and again.controller.current.id == serving["id"]
        ),
        timeout=ANSWER_MS,
    )
    assert again.window.notes_edit.toPlainText() == "Vollmacht liegt vor"
    qtbot.waitUntil(
        lambda: server_case(server, serving["id"])["notes"] == "Vollmacht liegt vor",
        timeout=ANSWER_MS,
    )
    assert server_case(server, serving["id"])["case_reference"] == "BA-7"


def test_a_case_saved_at_one_desk_makes_no_other_desk_read_the_queue_again(
    open_desk, server, qtbot
) -> None:
    """Saving as the clerk types writes an event every few seconds; the other desks' queue and
    desk list do not change by it, so they must not re-read them (10 desks would otherwise make
    the server compute the whole queue 10 times every 2 s per typing clerk)."""
    new_ticket(server, "B")
    typing = open_desk("clerk1", "1")
    watching = open_desk("clerk2", "2")
    seen: list[str] = []
    watching.live.received.connect(lambda event: seen.append(event.type))
    serving = serve_next(qtbot, typing)
    # The watching desk has read what the call and the start changed, and reads nothing more.
    qtbot.waitUntil(lambda: "ticket.started" in seen, timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: not watching.controller._refreshing, timeout=ANSWER_MS)
    reads: list[str] = []
    read_view = watching.controller.client.desk_view

    def counting_view(site: str, desk: str):  # type: ignore[no-untyped-def]
        reads.append(desk)
        return read_view(site, desk)

    watching.controller.client.desk_view = counting_view  # type: ignore[method-assign]
    qtbot.keyClicks(typing.window.notes_edit, "Meldebescheinigung liegt vor")
    qtbot.waitUntil(lambda: "ticket.case_updated" in seen, timeout=ANSWER_MS)
    assert server_case(server, serving["id"])["notes"] == "Meldebescheinigung liegt vor"
    assert reads == []

    # A change of the queue still reaches the watching desk at once.
    new_ticket(server, "A")
    qtbot.waitUntil(lambda: reads != [], timeout=ANSWER_MS)


def test_a_citizens_feedback_makes_no_desk_read_the_queue_again(open_desk, server, qtbot) -> None:
    """A citizen's answer to "How was your visit?" on the status page is an event of the site,
    which reaches every desk; it changes no queue, so no desk re-reads it."""
    mine = new_ticket(server, "B")
    clerk = server.client(server.login("clerk1"))
    watching = open_desk("clerk2", "2")
    seen: list[str] = []
    watching.live.received.connect(lambda event: seen.append(event.type))
    assert clerk.post("/sites/demo/desks/1/call-next").json()["id"] == mine["id"]
    for action in ("start", "finish"):
        body = {"outcome": "completed"} if action == "finish" else None
        assert clerk.post(f"/tickets/{mine['id']}/{action}", json=body).status_code == 200
    qtbot.waitUntil(lambda: "ticket.finished" in seen, timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: not watching.controller._refreshing, timeout=ANSWER_MS)
    reads: list[str] = []
    read_view = watching.controller.client.desk_view

    def counting_view(site: str, desk: str):  # type: ignore[no-untyped-def]
        reads.append(desk)
        return read_view(site, desk)

    watching.controller.client.desk_view = counting_view  # type: ignore[method-assign]
    answer = requests.post(
        f"{server.url}/t/{mine['status_token']}/feedback", json={"score": 5}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    qtbot.waitUntil(lambda: "ticket.feedback_given" in seen, timeout=ANSWER_MS)
    assert reads == []


def test_a_pasted_note_with_invisible_control_characters_still_reaches_the_server(
    open_desk, server, qtbot
) -> None:
    """Text pasted from a PDF or Word carries form feeds and vertical tabs the clerk cannot see;
    the server refuses control characters, so the desk sends the text without them (else the
    save would fail with a reason the clerk cannot find)."""
    new_ticket(server, "B")
    session = open_desk("clerk1", "1")
    serving = serve_next(qtbot, session)
    clipboard = QApplication.clipboard()
    clipboard.setText("Seite 1\x0cSeite 2\x0b\tEnde\nNeue Zeile")
    session.window.notes_edit.paste()
    clipboard.setText("BA-2026\x1b-0815")
    session.window.reference_edit.paste()

    def on_the_server() -> bool:
        case = server_case(server, serving["id"])
        return (case["notes"], case["case_reference"]) == (
            "Seite 1Seite 2\tEnde\nNeue Zeile",
            "BA-2026-0815",
        )

    qtbot.waitUntil(on_the_server, timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: session.controller.outbox.pending_count() == 0, timeout=ANSWER_MS)
