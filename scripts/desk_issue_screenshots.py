"""Render the desk's cancel and urgent-ticket dialogs from the real clerk window against a real
demo server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/desk_issue_screenshots.py

Desk 1 (clerk1) at 1280x720, the smallest clerk screen, with a queue. Writes
docs/screenshots/clerk-cancel.png (the reason asked for the selected waiting ticket),
clerk-urgent.png (service and language of an urgent ticket) and clerk-urgent-shown.png (the
urgent ticket shown on screen: this desk has no printer). German. The dialogs are drawn over
the window where they open.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtGui import QColor, QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402
from screenshots import settle, wait_for  # noqa: E402

from counter_app.clerk.app import ClerkSession  # noqa: E402
from counter_app.clerk.desk_issue import (  # noqa: E402
    CancelDialog,
    IssuedTicketDialog,
    UrgentDialog,
)
from counter_app.core.api import TresenClient  # noqa: E402
from counter_app.core.outbox import Outbox  # noqa: E402
from counter_app.qt.i18n import Language  # noqa: E402
from counter_app.qt.tasks import Tasks  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def over(window: QWidget, dialog: QDialog) -> QPixmap:
    """The window with the dialog drawn where it opens: centred over it."""
    shot = window.grab()
    dialog.adjustSize()
    inner = dialog.grab()
    painter = QPainter(shot)
    painter.fillRect(shot.rect(), QColor(0, 0, 0, 70))  # the window dimmed behind the question
    painter.drawPixmap(
        QPoint((shot.width() - inner.width()) // 2, (shot.height() - inner.height()) // 2), inner
    )
    painter.end()
    return shot


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    server = LiveServer(demo_database(folder, "shots.sqlite3"))
    server.start()
    kiosk = server.client("demo-kiosk")
    services = {s["prefix"]: s["id"] for s in kiosk.get("/sites/demo/services").json()}
    for prefix in "AABCAB":
        kiosk.post("/sites/demo/tickets", json={"service_id": services[prefix]})
    client = TresenClient(server.url)
    sign_in = client.login("clerk1", "demo")
    outbox = Outbox(folder / "outbox.sqlite3")
    session = ClerkSession(client, sign_in, "demo", "1", Language("de"), outbox, Tasks())
    window = session.window
    window.resize(1280, 720)
    window.show()
    session.start()
    wait_for(app, lambda: len(session.controller.waiting) == 6)
    window.queue_view.selectRow(2)
    settle(app)

    ticket = session.controller.waiting[2]
    name = session.controller.services[ticket.service_id].name_in("de")
    cancel = CancelDialog(window.language, ticket.number, name, window)
    cancel.why.setCurrentIndex(1)
    cancel.reason.setText("hat schon A002")
    cancel.show()
    settle(app)
    over(window, cancel).save(str(OUT / "clerk-cancel.png"))
    cancel.close()

    urgent = UrgentDialog(window.language, list(session.controller.services.values()), window)
    urgent.language_box.setCurrentIndex(2)
    urgent.show()
    settle(app)
    over(window, urgent).save(str(OUT / "clerk-urgent.png"))
    urgent.close()

    session.controller.issue_urgent(services["B"], "tr")
    wait_for(app, lambda: window.findChild(IssuedTicketDialog) is not None)
    shown = window.findChild(IssuedTicketDialog)
    settle(app)
    over(window, shown).save(str(OUT / "clerk-urgent-shown.png"))
    shown.close()

    session.stop()
    server.stop()


if __name__ == "__main__":
    main()
