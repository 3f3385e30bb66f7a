"""``tresen clerk``: sign in, sign on at the desk, work."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QLabel

from counter_app.clerk import desk_session
from counter_app.clerk.controller import DeskController
from counter_app.clerk.desk_issue import DeskTickets, IssuedOutcome, IssuedTicketDialog
from counter_app.clerk.desk_session import DeskSessionBase, receipt_printer
from counter_app.clerk.login import LoginDialog, outbox_file_name, run_desk
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
from counter_app.qt.i18n import N_, Language
from counter_app.qt.setup import PrinterField
from counter_app.qt.tasks import Tasks

__all__ = ["ClerkSession", "main", "receipt_printer"]

log = logging.getLogger("tresen.clerk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tresen clerk", description="the clerk workstation")
    desk_session.add_sign_in_options(
        parser, desk="desk code", printer=f"the desk's receipt printer: {FORMS_HELP}"
    )
    desk_session.add_self_test_option(parser, "a server or printer")
    return parser


def settings_from(args: argparse.Namespace, config: Path) -> DeskSettings:
    """The settings file ``config`` (or the defaults), then the command line."""
    return desk_settings.merged(desk_settings.load(config), desk_session.given_options(args))


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


class ClerkSession(DeskSessionBase):
    """The clerk's desk: the session's parts (``DeskSessionBase``), and the slips the clerk
    prints: a pickup's receipt once a document is ordered, an urgent ticket."""

    window: ClerkWindow
    log = logging.getLogger("tresen.clerk")

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
        controller = DeskController(client, outbox, site, desk, tasks)
        controller.user = sign_in.username
        window = ClerkWindow(controller, language, sign_in.display_name or sign_in.username)
        super().__init__(window, sign_in, printer, paper_width_dots)
        controller.pickup_ordered.connect(self._on_controller_pickup_ordered)
        self.desk_tickets = DeskTickets(printer, paper_width_dots, window)
        controller.ticket_issued.connect(self._on_controller_ticket_issued)
        self.desk_tickets.finished.connect(self._on_desk_tickets_finished)

    def _on_controller_pickup_ordered(self, pickup: OrderedPickup, language: str) -> None:
        self.receipts.print_receipt(self.controller.site_name, pickup, language)

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


def main(argv: list[str] | None = None) -> int:
    started = desk_session.start_program("clerk", build_parser(), argv, settings_from, self_test)
    if isinstance(started, int):
        return started
    args, config, merged = started.args, started.config, started.settings
    language, tasks = started.language, started.tasks
    if merged.printer:
        try:
            open_printer(merged.printer, merged.paper_width_dots)
        except PrinterUriError as exc:
            print(f"tresen clerk: {exc}", file=sys.stderr)
            return 2
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

    return run_desk(started.app, dialog, open_session, bool(args.user))


def self_test(args: argparse.Namespace) -> int:
    """``tresen clerk --self-test``: one line per check."""
    config, merged, problem = desk_session.self_test_settings(
        "clerk", args, settings_from, DeskSettings
    )
    width = merged.paper_width_dots
    return selftest.run(
        [
            *desk_session.first_checks(config, problem, merged),
            desk_session.receipt_check(width),
            (
                "printer",
                lambda: selftest.printer(
                    merged.printer, width, f"--printer, or printer in {config}"
                ),
            ),
            desk_session.window_check(merged, "1", DeskController, ClerkWindow),
            ("desktop", selftest.desktop_only),
        ]
    )
