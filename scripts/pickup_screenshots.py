"""Render the quick-pickup desk for the README, from the real widgets against a real demo server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/pickup_screenshots.py

Writes docs/screenshots/pickup-desk.png (a ready document after the scan),
pickup-handed-over.png (the same receipt scanned again after the hand-over) and
pickup-unknown.png (a receipt the server does not know), pickup-undo.png (a no-show with Undo
offered, and a number typed to call); German, 1280x720 (the smallest desk screen).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from counter_app.core.api import TresenClient  # noqa: E402
from counter_app.core.outbox import Outbox  # noqa: E402
from counter_app.pickup.app import PickupSession  # noqa: E402
from counter_app.qt.i18n import Language  # noqa: E402
from counter_app.qt.tasks import Tasks  # noqa: E402
from scripts.screenshots import settle, wait_for  # noqa: E402
from tests.support.live_server import ApiClient, LiveServer  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def ready_pickup(clerk: ApiClient, kiosk: ApiClient, holder: str, slot: str) -> str:
    """A residence permit ready in ``slot``, checked in at the kiosk; its receipt's token."""
    made = clerk.post(
        "/sites/demo/pickups",
        json={
            "document_kind": "residence_permit",
            "document_detail": "eAT, Fiktionsbescheinigung zurückgeben",
            "case_reference": "ABH-2026-04711",
            "holder_name": holder,
        },
    ).json()
    clerk.post(f"/pickups/{made['id']}/ready", json={"slot": slot}).raise_for_status()
    kiosk.post("/sites/demo/pickups/check-in", json={"token": made["token"]}).raise_for_status()
    return str(made["token"])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    server = LiveServer(demo_database(folder, "pickup-shots.sqlite3"))
    server.start()
    clerk = server.client(server.login("clerk1"))
    kiosk = server.client("demo-kiosk")
    token = ready_pickup(clerk, kiosk, "Oksana Melnyk-Schröder", "C-17")
    for holder, slot in (("Mehmet Aydın", "A-03"), ("Grace Mensah", "D-41")):
        ready_pickup(clerk, kiosk, holder, slot)

    client = TresenClient(server.url)
    sign_in = client.login("pickup1", "demo")
    session = PickupSession(
        client, sign_in, "demo", "6", Language("de"), Outbox(folder / "outbox.sqlite3"), Tasks()
    )
    window, controller, lookup = session.window, session.controller, session.controller.lookup
    window.resize(1280, 720)
    window.show()
    session.start()
    wait_for(app, lambda: len(controller.waiting) == 3 and controller.desk_state == "open")
    controller.call_next()
    wait_for(app, lambda: controller.current is not None and not controller.busy)
    controller.act("start")
    wait_for(app, lambda: controller.current is not None and controller.current.status == "serving")
    window.scan_input.setText(token)
    window.scan_input.returnPressed.emit()
    wait_for(app, lambda: lookup.pickup is not None and not lookup.busy)
    settle(app, 1.2)
    window.grab().save(str(OUT / "pickup-desk.png"))

    lookup.hand_over(lookup.pickup.id)
    wait_for(app, lambda: lookup.handed_over_here and controller.current is None)
    controller.call_next()  # at once, as staff do: it waits for the finish to reach the server
    wait_for(
        app,
        lambda: (
            controller.current is not None
            and controller.current.number == "P002"
            and not controller.busy
        ),
    )
    window.scan_input.setText(token)
    window.scan_input.returnPressed.emit()
    wait_for(app, lambda: lookup.pickup is not None and not lookup.busy)
    settle(app, 1.2)
    window.grab().save(str(OUT / "pickup-handed-over.png"))

    window.scan_input.setText("K7QX 2MVD 3PLA TR4E")
    window.scan_input.returnPressed.emit()
    wait_for(app, lambda: lookup.error is not None and not lookup.busy)
    settle(app, 1.2)
    window.grab().save(str(OUT / "pickup-unknown.png"))

    # P002 did not come: F4, then Undo is offered; Ctrl+N and a number to call another
    window.scan_input.clear()
    lookup.clear()
    controller.act("no_show")
    wait_for(app, lambda: controller.current is None and not controller.busy)
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(app.focusWidget(), "p3")
    settle(app, 1.2)
    window.grab().save(str(OUT / "pickup-undo.png"))
    session.stop()
    server.stop()
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
