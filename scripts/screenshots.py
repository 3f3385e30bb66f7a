"""Render the README's screenshots from the real widgets against a real demo server.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py

Writes docs/screenshots/clerk-*.png (German, 1280x720: the smallest screen the window serves).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from counter_app.clerk.app import ClerkSession  # noqa: E402
from counter_app.clerk.login import DeskRun, LoginDialog  # noqa: E402
from counter_app.core.api import TresenClient  # noqa: E402
from counter_app.core.outbox import Outbox  # noqa: E402
from counter_app.core.settings import DeskSettings  # noqa: E402
from counter_app.qt.i18n import Language  # noqa: E402
from counter_app.qt.tasks import Tasks  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait_for(app: QApplication, condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the state to photograph")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QApplication, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp())
    url = demo_database(folder, "shots.sqlite3")
    server = LiveServer(url)
    server.start()
    kiosk = server.client("demo-kiosk")
    services = {s["prefix"]: s["id"] for s in kiosk.get("/sites/demo/services").json()}
    for prefix in "AABCABCAB":
        kiosk.post("/sites/demo/tickets", json={"service_id": services[prefix]})
    colleague = server.client(server.login("clerk2"))
    colleague.post("/sites/demo/desks/2/call-next")

    client = TresenClient(server.url)
    sign_in = client.login("clerk1", "demo")
    session = ClerkSession(
        client, sign_in, "demo", "1", Language("de"), Outbox(folder / "outbox.sqlite3"), Tasks()
    )
    window, controller = session.window, session.controller
    window.resize(1280, 720)
    window.show()
    session.start()
    wait_for(app, lambda: len(controller.waiting) == 8 and controller.desk_state == "open")
    settle(app, 1.2)
    window.grab().save(str(OUT / "clerk-queue.png"))

    # One citizen parked (fetching a document), the next one served.
    controller.call_next()
    wait_for(app, lambda: controller.current is not None and not controller.busy)
    controller.act("start")
    wait_for(app, lambda: controller.current is not None and controller.current.status == "serving")
    controller.park()
    wait_for(app, lambda: len(controller.parked) == 1 and controller.outbox.pending_count() == 0)
    controller.call_next()
    wait_for(app, lambda: controller.current is not None)
    controller.act("start")
    wait_for(
        app,
        lambda: (
            controller.current is not None
            and controller.current.status == "serving"
            and not controller.busy
        ),
    )
    window.notes_edit.setPlainText(
        "Mietvertrag liegt vor; Wohnungsgeberbestätigung wird nachgereicht."
    )
    window._checkboxes[0].setChecked(True)
    settle(app, 1.2)
    window.grab().save(str(OUT / "clerk-serving.png"))

    # A colleague signing in at desk 2, which clerk2 holds: named, with the take-over button.
    dialog = LoginDialog(
        DeskSettings(server=server.url, site="demo", user="clerk3", desk="2"),
        Language("de"),
        Tasks(),
    )
    DeskRun(dialog, lambda _client, _sign_in: session)  # never opens: the dialog is photographed
    dialog.show()
    dialog.password.setText("demo")
    dialog.attempt()
    wait_for(app, dialog.take_over_button.isVisible)
    settle(app, 0.3)
    dialog.grab().save(str(OUT / "clerk-take-over.png"))
    dialog.close()

    server.stop()
    wait_for(app, lambda: not controller.online)
    controller.finish("documents_missing")
    settle(app, 0.5)
    window.grab().save(str(OUT / "clerk-offline.png"))
    session.stop()
    appointments(app, folder)
    print(f"written to {OUT}")


def appointments(app: QApplication, folder: Path, big: Path | None = None) -> None:
    """The queue with appointments checked in, one of them at the desk (``clerk-appointments``;
    with ``big``, the same at 1920x1080 there too)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from central_server.models import Ticket

    url = demo_database(folder, "appointments.sqlite3")
    server = LiveServer(url)
    server.start()
    kiosk = server.client("demo-kiosk")
    services = {s["prefix"]: s["id"] for s in kiosk.get("/sites/demo/services").json()}
    now = datetime.now(UTC)
    minute = now.replace(second=0, microsecond=0)

    def ticket(prefix: str, ago: int, **fields: object) -> None:
        """A ticket queued ``ago`` minutes ago; ``appointment_at`` etc. as a check-in or an
        offline upload would have recorded them."""
        body = {"service_id": services[prefix]}
        body |= {k: v for k, v in fields.items() if k in ("priority", "language")}
        answer = kiosk.post("/sites/demo/tickets", json=body)
        values = {k: v for k, v in fields.items() if k not in ("priority", "language")}
        assert server.db is not None
        with server.db.write_session() as db:
            db.execute(
                update(Ticket)
                .where(Ticket.id == answer.json()["id"])
                .values(queued_at=now - timedelta(minutes=ago), **values)
            )

    ticket("B", 9, priority="appointment", language="uk", appointment_at=minute)
    ticket("A", 31, language="tr")
    ticket("C", 6, priority="appointment", appointment_at=minute + timedelta(minutes=1))
    ticket("A", 24, issued_offline=True)
    ticket("B", 12, language="ar")
    ticket("C", 4)
    ticket(
        "A", 2, priority="appointment", language="ru", appointment_at=minute + timedelta(minutes=40)
    )
    clerk2 = server.client(server.login("clerk2"))
    clerk2.post("/sites/demo/tickets", json={"service_id": services["B"], "priority": "urgent"})

    client = TresenClient(server.url)
    sign_in = client.login("clerk1", "demo")
    session = ClerkSession(
        client, sign_in, "demo", "1", Language("de"), Outbox(folder / "outbox-a.sqlite3"), Tasks()
    )
    window, controller = session.window, session.controller
    window.resize(1280, 720)
    window.show()
    session.start()
    wait_for(app, lambda: len(controller.waiting) == 8 and controller.desk_state == "open")
    controller.call_next()
    wait_for(app, lambda: controller.current is not None and len(controller.waiting) == 7)
    settle(app, 1.2)
    window.grab().save(str(OUT / "clerk-appointments.png"))
    if big is not None:
        window.resize(1920, 1080)
        settle(app, 0.8)
        window.grab().save(str(big))
    session.stop()
    server.stop()


if __name__ == "__main__":
    main()
