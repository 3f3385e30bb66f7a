"""The kiosk's state and what a tap does; the screens are views of it.

A tap on a service: the issuer gets a ticket (server first, leased numbers offline) on a worker
thread; the ticket is drawn and handed to the print worker, the one thread that owns the
printer; the confirmation shows at once and then says whether the ticket came out. A ticket
that did not print is kept on disk and can be printed again; staff learn of the printer's fault
through the server (``POST devices/printer``, an event on the site's stream).

A refusal of the kiosk itself (its device token wrong or revoked: 401; its site unknown: 404;
the token not for this site: 403) is not "offline": the kiosk then issues no ticket at all, not
even from its leased numbers (a revoked kiosk's numbers are forgotten), and the screen tells
staff what to do, until the server accepts the kiosk again.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from counter_app.core.errors import (
    ApiError,
    NotAllowed,
    NotFound,
    NotSignedIn,
    Rejected,
    ServerFault,
    ServerUnreachable,
)
from counter_app.printers.status import FAULTS, PrinterState
from counter_app.printers.worker import PrintJob, PrintResult
from kiosk.issuer import PICKUP_PREFIX, NoOfflineNumbers, Service, TicketIssuer
from kiosk.ticket import IssuedTicket
from kiosk.ticket_layout import render_ticket, to_bitmap

log = logging.getLogger("tresen.kiosk")

REFRESH_MS = 30_000
RETRY_MS = 5_000

#: Why the server refuses this kiosk (``KioskController.refusal``).
TOKEN_REFUSED = "token_refused"  # noqa: S105 - a state's name, not a token
SITE_UNKNOWN = "site_unknown"
SITE_NOT_ALLOWED = "site_not_allowed"


class Printer(Protocol):
    def submit(self, job: PrintJob) -> Future[PrintResult]: ...
    def check(self) -> Future[PrinterState]: ...


class Tasks(Protocol):
    def run(self, fn: Any, *args: Any, on_done: Any = None, on_error: Any = None) -> None: ...


@dataclass(frozen=True)
class Outcome:
    """What the confirmation screen shows about one ticket."""

    ticket: IssuedTicket
    preview: QImage
    printing: bool = True
    printed: bool = False
    printer_state: PrinterState = PrinterState.UNKNOWN


class KioskController(QObject):
    changed = Signal()  # services, connection or printer state
    issued = Signal(object)  # Outcome: a ticket exists, printing started
    print_done = Signal(object)  # Outcome: printing ended (printed or not)
    refused = Signal(object)  # Exception: no ticket could be issued
    _printed = Signal(object, object)  # (IssuedTicket, PrintResult) from the print worker
    _state_seen = Signal(object)  # PrinterState from the print worker

    def __init__(
        self,
        issuer: TicketIssuer,
        printer: Printer,
        tasks: Tasks,
        width_dots: int = 576,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.issuer = issuer
        self.printer = printer
        self.tasks = tasks
        self.width_dots = width_dots
        self.site_name = ""
        self.services: list[Service] = []
        #: The kiosk's local day the services were read on (whether each issues is per day).
        self._services_day: date | None = None
        self.online = True
        #: TOKEN_REFUSED, SITE_UNKNOWN or SITE_NOT_ALLOWED while the server refuses this kiosk.
        self.refusal = ""
        #: Offline, whether leased numbers are left to issue tickets with.
        self.numbers_in_hand = False
        self.printer_state = PrinterState.UNKNOWN
        self.busy = False
        self.last: Outcome | None = None
        self._reported_state: PrinterState | None = None
        self._printed.connect(self._on_printer_printed)
        self._state_seen.connect(self._on_printer_state)
        # Every half minute: opening hours, leases, the printer. Every 5 s while the server or
        # the printer is out, so offline tickets and a refilled printer are noticed soon.
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    # Start and keep up to date ----------------------------------------------------------------

    def start(self) -> None:
        self.refresh()
        self.check_printer()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        self.refresh()
        self.check_printer()

    def _pace(self) -> None:
        troubled = not self.online or self.printer_state in FAULTS
        self._timer.setInterval(RETRY_MS if troubled else REFRESH_MS)

    def refresh(self) -> None:
        """Services (open or closed now), leases, offline tickets to hand over."""
        self.tasks.run(self.issuer.load_site, on_done=self._on_site_loaded, on_error=self._offline)

    def _on_site_loaded(self, loaded: tuple[str, str, list[Service]]) -> None:
        if not self.services:
            log.info("kiosk ready: %s, %d services", loaded[0], len(loaded[2]))
        self.site_name, _zone, self.services = loaded
        self._services_day = self.issuer.today()
        if self.refusal:
            log.info("the server accepts this kiosk again")
            self.refusal = ""
        self._set_online(True)
        self.tasks.run(
            self._catch_up, list(self.services), on_done=self._on_caught_up, on_error=self._offline
        )

    def _catch_up(self, services: list[Service]) -> int:
        """Worker thread: hand over offline tickets, top up the leased numbers."""
        sent = self.issuer.sync()
        self.issuer.ensure_leases(services)
        return sent

    def _on_caught_up(self, sent: int) -> None:
        if sent:
            log.info("%d offline tickets handed to the server", sent)
        if self._reported_state != self.printer_state:
            self._report(self.printer_state)

    def _offline(self, error: Exception) -> None:
        if isinstance(error, ServerUnreachable | ServerFault):
            if not self.services:
                self._start_from_last_known_site()
            self._new_day_issues_again()
            self._set_online(False)
        elif not self._refused(error):
            log.error("kiosk refresh failed: %r", error)

    def _start_from_last_known_site(self) -> None:
        """Started while the server is away: show the services as the server last described
        them, so the kiosk issues from its leased numbers instead of showing nothing."""
        known = self.issuer.last_known_site()
        if known is None:
            return
        self.site_name, _zone, self.services = known
        self._services_day = self.issuer.today()
        log.info("server unreachable at start: %d services as last read", len(self.services))

    def _new_day_issues_again(self) -> None:
        """Offline past midnight: a stop or a used-up contingent was for the day it was read
        on, so every service issues again (from leased numbers)."""
        today = self.issuer.today()
        if self._services_day is not None and self._services_day != today:
            self.services = [replace(s, issuing=True, stopped_message={}) for s in self.services]
            self._services_day = today

    def _refused(self, error: Exception) -> bool:
        """When ``error`` says the server refuses this kiosk: stop issuing, tell staff. True
        when it did."""
        if isinstance(error, NotSignedIn):
            refusal = TOKEN_REFUSED
        elif isinstance(error, NotFound) and error.code == "site_not_found":
            refusal = SITE_UNKNOWN
        elif isinstance(error, NotAllowed):
            refusal = SITE_NOT_ALLOWED
        else:
            return False
        if refusal != self.refusal:
            log.error("the server refuses this kiosk (%s): no tickets are issued", refusal)
        self.refusal = refusal
        self.services = []
        if refusal == TOKEN_REFUSED:
            # Numbers leased under a revoked token must not issue tickets when the server is
            # gone next: forget the unused ones (the server never gives them online anyway).
            self.issuer.store.forget_leases_before(date.max)
        self._set_online(True)
        return True

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            log.info("server %s", "reachable" if online else "unreachable")
            self._pace()
        self._count_numbers()
        self.changed.emit()

    def _count_numbers(self) -> None:
        """Offline: are there leased numbers left for a service on the screen? (A local file.)"""
        today = self.issuer.today()
        self.numbers_in_hand = not self.online and any(
            self.issuer.store.numbers_left(s.id, today) > 0
            for s in self.services
            if s.prefix != PICKUP_PREFIX and s.issuing
        )

    # A tap -----------------------------------------------------------------------------------

    def take_ticket(self, service: Service, language: str) -> bool:
        """Issue a ticket of ``service``; False when a tap is already being handled (a double
        tap must not issue two tickets) or while the server refuses this kiosk."""
        if self.busy or self.refusal:
            return False
        self.busy = True
        self.tasks.run(
            self.issuer.issue,
            service,
            language,
            on_done=self._on_issuer_issued,
            on_error=self._on_issuer_refused,
        )
        return True

    def check_in(self, service: Service, code: str, language: str) -> bool:
        """Check a pickup receipt in (``service`` is the pickup service); False while busy."""
        if self.busy or self.refusal:
            return False
        self.busy = True
        self.tasks.run(
            self.issuer.check_in,
            service,
            code,
            language,
            on_done=self._on_issuer_issued,
            on_error=self._on_issuer_refused,
        )
        return True

    def check_in_appointment(self, code: str, language: str) -> bool:
        """Check a booked appointment in by its code; False while busy or refused."""
        if self.busy or self.refusal:
            return False
        self.busy = True
        self.tasks.run(
            self.issuer.check_in_appointment,
            list(self.services),
            code,
            language,
            on_done=self._on_issuer_issued,
            on_error=self._on_issuer_refused,
        )
        return True

    def walk_in_services(self) -> list[Service]:
        """The services a citizen can take a plain ticket of now (not the pickup service,
        whose tickets come from receipts only)."""
        return [s for s in self.services if s.prefix != PICKUP_PREFIX and s.issuing and s.open_now]

    def _on_issuer_issued(self, ticket: IssuedTicket) -> None:
        self.busy = False
        if ticket.offline:
            self._set_online(False)  # also counts the numbers left
        image = render_ticket(ticket, self.site_name, self.width_dots)
        self.last = Outcome(ticket, image)
        self.issued.emit(self.last)
        self._print(ticket, image)

    def _on_issuer_refused(self, error: Exception) -> None:
        self.busy = False
        if isinstance(error, NoOfflineNumbers):
            self._set_online(False)
        self._refused(error)
        self.refused.emit(error)

    def reprint(self) -> None:
        """Print the last ticket again (after a printer fault)."""
        if self.last is not None and not self.last.printing:
            self.last = replace(self.last, printing=True)
            self.issued.emit(self.last)
            self._print(self.last.ticket, self.last.preview)

    def _print(self, ticket: IssuedTicket, image: QImage) -> None:
        job = PrintJob(to_bitmap(image), cut=True, label=ticket.number)
        future = self.printer.submit(job)
        # Called on the print worker's thread; the signal carries it to the GUI thread.
        future.add_done_callback(lambda done: self._printed.emit(ticket, _result(done)))

    def _on_printer_printed(self, ticket: IssuedTicket, result: PrintResult) -> None:
        self._on_printer_state(result.state)
        day = ticket.issued_at.date()
        if result.printed:
            self.issuer.store.printed(day, ticket.number)
        else:
            log.warning("ticket %s not printed: %s %s", ticket.number, result.state, result.error)
            self.issuer.store.keep_unprinted(day, ticket.number, _as_json(ticket))
            self._report(result.state, ticket.number)
        if self.last is not None and self.last.ticket == ticket:
            self.last = replace(
                self.last, printing=False, printed=result.printed, printer_state=result.state
            )
            self.print_done.emit(self.last)

    # The printer -----------------------------------------------------------------------------

    def check_printer(self) -> None:
        future = self.printer.check()
        future.add_done_callback(lambda done: self._state_seen.emit(_state(done)))

    def _on_printer_state(self, state: PrinterState) -> None:
        if state != self.printer_state:
            log.info("printer %s -> %s", self.printer_state, state)
            self.printer_state = state
            self._pace()
            self._report(state)
            self.changed.emit()

    def _report(self, state: PrinterState, ticket: str | None = None) -> None:
        """Tell staff through the server; the server logs a change once."""
        if ticket is None and state == self._reported_state:
            return

        def send() -> PrinterState:
            self.issuer.client.report_printer(self.issuer.site, str(state), ticket=ticket)
            return state

        def sent(reported: PrinterState) -> None:
            self._reported_state = reported

        self.tasks.run(send, on_done=sent, on_error=_ignore)


def _result(future: Future[PrintResult]) -> PrintResult:
    try:
        return future.result()
    except Exception as exc:  # the worker resolves every job; this is a last guard
        return PrintResult(printed=False, state=PrinterState.ERROR, error=str(exc), seconds=0.0)


def _state(future: Future[PrinterState]) -> PrinterState:
    try:
        return future.result()
    except Exception:
        return PrinterState.UNKNOWN


def _as_json(ticket: IssuedTicket) -> dict[str, Any]:
    data = asdict(ticket)
    data["issued_at"] = ticket.issued_at.isoformat()
    if ticket.appointment_at is not None:
        data["appointment_at"] = ticket.appointment_at.isoformat()
    return data


def _ignore(error: Exception) -> None:
    if not isinstance(error, ApiError | Rejected):
        log.error("reporting the printer failed: %r", error)
