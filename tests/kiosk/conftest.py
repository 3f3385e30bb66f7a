"""Kiosk tests run headless against the real server on loopback and a test printer that
listens on a real TCP socket (``tests.support.escpos_printer``)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.printers.uri import open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt.tasks import Tasks
from kiosk.controller import KioskController
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import TicketIssuer
from kiosk.store import KioskStore
from kiosk.window import KioskWindow
from tests.support.escpos_printer import FakeEscposPrinter
from tests.support.waits import ANSWER_MS, ANSWER_S


@dataclass
class Kiosk:
    window: KioskWindow
    controller: KioskController
    issuer: TicketIssuer
    worker: PrintWorker
    printer: FakeEscposPrinter
    tasks: Tasks


@pytest.fixture
def printer() -> Iterator[FakeEscposPrinter]:
    with FakeEscposPrinter() as fake:
        yield fake


@pytest.fixture
def start_kiosk(printer, qtbot, tmp_path: Path) -> Iterator:  # type: ignore[no-untyped-def]
    """``start_kiosk(url, token)``: a real kiosk window with its print worker, not waiting for
    its services (it may never get them: a wrong token, no server)."""
    opened: list[Kiosk] = []

    def opener(
        url: str,
        token: str,
        size: tuple[int, int] = (1080, 1920),
        idle_seconds: int = 30,
        settings_file: str = "kiosk.toml",
    ) -> Kiosk:
        issuer = TicketIssuer(
            TresenClient(url, token, timeout=(ANSWER_S, ANSWER_S)),
            KioskStore(tmp_path / "kiosk.sqlite3"),
            Outbox(tmp_path / "outbox-kiosk.sqlite3"),
            "demo",
            lease_size=10,
        )
        worker = PrintWorker(lambda: open_printer(printer.uri, 576, timeout=ANSWER_S))
        worker.start()
        tasks = Tasks()
        controller = KioskController(issuer, worker, tasks, 576)
        window = KioskWindow(
            controller, CitizenLanguage("de"), idle_seconds, settings_file=settings_file
        )
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        controller.start()
        kiosk = Kiosk(window, controller, issuer, worker, printer, tasks)
        opened.append(kiosk)
        return kiosk

    yield opener
    for kiosk in opened:
        kiosk.controller.stop()
        kiosk.worker.stop()
        kiosk.tasks.wait(ANSWER_MS)
        kiosk.issuer.outbox.close()
        kiosk.issuer.store.close()


@pytest.fixture
def open_kiosk(server, start_kiosk, qtbot):  # type: ignore[no-untyped-def]
    """The demo kiosk on the test server, once it shows its services;
    ``open_kiosk(size=(1080, 1920))``."""

    def opener(size: tuple[int, int] = (1080, 1920), idle_seconds: int = 30) -> Kiosk:
        kiosk: Kiosk = start_kiosk(server.url, "demo-kiosk", size, idle_seconds)
        qtbot.waitUntil(lambda: bool(kiosk.controller.services), timeout=ANSWER_MS)
        return kiosk

    return opener
