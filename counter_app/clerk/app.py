"""``tresen clerk``: sign in, sign on at the desk, work."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from PySide6.QtWidgets import QApplication

from counter_app.clerk.controller import DeskController
from counter_app.clerk.login import LoginDialog
from counter_app.clerk.receipt import ReceiptDesk, ReceiptDialog, ReceiptOutcome
from counter_app.clerk.window import ClerkWindow
from counter_app.core import settings as desk_settings
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.outbox import Outbox
from counter_app.printers.uri import PrinterUriError, open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt.i18n import N_, Language
from counter_app.qt.live import LiveSignals
from counter_app.qt.tasks import Tasks

PASSWORD_VARIABLE = "TRESEN_PASSWORD"  # noqa: S105 - the name of a variable, not a password
log = logging.getLogger("tresen.clerk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tresen clerk", description="the clerk workstation")
    parser.add_argument("--server", help="address of the central server")
    parser.add_argument("--site", help="site slug")
    parser.add_argument(
        "--user", help=f"user name; the password may come from ${PASSWORD_VARIABLE}"
    )
    parser.add_argument("--desk", help="desk code")
    parser.add_argument("--language", choices=["de", "en"])
    parser.add_argument(
        "--printer", help="receipt printer URI (tcp://, usb://, serial://, win32://, cups://)"
    )
    return parser


class ClerkSession:
    """Everything one signed-on desk holds: client, outbox, live events, controller, window."""

    def __init__(
        self,
        client: TresenClient,
        sign_in: SignIn,
        site: str,
        desk: str,
        language: Language,
        outbox: Outbox,
        tasks: Tasks,
        printer: PrintWorker | None = None,
        paper_width_dots: int = 576,
    ) -> None:
        self.controller = DeskController(client, outbox, site, desk, tasks)
        self.window = ClerkWindow(
            self.controller, language, sign_in.display_name or sign_in.username
        )
        self.printer = printer
        self.receipts = ReceiptDesk(printer, paper_width_dots, self.window)
        self.controller.pickup_ordered.connect(self._on_controller_pickup_ordered)
        self.receipts.finished.connect(self._on_receipts_finished)
        language.changed.connect(self._on_language_changed)
        self.client = client
        self.live = LiveSignals(client.base_url, sign_in.token, site, self.window)
        self.live.received.connect(self.controller.on_live_event)
        self.live.connection.connect(self.controller.on_live_connection)
        self.controller.changed.connect(self._on_controller_changed)
        self._usable_logged = False

    def _on_controller_changed(self) -> None:
        if (
            not self._usable_logged
            and self.controller.services
            and self.controller.desk_state == "open"
        ):
            self._usable_logged = True
            log.info(
                "desk %s usable (queue shown, %d waiting)",
                self.controller.desk,
                len(self.controller.waiting),
            )

    def _on_controller_pickup_ordered(self, pickup: dict[str, Any], language: str) -> None:
        self.receipts.print_receipt(self.controller.site_name, pickup, language)

    def _on_receipts_finished(self, outcome: ReceiptOutcome) -> None:
        if outcome.printed:
            self.window.notice_label.setText(
                self.window.language(N_("The pickup receipt is printed."))
            )
            return
        dialog = ReceiptDialog(outcome, self.window.language, self.printer is not None, self.window)
        dialog.accepted.connect(self.receipts.print_again)
        dialog.open()
        self.receipt_dialog = dialog

    def _on_language_changed(self, code: str) -> None:
        self.client.language = code
        self.controller.refresh()

    def start(self) -> None:
        self.controller.sign_on()
        self.controller.load()
        self.controller.flush_outbox()
        self.live.start()

    def stop(self) -> None:
        self.live.stop()
        if self.printer is not None:
            self.printer.stop()


def receipt_printer(uri: str, width_dots: int) -> PrintWorker | None:
    """The desk's receipt printer, or None when there is none (receipts then show on screen)."""
    if not uri:
        return None
    worker = PrintWorker(lambda: open_printer(uri, width_dots))
    worker.start()
    return worker


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    config = desk_settings.config_file("clerk")
    saved = desk_settings.load(config)
    merged = saved.model_copy(
        update={
            k: v
            for k, v in {
                "server": args.server,
                "site": args.site,
                "user": args.user,
                "desk": args.desk,
                "language": args.language,
                "printer": args.printer,
            }.items()
            if v
        }
    )
    if merged.printer:
        try:
            open_printer(merged.printer, merged.paper_width_dots)
        except PrinterUriError as exc:
            print(f"tresen clerk: {exc}", file=sys.stderr)
            return 2
    language = Language(merged.language)
    tasks = Tasks()
    dialog = LoginDialog(merged, language, tasks)
    holder: dict[str, ClerkSession] = {}

    def on_signed_in(client: TresenClient, sign_in: SignIn) -> None:
        chosen = dialog.settings()
        desk_settings.save(config, chosen)
        outbox = Outbox(desk_settings.data_folder() / f"outbox-{chosen.site}-{chosen.desk}.sqlite3")
        printer = receipt_printer(chosen.printer, chosen.paper_width_dots)
        session = ClerkSession(
            client,
            sign_in,
            chosen.site,
            chosen.desk,
            language,
            outbox,
            tasks,
            printer,
            chosen.paper_width_dots,
        )
        holder["session"] = session
        session.window.resize(1280, 800)
        session.window.show()
        session.start()

    dialog.signed_in.connect(on_signed_in)
    password = os.environ.get(PASSWORD_VARIABLE) if args.user else None
    if password:
        dialog.password.setText(password)
        dialog.attempt()
    if not dialog.exec() and "session" not in holder:
        return 1
    code = app.exec()
    if "session" in holder:
        holder["session"].stop()
    return code
