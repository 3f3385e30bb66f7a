"""Render the emergency call's screenshots from the real windows against a real demo server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/emergency_screenshots.py

Desk 3 (clerk1) calls for help; desk 2 (clerk2) sees the overlay, clerk4 at desk 4 is coming.
Writes docs/screenshots/clerk-emergency.png (desk 2 at 1280x720, the smallest clerk screen),
clerk-emergency-large.png (1920x1080) and clerk-emergency-caller.png (desk 3: what the citizen
in front could see). German.
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

from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshots import settle, wait_for  # noqa: E402

from counter_app.clerk.app import ClerkSession  # noqa: E402
from counter_app.core.api import TresenClient  # noqa: E402
from counter_app.core.outbox import Outbox  # noqa: E402
from counter_app.qt.i18n import Language  # noqa: E402
from counter_app.qt.tasks import Tasks  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def desk(server: LiveServer, folder: Path, user: str, code: str) -> ClerkSession:
    client = TresenClient(server.url)
    sign_in = client.login(user, "demo")
    outbox = Outbox(folder / f"outbox-{code}.sqlite3")
    session = ClerkSession(client, sign_in, "demo", code, Language("de"), outbox, Tasks())
    session.window.resize(1280, 720)
    session.window.show()
    session.start()
    return session


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
    caller = desk(server, folder, "clerk1", "3")
    seeing = desk(server, folder, "clerk2", "2")
    for session in (caller, seeing):
        wait_for(app, lambda s=session: s.controller.desk_state == "open")
    helper = server.client(server.login("clerk4"))
    helper.post("/sites/demo/desks/4/sign-on")
    wait_for(app, lambda: any(d.signed_on_user == "clerk4" for d in seeing.controller.desks))
    caller.controller.call_next()
    wait_for(app, lambda: caller.controller.current is not None)
    settle(app)

    caller.emergency.call_for_help()
    wait_for(app, lambda: seeing.emergency.overlay.isVisible())
    seeing.emergency.sound.stop()  # nobody hears a screenshot
    settle(app)
    seeing.window.grab().save(str(OUT / "clerk-emergency.png"))
    seeing.window.resize(1920, 1080)
    settle(app)
    seeing.window.grab().save(str(OUT / "clerk-emergency-large.png"))
    seeing.window.resize(1280, 720)

    helper.post("/sites/demo/desks/3/emergency/respond", json={"desk": "4"})
    wait_for(app, lambda: "clerk4" in caller.emergency.status_label.text())
    wait_for(app, lambda: "clerk4" in seeing.emergency.overlay.helpers.text())
    settle(app)
    caller.window.grab().save(str(OUT / "clerk-emergency-caller.png"))

    for session in (caller, seeing):
        session.stop()
    server.stop()


if __name__ == "__main__":
    main()
