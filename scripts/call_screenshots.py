"""Render the clerk's window calling a particular citizen and offering "Undo" after F4, from
the real window against a real demo server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/call_screenshots.py

Writes docs/screenshots/clerk-call-particular.png (desk 3 asks "A003 jetzt an Platz 3
aufrufen?") and clerk-undo-no-show.png (desk 3 just marked A001 as no-show), at 1280x720,
the smallest clerk screen. German.
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

from emergency_screenshots import desk  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshots import settle, wait_for  # noqa: E402
from supervisor_screenshots import over  # noqa: E402

from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    server = LiveServer(demo_database(folder, "call-shots.sqlite3"))
    server.start()
    kiosk = server.client("demo-kiosk")
    services = {s["prefix"]: s["id"] for s in kiosk.get("/sites/demo/services").json()}
    for prefix in "ABAAB":
        kiosk.post("/sites/demo/tickets", json={"service_id": services[prefix]})
    session = desk(server, folder, "clerk3", "3")
    wait_for(app, lambda: len(session.controller.waiting) == 5)
    settle(app)
    window = session.window
    view = window.queue_view
    row = next(i for i, t in enumerate(session.controller.waiting) if t.number == "A003")
    view.selectRow(row)
    window.particular.confirm(session.controller.waiting[row])
    wait_for(app, lambda: window.particular.confirmation is not None)
    settle(app)
    over(window, window.particular.confirmation).save(str(OUT / "clerk-call-particular.png"))
    window.particular.confirmation.reject()
    settle(app)

    session.controller.call_next()
    wait_for(app, lambda: session.controller.current is not None)
    session.controller.act("no_show")
    wait_for(app, lambda: window.particular.undo_row.isVisible())
    settle(app)
    window.grab().save(str(OUT / "clerk-undo-no-show.png"))

    session.stop()
    server.stop()


if __name__ == "__main__":
    main()
