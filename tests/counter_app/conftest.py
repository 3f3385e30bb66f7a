"""Desktop tests run headless: Qt's offscreen platform, real widgets, real server."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from counter_app.clerk.app import ClerkSession, receipt_printer
from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.qt.i18n import Language
from counter_app.qt.tasks import Tasks
from tests.support.waits import ANSWER_MS


@pytest.fixture
def open_desk(server, qtbot, tmp_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """Opens a real clerk window signed on at a desk; ``open_desk("clerk1", "1")``."""
    sessions: list[ClerkSession] = []

    def opener(
        user: str, desk: str, language: str = "de", printer: str | None = None
    ) -> ClerkSession:
        """``printer``: the desk's receipt printer URI (none by default)."""
        client = TresenClient(server.url, language=language)
        sign_in = client.login(user, "demo")
        outbox = Outbox(tmp_path / f"outbox-{user}-{desk}.sqlite3")
        worker = receipt_printer(printer, 576) if printer else None
        session = ClerkSession(
            client, sign_in, "demo", desk, Language(language), outbox, Tasks(), worker
        )
        qtbot.addWidget(session.window)
        session.window.resize(1280, 800)
        session.window.show()
        session.window.activateWindow()
        qtbot.waitUntil(session.window.isActiveWindow, timeout=ANSWER_MS)
        session.start()
        qtbot.waitUntil(lambda: session.controller.desk_state == "open", timeout=ANSWER_MS)
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.stop()
        # Every request the desk sent is answered, and its answer delivered while the window
        # still exists (not into the next test).
        session.controller.tasks.wait(ANSWER_MS)
        QApplication.processEvents()
        session.controller.outbox.close()


@pytest.fixture
def open_supervisor(server, qtbot, tmp_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """Opens a real supervisor window signed in (at no desk), following the site live;
    ``open_supervisor()``; exports are written to ``tmp_path`` without a file dialog."""
    from counter_app.supervisor.app import SupervisorSession

    sessions: list[SupervisorSession] = []

    def opener(user: str = "supervisor", language: str = "de") -> SupervisorSession:
        client = TresenClient(server.url, language=language)
        sign_in = client.login(user, "demo")
        session = SupervisorSession(client, sign_in, "demo", Language(language), Tasks())
        session.window.statistics.ask_path = lambda _parent, _title, name: tmp_path / name
        qtbot.addWidget(session.window)
        session.window.resize(1280, 720)
        session.window.show()
        session.window.activateWindow()
        qtbot.waitActive(session.window, timeout=ANSWER_MS)
        session.start()
        qtbot.waitUntil(
            lambda: session.controller.board is not None and session.controller.connected,
            timeout=ANSWER_MS,
        )
        sessions.append(session)
        return session

    yield opener
    for session in sessions:
        session.stop()
        session.controller.tasks.wait(ANSWER_MS)
        QApplication.processEvents()
