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
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from bench.clerk_window import ServerProcess, cpu_model, report
from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.printers.uri import open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt.tasks import Tasks
from kiosk.controller import KioskController
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import TicketIssuer
from kiosk.store import KioskStore
from kiosk.ticket_layout import load_fonts
from kiosk.window import KioskWindow
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.sites import demo_database


def wait_for(app: QApplication, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Run the event loop until ``condition``; waits a little between turns, so the kiosk's
    worker threads (HTTP, printer) get the interpreter and the figure is theirs, not ours."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {condition.__code__.co_firstlineno}")
        app.processEvents()
        time.sleep(0.0005)


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
        done: list[object] = []
        controller.print_done.connect(done.append)
        for run in range(args.runs):
            language.set(args.language)
            button = window.findChild(QPushButton, "service-A")
            wait_for(app, lambda b=button: not controller.busy and b.isVisible())
            began = time.monotonic()
            QTest.mouseClick(button, Qt.MouseButton.LeftButton)
            # The print worker reports after the ticket's last byte and the status after it.
            wait_for(app, lambda r=run: len(done) > r)
            last_byte = printer.last_byte_at()
            assert last_byte is not None and controller.last is not None
            assert controller.last.printed, controller.last
            taps.append((last_byte - began) * 1000)
            window.reset()
        assert printer.cuts() == args.runs  # every ticket arrived, once
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
