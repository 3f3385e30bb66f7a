"""Kiosk figure: a tap on a service to the last byte of the ticket on the printer's socket.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/kiosk_print.py [--runs 200]

Runs a real server (``tresen server``, its own process, SQLite) with the demo site, the real
kiosk window offscreen with its print worker, and the test printer of the tests on a real TCP
socket of 127.0.0.1 (it answers the status queries like an Epson printer). Each run clicks the
service button and waits for the cut at the end of the ticket; the time is from the click to
the arrival of the ticket's last byte. Included: the HTTP request creating the ticket, drawing
the ticket with Qt, the 1-bit conversion, the printer's status before and after, and sending
the raster image (about 20 kB). Prints median, p90, p99 and max in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from bench.clerk_window import ServerProcess, cpu_model, report, wait_for
from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.qt.tasks import Tasks
from kiosk.controller import KioskController
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import TicketIssuer
from kiosk.printers.uri import open_printer
from kiosk.printers.worker import PrintWorker
from kiosk.store import KioskStore
from kiosk.ticket_layout import load_fonts
from kiosk.window import KioskWindow
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.sites import demo_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200, help="taps to time")
    parser.add_argument("--language", default="de", help="the citizen's language")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    load_fonts()
    folder = Path(tempfile.mkdtemp())
    url = demo_database(folder, "bench.sqlite3")
    server = ServerProcess(url)
    with FakeEscposPrinter() as printer:
        client = TresenClient(server.url, "demo-kiosk", timeout=(1.5, 5.0))
        issuer = TicketIssuer(
            client, KioskStore(folder / "kiosk.sqlite3"), Outbox(folder / "outbox.sqlite3"), "demo"
        )
        worker = PrintWorker(lambda: open_printer(printer.uri, 576, timeout=2.0))
        worker.start()
        tasks = Tasks()
        controller = KioskController(issuer, worker, tasks, 576)
        language = CitizenLanguage(args.language)
        window = KioskWindow(controller, language, idle_seconds=600)
        window.resize(1080, 1920)
        window.show()
        controller.start()
        wait_for(app, lambda: bool(controller.services))
        taps: list[float] = []
        for _ in range(args.runs):
            language.set(args.language)
            button = window.findChild(QPushButton, "service-A")
            before = printer.cuts()
            wait_for(app, lambda b=button: not controller.busy and b.isVisible())
            began = time.monotonic()
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            wait_for(app, lambda b=before: printer.cuts() > b)
            taps.append((printer.last_byte_at() - began) * 1000)
            window.reset()
        controller.stop()
        worker.stop()
        tasks.wait(3000)
    server.stop()
    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}, {platform.platform()}, "
        f"Python {platform.python_version()}; server in its own process on loopback, SQLite; "
        f"test printer on a TCP socket of 127.0.0.1; language {args.language}"
    )
    report("tap to last byte printed", taps)


if __name__ == "__main__":
    main()
