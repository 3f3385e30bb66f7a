"""The emergency call in the real windows against a real server: a clerk presses Ctrl+Shift+F12,
the other desks (the pickup desk too) and the supervisor see the red overlay within a second and
hear the alarm, one answers "Ich komme", everybody sees who is coming, the caller ends it.

The alarm cannot be heard here (offscreen, no sound device): the tests check that the effect
holds the bundled WAV and was started, and stopped once somebody is coming."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QPushButton, QWidget

from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.pickup.app import PickupSession
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.support.live_server import LiveServer
from tests.support.waits import ANSWER_MS

#: The issue's promise: another desk sees the call within a second of the key press.
WITHIN_MS = 1000


@pytest.fixture
def open_pickup_desk(server: LiveServer, qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The real pickup window of pickup1 at desk 6 (as ``test_pickup_window`` opens it)."""
    sessions: list[PickupSession] = []

    def opener() -> PickupSession:
        client = TresenClient(server.url)
        sign_in = client.login("pickup1", "demo")
        outbox = Outbox(tmp_path / "outbox-pickup.sqlite3")
        # Owned by the application: see ``test_pickup_window.open_pickup_desk``.
        tasks = Tasks(QApplication.instance())
        session = PickupSession(client, sign_in, "demo", "6", Language("de"), outbox, tasks)
        qtbot.addWidget(session.window)
        session.window.resize(1280, 800)
        session.window.show()
        session.start()
        qtbot.waitUntil(lambda: session.controller.desk_state == "open", timeout=ANSWER_MS)
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.stop()
        session.controller.tasks.wait(ANSWER_MS)
        session.controller.outbox.close()


def _find(window: QMainWindow, kind: type, name: str) -> Any:
    found = window.findChild(kind, name)
    assert found is not None, name
    return found


def overlay_shown(session: Any) -> bool:
    return bool(_find(session.window, QWidget, "emergencyOverlay").isVisible())


def text(session: Any, name: str) -> str:
    label = _find(session.window, QLabel, name)
    return str(label.text()) if label.isVisible() else ""


def _live(sessions: list[Any], server: LiveServer, qtbot: Any) -> None:
    """Wait until every window follows the live stream: a desk signed on after they opened is
    seen by each (through an event, or the read after its stream connected)."""
    server.client(server.login("clerk4")).post("/sites/demo/desks/4/sign-on")
    for session in sessions:
        if hasattr(session.controller, "desks"):
            qtbot.waitUntil(
                lambda s=session: any(
                    d.code == "4" and d.signed_on_user == "clerk4" for d in s.controller.desks
                ),
                timeout=ANSWER_MS,
            )
        else:
            qtbot.waitUntil(lambda s=session: s.controller.connected, timeout=ANSWER_MS)


def test_the_call_reaches_every_other_desk_within_a_second(
    server: LiveServer, open_desk: Any, open_pickup_desk: Any, open_supervisor: Any, qtbot: Any
) -> None:
    desk1 = open_desk("clerk1", "1")
    desk2 = open_desk("clerk2", "2")
    pickup = open_pickup_desk()
    supervisor = open_supervisor()
    _live([desk1, desk2, pickup, supervisor], server, qtbot)
    others = [desk2, pickup, supervisor]
    assert not any(overlay_shown(s) for s in [desk1, *others])
    assert pickup.window.focusWidget().objectName() == "scanInput"

    desk1.window.activateWindow()
    qtbot.waitUntil(desk1.window.isActiveWindow, timeout=ANSWER_MS)
    pressed = time.monotonic()
    qtbot.keyClick(
        desk1.window,
        Qt.Key.Key_F12,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: overlay_shown(desk2), timeout=WITHIN_MS)
    seen_after = time.monotonic() - pressed
    assert seen_after < WITHIN_MS / 1000
    # The combination is only the call: F12 alone opens the arrivals, which stay closed.
    assert QApplication.activeModalWidget() is None
    for session in others:
        qtbot.waitUntil(lambda s=session: overlay_shown(s), timeout=ANSWER_MS)
        assert text(session, "emergencyTitle") == "Notruf an Platz 1"
        assert "clerk1" in text(session, "emergencyDetails")
        assert text(session, "emergencyHelpers") == "Noch hat niemand geantwortet."
        sound = session.emergency.sound
        assert sound.effect is not None
        assert Path(sound.effect.source().toLocalFile()).name == "emergency.wav"
        assert sound.sounding
    # The caller's own screen stays calm: no overlay, no alarm, one grey line.
    assert not overlay_shown(desk1) and not desk1.emergency.sound.sounding
    assert text(desk1, "emergencyStatusLabel") == (
        "Hilfe angefordert. Noch hat niemand geantwortet."
    )
    assert not _find(desk1.window, QPushButton, "emergencyButton").isEnabled()
    # The supervisor may end it from the overlay; a desk may not.
    assert _find(supervisor.window, QPushButton, "emergencyOverlayEndButton").isVisible()
    assert not _find(desk2.window, QPushButton, "emergencyOverlayEndButton").isVisible()

    qtbot.mouseClick(
        _find(desk2.window, QPushButton, "emergencyRespondButton"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(
        lambda: "clerk2 (Platz 2)" in text(desk1, "emergencyStatusLabel"), timeout=ANSWER_MS
    )
    assert text(desk1, "emergencyStatusLabel") == "Hilfe angefordert. Es kommt: clerk2 (Platz 2)"
    for session in others:
        qtbot.waitUntil(
            lambda s=session: text(s, "emergencyHelpers") == "Es kommt: clerk2 (Platz 2)",
            timeout=ANSWER_MS,
        )
        # Somebody is coming: the alarm stops everywhere.
        assert not session.emergency.sound.sounding
    responded = _find(desk2.window, QPushButton, "emergencyRespondButton")
    assert not responded.isEnabled() and responded.text() == "Sie sind unterwegs"

    qtbot.mouseClick(
        _find(desk1.window, QPushButton, "emergencyEndButton"), Qt.MouseButton.LeftButton
    )
    for session in others:
        qtbot.waitUntil(lambda s=session: not overlay_shown(s), timeout=ANSWER_MS)
        assert text(session, "emergencyStatusLabel") == ""
    qtbot.waitUntil(lambda: text(desk1, "emergencyStatusLabel") == "", timeout=ANSWER_MS)
    assert _find(desk1.window, QPushButton, "emergencyButton").isEnabled()
    # The pickup desk's scanner types into its field again, not into the overlay gone.
    assert pickup.window.focusWidget().objectName() == "scanInput"


def test_the_pickup_desk_calls_too_and_a_refusal_is_shown_to_the_caller(
    server: LiveServer, open_desk: Any, open_pickup_desk: Any, qtbot: Any
) -> None:
    desk3 = open_desk("clerk3", "3", language="en")
    pickup = open_pickup_desk()
    _live([desk3, pickup], server, qtbot)
    qtbot.mouseClick(
        _find(pickup.window, QPushButton, "emergencyButton"), Qt.MouseButton.LeftButton
    )
    qtbot.waitUntil(lambda: overlay_shown(desk3), timeout=ANSWER_MS)
    assert text(desk3, "emergencyTitle") == "Emergency call at Schnellschalter"
    assert _find(desk3.window, QPushButton, "emergencyRespondButton").text() == "I am coming"
    # Put away, the call stays in the red line at the bottom and the alarm stops.
    qtbot.mouseClick(
        _find(desk3.window, QPushButton, "emergencyHideButton"), Qt.MouseButton.LeftButton
    )
    assert not overlay_shown(desk3) and not desk3.emergency.sound.sounding
    assert text(desk3, "emergencyStatusLabel") == (
        "Emergency call at Schnellschalter – Nobody has answered yet."
    )
    # A desk opened during the call shows it at once (read when its stream is up).
    late = open_desk("clerk1", "1")
    qtbot.waitUntil(lambda: overlay_shown(late), timeout=ANSWER_MS)
    assert text(late, "emergencyTitle") == "Notruf an Schnellschalter"
    # Somebody else ended it meanwhile: the caller's window learns it from the stream.
    server.client(server.login("supervisor")).post("/sites/demo/desks/6/emergency/end")
    qtbot.waitUntil(lambda: text(pickup, "emergencyStatusLabel") == "", timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: text(desk3, "emergencyStatusLabel") == "", timeout=ANSWER_MS)
    qtbot.waitUntil(lambda: not overlay_shown(late), timeout=ANSWER_MS)
    # A call the server refuses (the desk was signed off elsewhere) says so, plainly, to the
    # caller: they must phone instead.
    server.client(server.login("supervisor")).post("/sites/demo/desks/3/sign-off")
    QApplication.processEvents()
    desk3.emergency.call_for_help()
    qtbot.waitUntil(
        lambda: "could NOT be requested" in text(desk3, "emergencyStatusLabel"), timeout=ANSWER_MS
    )
    assert "Please phone for help." in text(desk3, "emergencyStatusLabel")


def test_the_keys_call_from_a_dialog_open_at_the_desk(
    server: LiveServer, open_desk: Any, qtbot: Any
) -> None:
    """A dialog of the window (here the arrivals, F12) blocks the window's shortcuts: the keys
    still call, and the dialog stays as it was (nothing alarming at the caller's desk)."""
    desk1 = open_desk("clerk1", "1")
    desk2 = open_desk("clerk2", "2")
    _live([desk1, desk2], server, qtbot)
    desk1.window.activateWindow()
    qtbot.waitUntil(desk1.window.isActiveWindow, timeout=ANSWER_MS)
    qtbot.keyClick(desk1.window, Qt.Key.Key_F12)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is not None, timeout=ANSWER_MS)
    dialog = QApplication.activeModalWidget()
    assert dialog is not None and dialog.parentWidget() is desk1.window
    try:
        qtbot.keyClick(
            dialog.focusWidget() or dialog,
            Qt.Key.Key_F12,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        qtbot.waitUntil(lambda: overlay_shown(desk2), timeout=WITHIN_MS)
        assert text(desk2, "emergencyTitle") == "Notruf an Platz 1"
        assert QApplication.activeModalWidget() is dialog  # still open, as the clerk left it
        assert not overlay_shown(desk1)
    finally:
        dialog.close()
