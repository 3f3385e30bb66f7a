"""The quick-pickup desk against a real server: what the person at the desk sees, and what the
server records. Pickups are set up through the API as the README shows: a clerk orders one
(the answer carries the receipt's token, once) and marks it ready on a shelf slot; the kiosk
checks it in, which draws a ticket of service P."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPushButton

from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.pickup.app import PickupSession
from counter_app.pickup.camera import CameraSource, FrameScanner
from counter_app.pickup.dialogs import HandOverDialog
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.support.waits import ANSWER_MS

Opener = Callable[..., PickupSession]


@pytest.fixture
def open_pickup_desk(server, qtbot, tmp_path: Path) -> Iterator[Opener]:  # type: ignore[no-untyped-def]
    """A real pickup window signed on at a desk: ``open_pickup_desk()`` is pickup1 at desk 6."""
    sessions: list[PickupSession] = []

    def opener(
        user: str = "pickup1", desk: str = "6", language: str = "de", **camera: Any
    ) -> PickupSession:
        client = TresenClient(server.url, language=language)
        sign_in = client.login(user, "demo")
        outbox = Outbox(tmp_path / f"outbox-{user}-{desk}.sqlite3")
        # The application owns the Tasks. A Tasks owned by Python alone, dropped after a test
        # while a spent relay of it still waits for deleteLater, crashes in ~QObject when that
        # relay goes: the relay's callbacks hold the last reference to the Tasks, whose
        # destructor then deletes the relay (its child) a second time.
        tasks = Tasks(QApplication.instance())
        session = PickupSession(
            client, sign_in, "demo", desk, Language(language), outbox, tasks, **camera
        )
        qtbot.addWidget(session.window)
        session.window.resize(1280, 800)
        session.window.show()
        session.window.activateWindow()
        qtbot.waitUntil(session.window.isActiveWindow, timeout=ANSWER_MS)
        session.start()
        qtbot.waitUntil(
            lambda: session.controller.desk_state == "open" and bool(session.controller.services),
            timeout=ANSWER_MS,
        )
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.stop()
        session.controller.tasks.wait(ANSWER_MS)
        session.controller.outbox.close()


# Setting pickups up as the clerk and the kiosk do -----------------------------------------------


def order(server, holder: str = "Amina Haddad", kind: str = "residence_permit", **more) -> dict:  # type: ignore[no-untyped-def]
    clerk = server.client(server.login("clerk1"))
    answer = clerk.post(
        "/sites/demo/pickups",
        json={
            "document_kind": kind,
            "document_detail": "eAT",
            "case_reference": "ABH-2026-0815",
            "holder_name": holder,
            **more,
        },
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def make_ready(server, pickup: dict, slot: str = "B-17") -> None:  # type: ignore[no-untyped-def]
    clerk = server.client(server.login("clerk1"))
    answer = clerk.post(f"/pickups/{pickup['id']}/ready", json={"slot": slot})
    assert answer.status_code == 200, answer.text


def check_in(server, pickup: dict) -> dict:  # type: ignore[no-untyped-def]
    answer = server.client("demo-kiosk").post(
        "/sites/demo/pickups/check-in", json={"token": pickup["token"]}
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def ready_and_checked_in(server, holder: str = "Amina Haddad", slot: str = "B-17"):  # type: ignore[no-untyped-def]
    pickup = order(server, holder)
    make_ready(server, pickup, slot)
    return pickup, check_in(server, pickup)


def on_server(server, path: str) -> dict:  # type: ignore[no-untyped-def]
    return dict(server.client(server.login("supervisor")).get(path).json())


# What the person at the desk sees ---------------------------------------------------------------


def label(session: PickupSession, name: str) -> QLabel:
    found = session.window.findChild(QLabel, name)
    assert found is not None, name
    return found


def shown(session: PickupSession, name: str) -> str:
    """The text of a label, or "" while it is hidden."""
    widget = label(session, name)
    return widget.text() if widget.isVisible() else ""


def button(session: PickupSession, name: str) -> QPushButton:
    found = session.window.findChild(QPushButton, name)
    assert found is not None, name
    return found


def scan_input(session: PickupSession) -> QLineEdit:
    found = session.window.findChild(QLineEdit, "scanInput")
    assert found is not None
    return found


def scan(qtbot, session: PickupSession, text: str) -> None:  # type: ignore[no-untyped-def]
    """What a keyboard-wedge scanner does: type the code into the focused field, then Enter."""
    field = scan_input(session)
    focused(qtbot, session)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not session.controller.lookup.busy, timeout=ANSWER_MS)


@pytest.fixture
def answer_question(qtbot) -> Iterator[Callable[..., None]]:  # type: ignore[no-untyped-def]
    """``answer_question(key, seen)``: once the hand-over question is open, note its text in
    ``seen`` and press ``key``.

    The timers belong to this fixture. (A static ``QTimer.singleShot`` whose function runs while
    a modal dialog's loop is open is deleted by Qt later, and crashed PySide 6.11 in the next
    test's event loop.)"""
    timers: list[QTimer] = []

    def answer(key: Qt.Key, seen: list[str] | None = None) -> None:
        timer = QTimer()
        timer.setInterval(50)

        def look() -> None:
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, HandOverDialog):
                timer.stop()
                if seen is not None:
                    seen.append(dialog.findChild(QLabel, "handOverQuestion").text())
                qtbot.keyClick(dialog, key)

        timer.timeout.connect(look)
        timer.start()
        timers.append(timer)

    yield answer
    for timer in timers:
        timer.stop()


def focused(qtbot, session: PickupSession) -> None:  # type: ignore[no-untyped-def]
    """The scan field has the keyboard (after a dialog, once the window is active again)."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is scan_input(session), timeout=ANSWER_MS)


def call_next(qtbot, session: PickupSession, number: str) -> None:  # type: ignore[no-untyped-def]
    focused(qtbot, session)
    qtbot.waitUntil(lambda: button(session, "callNextButton").isEnabled(), timeout=ANSWER_MS)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F2)
    qtbot.waitUntil(
        lambda: label(session, "currentTicketLabel").text() == number, timeout=ANSWER_MS
    )


# The tests ----------------------------------------------------------------------------------------


def test_controls_carry_their_stable_names(open_pickup_desk) -> None:
    session = open_pickup_desk()
    for name in (
        "callNextButton",
        "recallButton",
        "noShowButton",
        "startButton",
        "finishButton",
        "handOverButton",
    ):
        assert session.window.findChild(QPushButton, name) is not None, name
    for name in ("scanInput", "pickupDetails", "currentTicketLabel", "offlineBanner"):
        assert session.window.findChild(object, name) is not None, name
    assert QApplication.focusWidget() is scan_input(session)


def test_call_scan_and_hand_over_finishes_the_p_ticket(
    open_pickup_desk, answer_question, server, qtbot, tmp_path: Path
) -> None:
    pickup, ticket = ready_and_checked_in(server, "Amina Haddad", "B-17")
    session = open_pickup_desk()
    window = session.window
    call_next(qtbot, session, ticket["number"])
    assert ticket["number"].startswith("P")
    # the called ticket's pickup shows before the scan (its answer may come after the call's)
    called_pickup = window.findChild(QLabel, "calledPickupLabel")
    qtbot.waitUntil(called_pickup.isVisible, timeout=ANSWER_MS)
    assert "B-17" in called_pickup.text()

    scan(qtbot, session, pickup["token"])
    assert not called_pickup.isVisible()  # the scanned pickup's details say it in full
    assert shown(session, "pickupHolderLabel") == "Amina Haddad"
    assert shown(session, "pickupSlotLabel") == "B-17"
    assert shown(session, "pickupDocumentLabel") == "Aufenthaltstitel · eAT"
    assert shown(session, "pickupStateLabel") == "Abholbereit: nach Ausweisprüfung aushändigen"
    assert f"Eingecheckt als {ticket['number']}." in shown(session, "pickupNoteLabel")
    assert scan_input(session).text() == ""  # ready for the next scan
    hand_over = button(session, "handOverButton")
    assert hand_over.isEnabled()
    picture = tmp_path / "after-scan.png"
    assert window.grab().save(str(picture))
    assert QImage(str(picture)).size().toTuple() == (1280, 800)

    asked: list[str] = []
    answer_question(Qt.Key.Key_Return, asked)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F6)
    assert asked == ["Haben Sie den Ausweis von Amina Haddad geprüft?"]
    qtbot.waitUntil(
        lambda: shown(session, "pickupStateLabel") == "✓ Ausgehändigt", timeout=ANSWER_MS
    )
    assert on_server(server, f"/pickups/{pickup['id']}")["status"] == "handed_over"
    assert on_server(server, f"/pickups/{pickup['id']}")["handed_over_by"] == "pickup1"
    # The P ticket was only called, not started: the desk finished it, one step less.
    qtbot.waitUntil(
        lambda: on_server(server, f"/tickets/{ticket['id']}")["status"] == "done", timeout=ANSWER_MS
    )
    assert on_server(server, f"/tickets/{ticket['id']}")["case"]["outcome"] == "completed"
    qtbot.waitUntil(lambda: label(session, "currentTicketLabel").text() == "—", timeout=ANSWER_MS)
    assert not hand_over.isEnabled()
    focused(qtbot, session)


def test_a_second_scan_says_when_and_by_whom_it_was_handed_over(
    open_pickup_desk, answer_question, server, qtbot
) -> None:
    pickup, ticket = ready_and_checked_in(server)
    session = open_pickup_desk()
    call_next(qtbot, session, ticket["number"])
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F5)  # started this time
    qtbot.waitUntil(lambda: session.controller.current.status == "serving", timeout=ANSWER_MS)
    scan(qtbot, session, pickup["token"])
    answer_question(Qt.Key.Key_Enter)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F6)
    qtbot.waitUntil(
        lambda: on_server(server, f"/tickets/{ticket['id']}")["status"] == "done", timeout=ANSWER_MS
    )

    scan(qtbot, session, pickup["token"])
    assert shown(session, "pickupStateLabel") == "Bereits ausgehändigt"
    note = shown(session, "pickupNoteLabel")
    assert re.search(r"Ausgehändigt am \d\d\.\d\d\.\d{4} \d\d:\d\d von pickup1\.", note), note
    assert not button(session, "handOverButton").isEnabled()
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F6)  # nothing to confirm, nothing happens
    assert session.window.findChild(HandOverDialog) is None
    assert on_server(server, f"/pickups/{pickup['id']}")["status"] == "handed_over"


def test_an_unknown_receipt_is_said_plainly_and_changes_nothing(
    open_pickup_desk, server, qtbot
) -> None:
    pickup, ticket = ready_and_checked_in(server)
    session = open_pickup_desk()
    call_next(qtbot, session, ticket["number"])
    scan(qtbot, session, pickup["token"])
    assert button(session, "handOverButton").isEnabled()

    scan(qtbot, session, "Q2W3E4R5T6Z7U2I3O4P5A6S7D2F3G4H5")
    assert shown(session, "pickupStateLabel") == "Unbekannter Abholschein"
    assert shown(session, "pickupNoteLabel") == (
        "Dieser Abholschein ist hier nicht bekannt. "
        "Bitte prüfen, ob es der richtige Abholschein ist."
    )
    # The receipt scanned before is no longer on the screen, nor can it be handed over.
    assert shown(session, "pickupHolderLabel") == ""
    assert not button(session, "handOverButton").isVisible()
    assert on_server(server, f"/pickups/{pickup['id']}")["status"] == "ready"
    assert on_server(server, f"/tickets/{ticket['id']}")["status"] == "called"
    assert label(session, "currentTicketLabel").text() == ticket["number"]


def test_a_pickup_not_ready_yet_cannot_be_handed_over(open_pickup_desk, server, qtbot) -> None:
    pickup = order(server, "Jonas Weber", kind="passport", expected_ready_on="2099-01-15")
    session = open_pickup_desk()
    scan(qtbot, session, pickup["token"])
    assert shown(session, "pickupStateLabel") == "Bestellt, noch nicht eingetroffen"
    assert shown(session, "pickupHolderLabel") == "Jonas Weber"
    assert shown(session, "pickupDocumentLabel") == "Reisepass · eAT"
    assert shown(session, "pickupNoteLabel").splitlines()[:2] == [
        "Das Dokument ist noch nicht eingetroffen. Nichts aushändigen.",
        "Erwartet ab 15.01.2099.",
    ]
    assert not button(session, "handOverButton").isEnabled()
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F6)
    assert session.window.findChild(HandOverDialog) is None
    assert on_server(server, f"/pickups/{pickup['id']}")["status"] == "ordered"


def test_escape_in_the_question_hands_nothing_over(
    open_pickup_desk, answer_question, server, qtbot
) -> None:
    pickup, _ticket = ready_and_checked_in(server)
    session = open_pickup_desk()
    scan(qtbot, session, pickup["token"])
    asked: list[str] = []
    answer_question(Qt.Key.Key_Escape, asked)
    button(session, "handOverButton").click()
    assert len(asked) == 1
    assert on_server(server, f"/pickups/{pickup['id']}")["status"] == "ready"
    assert shown(session, "pickupStateLabel") == "Abholbereit: nach Ausweisprüfung aushändigen"
    assert button(session, "handOverButton").isEnabled()
    focused(qtbot, session)


def test_a_document_for_another_ticket_leaves_the_desks_ticket_alone(
    open_pickup_desk, answer_question, server, qtbot
) -> None:
    _first, ticket = ready_and_checked_in(server, "Amina Haddad", "B-17")
    other = order(server, "Lena Vogel")
    make_ready(server, other, "C-02")  # never checked in: she came straight to the desk
    session = open_pickup_desk()
    call_next(qtbot, session, ticket["number"])
    scan(qtbot, session, other["token"])
    assert shown(session, "pickupHolderLabel") == "Lena Vogel"
    answer_question(Qt.Key.Key_Return)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F6)
    qtbot.waitUntil(
        lambda: shown(session, "pickupStateLabel") == "✓ Ausgehändigt", timeout=ANSWER_MS
    )
    assert on_server(server, f"/pickups/{other['id']}")["status"] == "handed_over"
    assert on_server(server, f"/tickets/{ticket['id']}")["status"] == "called"
    assert label(session, "currentTicketLabel").text() == ticket["number"]


def test_a_code_typed_in_groups_is_sent_as_typed_and_found(open_pickup_desk, server, qtbot) -> None:
    """Receipts print the code in groups; typed by hand it may carry spaces, dashes and small
    letters. The server normalises it, so the desk sends it on as typed (only surrounding
    whitespace goes, as a scanner's line end) and never refuses it itself."""
    pickup, _ticket = ready_and_checked_in(server)
    session = open_pickup_desk()
    client = session.controller.lookup.client
    sent: list[str] = []
    real = client.lookup_pickup

    def recording(token: str) -> dict:
        sent.append(token)
        return real(token)

    client.lookup_pickup = recording  # type: ignore[method-assign]
    token = pickup["token"]
    typed = " ".join(token[i : i + 4] for i in range(0, len(token), 4)).lower()
    scan(qtbot, session, f"  {typed}\t")
    assert shown(session, "pickupHolderLabel") == "Amina Haddad"
    scan(qtbot, session, "-".join(token[i : i + 8] for i in range(0, len(token), 8)))
    assert shown(session, "pickupHolderLabel") == "Amina Haddad"
    assert sent == [typed, "-".join(token[i : i + 8] for i in range(0, len(token), 8))]


def test_a_role_without_hand_over_is_told_so(open_pickup_desk, server, qtbot) -> None:
    pickup, _ticket = ready_and_checked_in(server)
    session = open_pickup_desk(user="clerk2")  # clerks may work at any desk, not hand over
    scan(qtbot, session, pickup["token"])
    assert shown(session, "pickupStateLabel") == "Nicht erlaubt"
    assert shown(session, "pickupNoteLabel") == "Ihre Rolle erlaubt das nicht."
    assert shown(session, "pickupHolderLabel") == ""


def test_too_many_wrong_scans_are_said_plainly(open_pickup_desk, server, qtbot) -> None:
    session = open_pickup_desk()
    for attempt in range(10):
        scan(qtbot, session, f"WRONG{attempt:02d}")
        assert shown(session, "pickupStateLabel") == "Unbekannter Abholschein"
    scan(qtbot, session, "WRONG10")
    assert shown(session, "pickupStateLabel") == "Zu viele falsche Scans"
    assert shown(session, "pickupNoteLabel") == (
        "Hier wurden zu viele unbekannte Abholscheine gescannt. Bitte eine Minute warten; "
        "die Teamleitung ist informiert."
    )


def test_a_kiosk_check_in_appears_within_a_second(open_pickup_desk, server, qtbot) -> None:
    session = open_pickup_desk()
    waiting = label(session, "waitingLabel")
    assert waiting.text() == "Wartend: 0"
    _pickup, ticket = ready_and_checked_in(server)
    qtbot.waitUntil(lambda: waiting.text() == f"Wartend: 1 · {ticket['number']}", timeout=ANSWER_MS)


def test_handed_over_elsewhere_meanwhile_the_panel_follows(open_pickup_desk, server, qtbot) -> None:
    pickup, _ticket = ready_and_checked_in(server)
    session = open_pickup_desk()
    scan(qtbot, session, pickup["token"])
    assert button(session, "handOverButton").isEnabled()
    supervisor = server.client(server.login("supervisor"))
    answer = supervisor.post(
        f"/pickups/{pickup['id']}/hand-over", json={"token": pickup["token"], "id_checked": True}
    )
    assert answer.status_code == 200
    qtbot.waitUntil(
        lambda: shown(session, "pickupStateLabel") == "Bereits ausgehändigt", timeout=ANSWER_MS
    )
    assert "von supervisor" in shown(session, "pickupNoteLabel")
    assert not button(session, "handOverButton").isEnabled()


def test_calling_the_next_citizen_clears_the_last_ones_pickup(
    open_pickup_desk, answer_question, server, qtbot
) -> None:
    first, ticket = ready_and_checked_in(server, "Amina Haddad")
    _second, next_ticket = ready_and_checked_in(server, "Lena Vogel")
    session = open_pickup_desk()
    call_next(qtbot, session, ticket["number"])
    scan(qtbot, session, first["token"])
    answer_question(Qt.Key.Key_Return)
    qtbot.keyClick(scan_input(session), Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: label(session, "currentTicketLabel").text() == "—", timeout=ANSWER_MS)
    assert shown(session, "pickupHolderLabel") == "Amina Haddad"  # until the next is called
    call_next(qtbot, session, next_ticket["number"])
    assert shown(session, "pickupHolderLabel") == ""
    assert shown(session, "pickupHint") != ""


def test_language_switches_at_run_time(open_pickup_desk, server, qtbot) -> None:
    pickup, _ticket = ready_and_checked_in(server)
    session = open_pickup_desk()
    scan(qtbot, session, pickup["token"])
    assert button(session, "handOverButton").text() == "Aushändigen (F6)"
    button(session, "languageButton").click()
    assert button(session, "handOverButton").text() == "Hand over (F6)"
    assert button(session, "callNextButton").text() == "Call next (F2)"
    assert shown(session, "pickupStateLabel") == "Ready: hand over after the ID check"
    assert shown(session, "pickupDocumentLabel") == "Residence permit · eAT"
    assert QApplication.focusWidget() is scan_input(session)


# The camera ------------------------------------------------------------------------------------


class StandInCamera:
    """Takes the place of QtMultimedia's camera, which cannot exist here (no device, and no
    QtMultimedia): the test hands frames to the desk as the video sink would."""

    name = "Stand-in camera"

    def __init__(self) -> None:
        self.on_frame: Callable[[Any], None] | None = None
        self.stopped = False

    def open(self, device: str, on_frame, on_error, parent) -> CameraSource:  # type: ignore[no-untyped-def]
        assert device == "default"
        self.on_frame = on_frame
        return self

    def stop(self) -> None:
        self.stopped = True


class Frame:
    """A video frame as QVideoFrame offers it: ``toImage()``."""

    def __init__(self, image: QImage) -> None:
        self.image = image

    def toImage(self) -> QImage:
        return self.image


def qr_image(text: str) -> QImage:
    import io

    import qrcode

    buffer = io.BytesIO()
    qrcode.make(text).save(buffer, format="PNG")
    return QImage.fromData(buffer.getvalue())


def test_a_receipt_held_to_the_camera_is_looked_up_once(open_pickup_desk, server, qtbot) -> None:
    """The camera device cannot exist here: a stand-in feeds frames the way QtMultimedia's video
    sink does. What is tested is the wiring: frame → decode off the GUI thread → the same path
    as a typed scan, with the same receipt held there counted once."""
    pickup, _ticket = ready_and_checked_in(server)
    camera = StandInCamera()
    session = open_pickup_desk(camera="default", open_camera=camera.open)
    assert camera.on_frame is not None
    assert shown(session, "cameraStatusLabel").startswith("Kamera: Stand-in camera.")
    assert session.camera is not None
    scanner: FrameScanner = session.camera.scanner
    decoded: list[str] = []
    scanner.decoded.connect(decoded.append)
    frame = Frame(qr_image(pickup["token"]))
    for _ in range(12):  # the receipt stays in view for a while
        camera.on_frame(frame)
        qtbot.waitUntil(lambda: not scanner.decoding, timeout=ANSWER_MS)
        qtbot.wait(60)
    assert decoded == [pickup["token"]]
    qtbot.waitUntil(
        lambda: shown(session, "pickupHolderLabel") == "Amina Haddad", timeout=ANSWER_MS
    )
    assert shown(session, "pickupSlotLabel") == "B-17"
    session.stop()
    assert camera.stopped


def test_without_a_camera_the_window_says_so_and_works(open_pickup_desk, server, qtbot) -> None:
    """The real camera port: here QtMultimedia is not installed (nor is a camera), so the
    window says plainly that no camera can be opened, and scanning by keyboard still works."""
    pickup, _ticket = ready_and_checked_in(server)
    session = open_pickup_desk(camera="default")
    status = shown(session, "cameraStatusLabel")
    assert status.startswith("Keine Kamera verfügbar: "), status
    scan(qtbot, session, pickup["token"])
    assert shown(session, "pickupHolderLabel") == "Amina Haddad"


def test_the_question_confirms_with_enter_and_cancels_with_escape(qtbot) -> None:
    language = Language("en")
    dialog = HandOverDialog(language, "Amina Haddad", "Residence permit", "B-17")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
