"""Render the kiosk's screens and printed tickets for the README, from the real widgets against
a real demo server and the test printer of the tests.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/kiosk_screenshots.py

Writes docs/screenshots/kiosk-*.png (screens) and docs/screenshots/ticket-<lang>.png (the
1-bit image exactly as the printer received it, decoded back from the ESC/POS bytes). Names given
on the command line write only those pictures, e.g.
``scripts/kiosk_screenshots.py kiosk-stopped-de.png kiosk-stopped-ar-landscape.png``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton  # noqa: E402

from counter_app.core.answers import OrderedPickup  # noqa: E402
from counter_app.core.api import TresenClient  # noqa: E402
from counter_app.core.outbox import Outbox  # noqa: E402
from counter_app.core.receipt import PickupReceipt, receipt_slip  # noqa: E402
from counter_app.printers.status import PrinterState  # noqa: E402
from counter_app.printers.uri import open_printer  # noqa: E402
from counter_app.printers.worker import PrintJob, PrintWorker  # noqa: E402
from counter_app.qt.paper import render, to_bitmap  # noqa: E402
from counter_app.qt.tasks import Tasks  # noqa: E402
from kiosk.controller import KioskController  # noqa: E402
from kiosk.i18n import CitizenLanguage  # noqa: E402
from kiosk.issuer import TicketIssuer  # noqa: E402
from kiosk.store import KioskStore  # noqa: E402
from kiosk.ticket_layout import load_fonts  # noqa: E402
from kiosk.window import KioskWindow  # noqa: E402
from resources.i18n import CITIZEN_LANGUAGES  # noqa: E402
from scripts.screenshots import settle, wait_for  # noqa: E402
from tests.support.escpos_printer import FakeEscposPrinter  # noqa: E402
from tests.support.live_server import LiveServer  # noqa: E402
from tests.support.raster import images_from_escpos  # noqa: E402
from tests.support.sites import demo_database  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
#: Which service each language's sample ticket is for, so the pictures show several.
SAMPLE_SERVICE = {"de": "A", "en": "B", "tr": "A", "ar": "C", "ru": "B", "uk": "C"}


def main() -> None:
    wanted = set(sys.argv[1:])

    def save(image, name: str) -> None:  # type: ignore[no-untyped-def]
        if not wanted or name in wanted:
            image.save(str(OUT / name))

    OUT.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    load_fonts()
    folder = Path(tempfile.mkdtemp())
    url = demo_database(folder, "shots.sqlite3")
    server = LiveServer(url)
    server.start()
    with FakeEscposPrinter() as printer:
        client = TresenClient(server.url, "demo-kiosk")
        issuer = TicketIssuer(
            client, KioskStore(folder / "kiosk.sqlite3"), Outbox(folder / "outbox.sqlite3"), "demo"
        )
        worker = PrintWorker(lambda: open_printer(printer.uri, 576, timeout=2.0))
        worker.start()
        tasks = Tasks()
        controller = KioskController(issuer, worker, tasks, 576)
        language = CitizenLanguage("de")
        window = KioskWindow(controller, language, idle_seconds=600)
        window.resize(1080, 1920)
        window.show()
        controller.start()
        wait_for(app, lambda: bool(controller.services))

        def tap(name: str) -> None:
            button = window.findChild(QPushButton, name)
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)

        def shoot(name: str, size: tuple[int, int]) -> None:
            window.resize(*size)
            settle(app)
            save(window.grab(), name)

        shoot("kiosk-start-de.png", (1080, 1920))
        tap("lang-ar")
        shoot("kiosk-start-ar-landscape.png", (1920, 1080))

        # A service the supervisor stopped for today: greyed, with the message, not tappable.
        supervisor = server.client(server.login("supervisor"))
        service_b = supervisor.service_id("B")
        supervisor.post(f"/sites/demo/services/{service_b}/stop", json={"reason": "staff"})
        controller.refresh()
        wait_for(app, lambda: not window.findChild(QPushButton, "service-B").isEnabled())
        window.reset()
        shoot("kiosk-stopped-de.png", (1080, 1920))
        tap("lang-ar")
        shoot("kiosk-stopped-ar-landscape.png", (1920, 1080))
        supervisor.post(f"/sites/demo/services/{service_b}/resume")
        controller.refresh()
        wait_for(app, lambda: window.findChild(QPushButton, "service-B").isEnabled())

        for code in CITIZEN_LANGUAGES:
            window.reset()
            language.set(code)
            cuts = printer.cuts()
            tap(f"service-{SAMPLE_SERVICE[code]}")
            wait_for(app, lambda c=cuts: printer.cuts() > c)
            settle(app)
            if code == "tr":
                shoot("kiosk-confirmation-tr.png", (1080, 1920))
        for code, image in zip(
            CITIZEN_LANGUAGES, images_from_escpos(printer.printed()), strict=True
        ):
            save(image.convert("L"), f"ticket-{code}.png")

        window.reset()
        clerk = server.client(server.login("clerk1"))
        pickup = clerk.post(
            "/sites/demo/pickups",
            json={
                "document_kind": "residence_permit",
                "holder_name": "Olena Kovalenko",
                "case_reference": "32-AT-2026-0815",
                "expected_ready_on": (date.today() + timedelta(weeks=3)).isoformat(),
            },
        ).json()
        # The receipt the counter printed for it, in German and Ukrainian, as the printer got it.
        ordered = OrderedPickup.model_validate(pickup)
        receipt = PickupReceipt.from_api("Bürgeramt Demo", ordered, "uk")
        before = len(printer.printed())
        worker.submit(PrintJob(to_bitmap(render(receipt_slip(receipt), 576)))).result(10)
        [receipt_image] = images_from_escpos(printer.printed()[before:])
        save(receipt_image.convert("L"), "receipt-uk.png")

        tap("pickupButton")
        for letter in pickup["token"][:12]:
            tap(f"key-{letter}")
        shoot("kiosk-pickup-de.png", (1080, 1920))
        window.pickup.code.setText(pickup["token"])
        window.pickup.check_in_button.click()
        wait_for(app, lambda: window.pickup.answer.isVisible())
        shoot("kiosk-pickup-not-ready-de.png", (1080, 1920))
        # In Arabic the screen reads right to left; the code's keys keep their order.
        window.reset()
        tap("lang-ar")
        tap("pickupButton")
        for letter in pickup["token"][:12]:
            tap(f"key-{letter}")
        shoot("kiosk-pickup-ar.png", (1080, 1920))
        shoot("kiosk-pickup-ar-landscape.png", (1920, 1080))

        # A booked appointment, checked in too early: when to come back, in German.
        starts_at = datetime.now(ZoneInfo("Europe/Berlin")).replace(second=0, microsecond=0)
        starts_at += timedelta(minutes=50)
        supervisor.post(
            "/sites/demo/appointments",
            json={
                "appointments": [
                    {
                        "external_id": "zms-4711",
                        "code": "47110815",
                        "service_id": service_b,
                        "starts_at": starts_at.isoformat(),
                    }
                ]
            },
        ).raise_for_status()
        window.reset()
        tap("appointmentButton")
        for char in "47110815":
            tap(f"appointmentKey-{char}")
        tap("appointmentCheckInButton")
        wait_for(app, lambda: window.appointment.answer_row.isVisible())
        shoot("kiosk-appointment.png", (1080, 1920))

        window.reset()
        printer.state = PrinterState.PAPER_OUT
        tap("service-A")
        wait_for(app, lambda: controller.last is not None and not controller.last.printing)
        shoot("kiosk-paper-out-de.png", (1920, 1080))

        # A kiosk whose device token the server refuses: what staff read on its screen.
        refused = KioskController(
            TicketIssuer(
                TresenClient(server.url, "wrong-token"),
                KioskStore(folder / "refused.sqlite3"),
                Outbox(folder / "refused-outbox.sqlite3"),
                "demo",
            ),
            worker,
            tasks,
            576,
        )
        refused_window = KioskWindow(
            refused, CitizenLanguage("de"), 600, settings_file="/etc/tresen/kiosk.toml"
        )
        refused_window.resize(1080, 1920)
        refused_window.show()
        refused.start()
        wait_for(app, lambda: bool(refused.refusal))
        settle(app)
        save(refused_window.grab(), "kiosk-token-refused-de.png")
        refused.stop()

        # The server gone: the note over the services, which stay where they were.
        window.reset()
        printer.state = PrinterState.READY
        controller.check_printer()
        wait_for(app, lambda: controller.printer_state == PrinterState.READY)
        server.stop()
        controller.refresh()
        wait_for(app, lambda: not controller.online)
        shoot("kiosk-offline-de.png", (1920, 1080))
        controller.stop()
        worker.stop()
        tasks.wait(3000)
    print(f"written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
