"""``tresen clerk``: sign in, sign on at the desk, work."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLabel, QWidget

from counter_app.clerk.controller import DeskController
from counter_app.clerk.desk_issue import DeskTickets, IssuedOutcome, IssuedTicketDialog
from counter_app.clerk.login import PASSWORD_VARIABLE, LoginDialog, outbox_file_name, run_desk
from counter_app.clerk.receipt import ReceiptDesk, ReceiptDialog, ReceiptOutcome
from counter_app.clerk.window import ClerkWindow
from counter_app.core import settings as desk_settings
from counter_app.core.answers import IssuedTicket, OrderedPickup
from counter_app.core.api import SignIn, TresenClient
from counter_app.core.desk_ticket import DeskTicket
from counter_app.core.outbox import Outbox
from counter_app.core.settings import DeskSettings
from counter_app.printers.uri import FORMS_HELP, PrinterUriError, open_printer
from counter_app.printers.worker import PrintWorker
from counter_app.qt import selftest
from counter_app.qt.emergency import EmergencyWatch
from counter_app.qt.i18n import N_, Language
from counter_app.qt.live import LiveSignals
from counter_app.qt.setup import PrinterField
from counter_app.qt.tasks import Tasks
from resources.i18n import CITIZEN_LANGUAGES, STAFF_LANGUAGES, gettext_for

log = logging.getLogger("tresen.clerk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tresen clerk", description="the clerk workstation")
    parser.add_argument("--server", help="address of the central server")
    parser.add_argument("--site", help="site slug")
    parser.add_argument(
        "--user", help=f"user name; the password may come from ${PASSWORD_VARIABLE}"
    )
    parser.add_argument("--desk", help="desk code")
    parser.add_argument("--language", choices=STAFF_LANGUAGES, help="language of the window")
    parser.add_argument("--printer", help=f"the desk's receipt printer: {FORMS_HELP}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this computer's setup without a server or printer; one line per check",
    )
    return parser


def settings_from(args: argparse.Namespace, config: Path) -> DeskSettings:
    """The settings file ``config`` (or the defaults), then the command line."""
    given = {
        "server": args.server,
        "site": args.site,
        "user": args.user,
        "desk": args.desk,
        "language": args.language,
        "printer": args.printer,
    }
    return desk_settings.merged(desk_settings.load(config), given)


def ask_printer(dialog: LoginDialog, settings: DeskSettings, language: Language) -> PrinterField:
    """First start: the sign-in dialog also asks for the desk's receipt printer."""
    field = PrinterField(
        settings.printer, language, dialog.tasks, lambda: settings.paper_width_dots
    )
    label = QLabel(language(N_("Receipt p&rinter")))
    label.setBuddy(field.edit)
    language.changed.connect(lambda _code: label.setText(language(N_("Receipt p&rinter"))))
    dialog.form.insertRow(dialog.form.rowCount() - 2, label, field)  # above the error line
    return field


def with_printer(settings: DeskSettings, field: PrinterField | None) -> DeskSettings:
    """``settings`` with the printer asked at the first start, if it is usable."""
    if field is None:
        return settings
    if field.problem():
        log.warning("receipt printer not saved: %s", field.problem())
        return settings
    return settings.model_copy(update={"printer": field.uri()})


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
        self.controller.user = sign_in.username
        self.window = ClerkWindow(
            self.controller, language, sign_in.display_name or sign_in.username
        )
        self.printer = printer
        self.receipts = ReceiptDesk(printer, paper_width_dots, self.window)
        self.controller.pickup_ordered.connect(self._on_controller_pickup_ordered)
        self.receipts.finished.connect(self._on_receipts_finished)
        self.desk_tickets = DeskTickets(printer, paper_width_dots, self.window)
        self.controller.ticket_issued.connect(self._on_controller_ticket_issued)
        self.desk_tickets.finished.connect(self._on_desk_tickets_finished)
        language.changed.connect(self._on_language_changed)
        self.client = client
        self.live = LiveSignals(client.base_url, sign_in.token, site, self.window)
        self.live.received.connect(self.controller.on_live_event)
        self.emergency = EmergencyWatch(
            self.window, client, site, desk, tasks, language, sign_in.username
        )
        self.live.received.connect(self.emergency.on_live_event)
        self.live.connection.connect(self.emergency.on_live_connection)
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

    def _on_controller_pickup_ordered(self, pickup: OrderedPickup, language: str) -> None:
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

    def _on_controller_ticket_issued(self, issued: IssuedTicket) -> None:
        c = self.controller
        service = c.services.get(issued.service_id)
        ticket = DeskTicket(
            number=issued.number,
            service_name=service.name_in(issued.language) if service else issued.service_prefix,
            service_name_de=service.name_in("de") if service else issued.service_prefix,
            issued_at=issued.created_at.astimezone(c.zone),
            language=issued.language,
            status_token=issued.status_token,
            status_url=f"{self.client.base_url}/t/{issued.status_token}",
        )
        self.desk_tickets.print_ticket(ticket, c.site_name)

    def _on_desk_tickets_finished(self, outcome: IssuedOutcome) -> None:
        tr = self.window.language
        if outcome.printed:
            self.window.notice_label.setText(
                tr(N_("Urgent ticket {number} is printed.")).format(number=outcome.ticket.number)
            )
            return
        dialog = IssuedTicketDialog(outcome, tr, self.printer is not None, self.window)
        dialog.accepted.connect(self.desk_tickets.print_again)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.issued_dialog = dialog

    def _on_language_changed(self, code: str) -> None:
        self.client.language = code
        self.controller.refresh()

    def start(self, sign_on: bool = True) -> None:
        """Sign on (unless the sign-in dialog has), read the desk, follow its live events."""
        if sign_on:
            self.controller.sign_on()
        self.controller.load()
        self.controller.flush_outbox()
        self.live.start()

    def stop(self) -> None:
        self.controller.stop()
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
    if args.self_test:
        return self_test(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = desk_settings.config_file("clerk")
    try:
        merged = settings_from(args, config)
    except desk_settings.SettingsError as exc:  # one line: the file or command line, the key
        print(f"tresen clerk: cannot start: {exc}", file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if merged.printer:
        try:
            open_printer(merged.printer, merged.paper_width_dots)
        except PrinterUriError as exc:
            print(f"tresen clerk: {exc}", file=sys.stderr)
            return 2
    language = Language(merged.language)
    tasks = Tasks()
    dialog = LoginDialog(merged, language, tasks)
    printer_field = (
        None if config.exists() or args.printer else ask_printer(dialog, merged, language)
    )

    def open_session(client: TresenClient, sign_in: SignIn) -> ClerkSession:
        chosen = with_printer(dialog.settings(), printer_field)
        desk_settings.save(config, chosen)
        outbox = Outbox(desk_settings.data_folder() / outbox_file_name(chosen.site, chosen.desk))
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
        return session

    return run_desk(app, dialog, open_session, bool(args.user))


def self_test(args: argparse.Namespace) -> int:
    """``tresen clerk --self-test``: see counter_app.qt.selftest."""
    selftest.prepare_platform()
    QApplication.instance() or QApplication(sys.argv[:1])
    config = desk_settings.config_file("clerk")
    merged, problem = selftest.settings_or_defaults(
        lambda: settings_from(args, config), DeskSettings
    )
    width = merged.paper_width_dots

    def window(folder: Path) -> tuple[QWidget, Callable[[], None]]:
        outbox = Outbox(folder / "outbox.sqlite3")
        client = TresenClient(merged.server)
        controller = DeskController(client, outbox, merged.site, merged.desk or "1", Tasks())
        shown = ClerkWindow(controller, Language(merged.language), merged.user or "self-test")
        shown.resize(1280, 800)
        return shown, outbox.close

    return selftest.run(
        [
            ("qt", selftest.qt),
            ("settings", lambda: selftest.settings_file(config, problem=problem)),
            ("server", lambda: selftest.server(merged.server, merged.site)),
            (
                "translations",
                lambda: selftest.translations(STAFF_LANGUAGES, gettext_for, N_("Sign in")),
            ),
            ("fonts", selftest.fonts),
            ("receipt", lambda: selftest.receipts("Tresen", CITIZEN_LANGUAGES, width)),
            (
                "printer",
                lambda: selftest.printer(
                    merged.printer, width, f"--printer, or printer in {config}"
                ),
            ),
            ("window", lambda: selftest.window(window)),
            ("desktop", selftest.desktop_only),
        ]
    )
