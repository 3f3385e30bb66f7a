"""``tresen kiosk``: the lobby kiosk, full screen, with its ticket printer."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from counter_app.core.api import TresenClient
from counter_app.core.outbox import Outbox
from counter_app.core.settings import data_folder
from counter_app.printers.uri import PrinterUriError, open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt.tasks import Tasks
from kiosk import settings as kiosk_settings
from kiosk.controller import KioskController
from kiosk.i18n import CitizenLanguage
from kiosk.issuer import TicketIssuer
from kiosk.store import KioskStore
from kiosk.ticket_layout import load_fonts
from kiosk.window import KioskWindow

TOKEN_VARIABLE = "TRESEN_KIOSK_TOKEN"  # noqa: S105 - the name of a variable, not a token
#: A kiosk must not keep a citizen waiting: short timeouts, then the offline numbers.
TIMEOUT = (1.5, 5.0)
log = logging.getLogger("tresen.kiosk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tresen kiosk", description="the lobby kiosk")
    parser.add_argument("--server", help="address of the central server")
    parser.add_argument("--site", help="site slug")
    parser.add_argument("--token", help=f"device token (or ${TOKEN_VARIABLE}, or the file)")
    parser.add_argument(
        "--printer",
        help="tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyS0?baud=19200, "
        "win32://PRINTER NAME, cups://QUEUE or file:///path",
    )
    parser.add_argument("--windowed", action="store_true", help="a window, not full screen")
    parser.add_argument("--size", default="1080x1920", help="window size with --windowed")
    parser.add_argument(
        "--config", type=Path, help=f"settings file (default {kiosk_settings.default_file()})"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        saved = kiosk_settings.load(args.config)
    except ValueError as exc:
        print(f"tresen kiosk: the settings file has an error: {exc}", file=sys.stderr)
        return 2
    chosen = {
        "server": args.server,
        "site": args.site,
        "token": args.token or os.environ.get(TOKEN_VARIABLE),
        "printer": args.printer,
        "windowed": args.windowed or None,
    }
    config = saved.model_copy(update={k: v for k, v in chosen.items() if v})
    if not config.token:
        print(
            f"tresen kiosk: no device token; pass --token, set ${TOKEN_VARIABLE} or put "
            "token = ... in the settings file (tresen admin issue-device-token SITE NAME "
            "--kind kiosk prints one)",
            file=sys.stderr,
        )
        return 2
    if config.printer:
        try:
            open_printer(config.printer, config.paper_width_dots)
        except PrinterUriError as exc:
            print(f"tresen kiosk: {exc}", file=sys.stderr)
            return 2

    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_fonts()
    client = TresenClient(config.server, config.token, language="de", timeout=TIMEOUT)
    folder = data_folder()
    store = KioskStore(folder / f"kiosk-{config.site}.sqlite3")
    outbox = Outbox(folder / f"outbox-kiosk-{config.site}.sqlite3")
    issuer = TicketIssuer(
        client,
        store,
        outbox,
        config.site,
        status_base_url=config.status_url or None,
        lease_size=config.lease_size,
    )
    worker = PrintWorker(_printer_factory(config.printer, config.paper_width_dots))
    worker.start()
    tasks = Tasks()
    controller = KioskController(issuer, worker, tasks, config.paper_width_dots)
    window = KioskWindow(controller, CitizenLanguage("de"), config.idle_seconds)
    window.setWindowTitle("Tresen Kiosk")
    if config.windowed:
        width, _, height = args.size.partition("x")
        window.resize(int(width), int(height))
        window.show()
    else:
        window.showFullScreen()
    controller.start()
    try:
        return app.exec()
    finally:
        controller.stop()
        worker.stop()
        tasks.wait(3000)


def _printer_factory(uri: str, width: int) -> Callable[[], Any]:
    def open_configured() -> Any:
        if not uri:
            raise ConnectionError("no printer configured (--printer)")
        return open_printer(uri, width)

    return open_configured
