"""The desk's state and actions. Widgets are views of this object and keep no copy of their own.

The server decides; this object asks and shows. It re-reads the queue whenever the live event
stream says something changed (no polling). Finishing and forwarding go through the local outbox
first, so they survive a server that is gone: they are sent, idempotently, when it is back. What
the clerk types is saved locally as they type, and reaches the server (through the outbox too)
about two seconds after the last keystroke, so colleagues see the current case and a broken PC
loses nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from counter_app.core.answers import (
    Case,
    Desk,
    DeskEvent,
    Device,
    OrderedPickup,
    PrinterEvent,
    Queue,
    Service,
    ServiceCount,
    Site,
    Ticket,
)
from counter_app.core.api import (
    ACTIONS,
    Call,
    TresenClient,
    finish_call,
    park_call,
    transfer_call,
    update_case_call,
)
from counter_app.core.board import site_zone
from counter_app.core.calling import UndoOffer
from counter_app.core.emergency import EMERGENCY_EVENTS
from counter_app.core.errors import ApiError, NotSignedIn, ServerFault, ServerUnreachable
from counter_app.core.live import LiveEvent
from counter_app.core.outbox import Outbox
from counter_app.qt.tasks import Tasks
from resources.text import typed_text
from resources.vocabulary import PRINTER_FAULTS, Priority

log = logging.getLogger("tresen.clerk")

#: While appointments wait, how often the queue is read again without an event (milliseconds):
#: an appointment becomes due, and moves ahead of the walk-ins, with no event at all.
APPOINTMENT_REREAD_MS = 60_000
#: How long after the clerk's last change the case goes to the server (milliseconds).
CASE_SAVE_DELAY_MS = 2000
#: Events after which the queue and the desk list read the same as before: a case saved as a
#: clerk types (every desk would otherwise re-read the whole queue every 2 s per typing clerk),
#: the hourly erasure of finished tickets' case text, and a citizen's answer to "How was your
#: visit?" on the status page. An emergency call has its own view (``counter_app.qt.emergency``).
EVENTS_THAT_CHANGE_NO_VIEW = (
    frozenset({"ticket.case_updated", "cases.purged", "ticket.feedback_given"}) | EMERGENCY_EVENTS
)


@dataclass
class CaseDraft:
    steps_done: list[str] = field(default_factory=list)
    notes: str = ""
    case_reference: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "steps_done": list(self.steps_done),
            "notes": typed_text(self.notes),
            "case_reference": typed_text(self.case_reference),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> CaseDraft:
        """As kept in the outbox's drafts (``as_dict``), or empty."""
        data = data or {}
        return cls(
            list(data.get("steps_done") or []),
            str(data.get("notes") or ""),
            str(data.get("case_reference") or ""),
        )

    @classmethod
    def from_case(cls, case: Case | None) -> CaseDraft:
        """As the server has it, or empty."""
        if case is None:
            return cls()
        return cls(list(case.steps_done), case.notes, case.case_reference)


class DeskController(QObject):
    #: The queue, the other desks or the current ticket changed.
    changed = Signal()
    #: Online (True) or not; the window shows the offline banner.
    online_changed = Signal(bool)
    #: An error or notice for the clerk: (kind, ApiError or message id).
    problem = Signal(object)
    #: A request started (True) or ended (False): buttons wait meanwhile.
    busy_changed = Signal(bool)
    #: "Document ordered" answered: (the pickup with its receipt token, the citizen's language).
    pickup_ordered = Signal(object, str)
    #: A ticket issued at this desk (an urgent one): the new ticket with its status token.
    ticket_issued = Signal(object)
    #: This window no longer works for the desk: ("signed_off", None) when the clerk signed
    #: off here, ("taken_over", user) when a colleague took the desk over, ("closed", user)
    #: when somebody else (a supervisor, or the clerk elsewhere) signed the desk off.
    ended = Signal(object)

    def __init__(
        self,
        client: TresenClient,
        outbox: Outbox,
        site: str,
        desk: str,
        tasks: Tasks | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.outbox = outbox
        self.site = site
        self.desk = desk
        self.tasks = tasks or Tasks(self)
        self.services: dict[int, Service] = {}
        self.waiting: list[Ticket] = []
        self.counts: list[ServiceCount] = []
        self.desks: list[Desk] = []
        self.current: Ticket | None = None
        self.parked: list[Ticket] = []
        self.draft = CaseDraft()
        self.online = True
        self.busy = False
        self.desk_state = "closed"
        self.site_name = site
        #: The site's time zone: the times the desk shows (an appointment's) are the site's.
        self.zone: tzinfo = site_zone("Europe/Berlin")
        #: Printer state per kiosk ("lobby-kiosk" -> "paper_out"), from the server and its events.
        self.printers: dict[str, str] = {}
        #: The signed-in person's user name: a sign-on at this desk by anyone else is a take-over.
        self.user = ""
        #: Why this window no longer works for the desk (see ``ended``); None while it does.
        self.ended_reason: tuple[str, str | None] | None = None
        self._signing_off = False
        self._refresh_again = False
        self._refreshing = False
        # Bumped by every answer to an action: a queue read that started before it is stale.
        self._generation = 0
        self._call_next_after_flush = False
        self._retry = QTimer(self)
        self._retry.setInterval(3000)
        self._retry.timeout.connect(self.flush_outbox)
        # One flush at a time, so changes reach the server in the order they were made.
        self._flushing = False
        self._flush_again = False
        self._case_timer = QTimer(self)
        self._case_timer.setSingleShot(True)
        self._case_timer.setInterval(CASE_SAVE_DELAY_MS)
        self._case_timer.timeout.connect(self._on_case_timer_timeout)
        #: The ticket whose case changed since it was last handed to the outbox.
        self._case_unsaved: int | None = None
        #: The window closed (``stop``): no more reads of its own accord.
        self._stopped = False
        #: The no-show this desk marked last, while it can be taken back ("Undo" in the window).
        self.undo_offer: UndoOffer | None = None
        self._appointment_clock = QTimer(self)
        self._appointment_clock.setInterval(APPOINTMENT_REREAD_MS)
        self._appointment_clock.timeout.connect(self._on_appointment_clock)

    # Reading ---------------------------------------------------------------------------

    def load(self) -> None:
        """The site and its services once, then the queue."""

        def read() -> tuple[Site, list[Service], list[Device]]:
            site, services = self.client.site(self.site), self.client.services(self.site)
            return site, services, self.client.devices(self.site)

        self.tasks.run(read, on_done=self._on_loaded, on_error=self._on_load_error)

    def _on_loaded(self, answer: tuple[Site, list[Service], list[Device]]) -> None:
        site, services, devices = answer
        self.site_name = site.name
        self.zone = site_zone(site.timezone)
        self.services = {s.id: s for s in services}
        self.printers = {d.name: d.printer_state for d in devices if d.printer_state}
        self.refresh()

    def _on_load_error(self, error: Exception) -> None:
        self._on_error(error)
        # Without its services the window cannot name them: try again shortly.
        QTimer.singleShot(3000, self.load)

    def refresh(self) -> None:
        if self.ended_reason is not None:
            return  # the desk's tickets are no longer this window's to show
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True

        generation = self._generation
        # The outbox marks a change sent on the flushing thread before ``_on_flushed`` bumps the
        # generation here: a read that began before that is stale too.
        sent_mark = self.outbox.last_sent_id()

        def read() -> tuple[int, Queue, list[Desk]]:
            view = self.client.desk_view(self.site, self.desk)
            return generation, view.queue, list(view.desks)

        self.tasks.run(
            read,
            on_done=lambda answer: self._on_queue(answer, sent_mark),
            on_error=self._on_refresh_error,
        )

    def _on_queue(self, answer: tuple[int, Queue, list[Desk]], sent_mark: int = -1) -> None:
        generation, queue, desks = answer
        self._refreshing = False
        if self.ended_reason is not None:
            return
        if generation != self._generation or (
            sent_mark >= 0 and self.outbox.last_sent_id() != sent_mark
        ):
            # An action was answered while this was read: read again rather than show the past.
            self.refresh()
            return
        self._set_online(True)
        self.waiting = list(queue.waiting)
        self.counts = list(queue.counts)
        self.desks = desks
        # Tickets this desk has changed but the server has not heard of yet are shown as the
        # desk left them, not as the server last knew them.
        on_the_way = self.outbox.pending_ticket_ids()
        mine = [
            t
            for t in queue.called + queue.serving
            if t.desk == self.desk and t.id not in on_the_way
        ]
        self._set_current(mine[0] if mine else None)
        self.parked = [t for t in queue.parked if t.desk == self.desk and t.id not in on_the_way]
        me = next((d for d in desks if d.code == self.desk), None)
        self.desk_state = me.state if me else "closed"
        self._watch_appointments()
        holder = me.signed_on_user if me else None
        if self.user and holder not in (None, self.user):
            # Taken over while the live events were not connected: the desk says so too.
            self._end(("taken_over", str(holder)))
        self.changed.emit()
        if self._refresh_again:
            self._refresh_again = False
            self.refresh()

    def _watch_appointments(self) -> None:
        """The server's order moves with the clock while appointments wait (one becomes due and
        goes ahead of the walk-ins): read it again every minute meanwhile. One read per desk and
        minute, served from the site's snapshot of that minute (see README, "Readers and
        snapshots")."""
        waiting = not self._stopped and any(
            t.priority == Priority.APPOINTMENT for t in self.waiting
        )
        if waiting and not self._appointment_clock.isActive():
            self._appointment_clock.start()
        elif not waiting:
            self._appointment_clock.stop()

    def _on_appointment_clock(self) -> None:
        if self.ended_reason is None and not self._stopped and not self._refreshing:
            self.refresh()

    def _on_refresh_error(self, error: Exception) -> None:
        self._refreshing = False
        self._on_error(error)

    def on_live_event(self, event: LiveEvent) -> None:
        if self.ended_reason is not None:
            return
        desk_event = (
            event.payload(DeskEvent)
            if event.type in ("desk.signed_on", "desk.signed_off")
            else None
        )
        if desk_event is not None and desk_event.desk == self.desk:
            who = desk_event.user or desk_event.actor
            if event.type == "desk.signed_on" and self.user and who != self.user:
                self._end(("taken_over", who))
                return
            if event.type == "desk.signed_off" and not self._signing_off:
                self._end(("closed", who))
                return
        printer = event.payload(PrinterEvent) if event.type == "device.printer" else None
        if printer is not None:
            self.printers[printer.device] = printer.state
            self.changed.emit()
            return
        if event.type in EVENTS_THAT_CHANGE_NO_VIEW:
            return
        self.refresh()

    def printer_faults(self) -> list[tuple[str, str]]:
        """Kiosks whose printer cannot print now: (device name, state)."""
        return sorted(
            (name, state) for name, state in self.printers.items() if state in PRINTER_FAULTS
        )

    def on_live_connection(self, up: bool) -> None:
        if up:
            self.flush_outbox()
            self.refresh()
        else:
            self._set_online(False)

    # Acting ------------------------------------------------------------------------------

    def _request(self, fn: Any, *args: Any, then: Any = None) -> None:
        if self.busy or self.ended_reason is not None:
            return
        self._set_busy(True)

        def done(result: Any) -> None:
            self._generation += 1
            self._set_busy(False)
            self._set_online(True)
            if then is not None:
                then(result)
            self.refresh()

        def failed(error: Exception) -> None:
            self._set_busy(False)
            self._signing_off = False
            self._on_error(error)

        self.tasks.run(fn, *args, on_done=done, on_error=failed)

    def sign_on(self, force: bool = False) -> None:
        self._request(self.client.sign_on, self.site, self.desk, force)

    def pause(self) -> None:
        self._request(self.client.pause, self.site, self.desk)

    def sign_off(self) -> None:
        """Sign off at the server; the window then goes back to the sign-in (``ended``)."""
        if self.busy or self.ended_reason is not None:
            return
        self._signing_off = True
        self._request(self.client.sign_off, self.site, self.desk, then=self._on_signed_off)
        if not self.busy:  # not sent
            self._signing_off = False

    def _on_signed_off(self, _desk: Desk) -> None:
        self._end(("signed_off", None))

    def _end(self, reason: tuple[str, str | None]) -> None:
        """This window stops working for the desk: no more requests, no retries."""
        if self.ended_reason is not None:
            return
        self.ended_reason = reason
        self._call_next_after_flush = False
        self._retry.stop()
        self._appointment_clock.stop()
        # The citizen at the desk is the colleague's now (or nobody's): not shown here.
        self._set_current(None)
        self.parked = []
        self.changed.emit()
        self.ended.emit(reason)

    def call_next(self) -> None:
        if self.current is None and self.online:
            self._request(self.client.call_next, self.site, self.desk, then=self._on_called)

    def call_ticket(self, ticket_id: int) -> None:
        """Call this ticket out of order (the clerk chose it and confirmed). Like F2 it needs
        the server now: the outbox never calls anybody."""
        if self.current is None and self.online:
            self._request(self.client.call_ticket, ticket_id, self.desk, then=self._on_called)

    def _on_called(self, ticket: Ticket | None) -> None:
        if ticket is None:
            self.problem.emit(("info", "nobody_waiting"))
        else:
            self.undo_offer = None  # the next call ends the offer to take the no-show back
        self._set_current(ticket)
        self.changed.emit()

    def undo_offered(self, now: datetime) -> UndoOffer | None:
        """The no-show "Undo" takes back, while it can (the offer ends after ten minutes)."""
        if self.undo_offer is not None and not self.undo_offer.open_at(now):
            self.undo_offer = None
        return self.undo_offer

    def undo_no_show(self) -> None:
        """Take the last no-show back and call it to this desk again, as before F4: the
        citizen who turned up late stands here. Needs the server now; never queued offline
        (ten minutes later the server would refuse it, and the desk would have moved on)."""
        offer = self.undo_offered(datetime.now(UTC))
        if offer is None or self.current is not None or not self.online:
            return
        self._request(
            self.client.undo_no_show, offer.ticket_id, self.desk, then=self._on_no_show_undone
        )

    def _on_no_show_undone(self, ticket: Ticket) -> None:
        self.undo_offer = None
        self._set_current(ticket if ticket.status in ("called", "serving") else None)
        self.changed.emit()

    def act(self, action: str) -> None:
        """recall, no-show (or no_show), start, cancel: need the server's answer now."""
        name = action.replace("-", "_")
        if name not in ACTIONS:
            raise ValueError(f"not an action at the desk: {action!r}")
        if self.current is not None:
            self._request(self.client.act, self.current.id, name, then=self._on_acted)

    def _on_acted(self, ticket: Ticket) -> None:
        if ticket.status == "no_show":
            self.undo_offer = UndoOffer(ticket.id, ticket.number, datetime.now(UTC))
        self._set_current(ticket if ticket.status in ("called", "serving") else None)
        self.changed.emit()

    def park(self) -> None:
        """Set the case aside; what was typed goes to the server first."""
        if self.current is None:
            return
        ticket_id = self.current.id
        self._send_later(update_case_call(ticket_id, self.draft.as_dict()), "case", supersede=True)
        self._send_later(park_call(ticket_id), "park")
        self._left(ticket_id)

    def resume(self, ticket_id: int) -> None:
        self._request(self.client.resume, ticket_id, self.desk, then=self._on_acted)

    def finish(self, outcome: str, call_next: bool = False) -> None:
        """Finish the current case with ``outcome``; sent now or, if the server is gone, later."""
        if self.current is None:
            return
        ticket_id = self.current.id
        # The next call must reach the server after the finish, or the desk is still busy there.
        self._call_next_after_flush = call_next
        self._send_later(
            finish_call(ticket_id, outcome, self.draft.as_dict()),
            f"finish {self.current.number}",
        )
        self._left(ticket_id)

    def transfer(self, service_id: int | None, desk: str | None, reason: str) -> None:
        if self.current is None:
            return
        ticket_id = self.current.id
        # The whole case travels: the next desk sees the steps ticked and the reference filled.
        call = transfer_call(
            ticket_id, typed_text(reason), self.draft.as_dict(), service_id=service_id, desk=desk
        )
        self._send_later(call, f"transfer {self.current.number}")
        self._left(ticket_id)

    def order_document(self, body: dict[str, Any]) -> None:
        """ "Document ordered": create the pickup now (the server must give the receipt's token)."""
        if self.current is None:
            return
        body = {**body, "ticket_id": self.current.id}
        language = self.current.language or "de"
        self._request(
            self.client.order_pickup,
            self.site,
            body,
            then=lambda pickup: self._on_ordered(pickup, language),
        )

    def _on_ordered(self, pickup: OrderedPickup, language: str) -> None:
        self.problem.emit(("ordered", pickup))
        self.pickup_ordered.emit(pickup, language)

    def cancel_waiting(self, ticket: Ticket, why: str, reason: str) -> None:
        """Cancel a waiting ticket of this desk's queue (the citizen left, came twice ...)."""
        self._request(
            lambda: self.client.cancel_ticket(
                ticket.id, typed_text(reason).strip(), desk=self.desk, why=why
            ),
            then=lambda _answer: self.problem.emit(("cancelled", ticket.number)),
        )

    def issue_urgent(self, service_id: int, language: str) -> None:
        """Issue an urgent ticket for a citizen who cannot wait; ``ticket_issued`` brings it."""
        self._request(
            lambda: self.client.create_ticket(
                self.site, service_id, language=language, priority=Priority.URGENT.value
            ),
            then=self.ticket_issued.emit,
        )

    def _left(self, ticket_id: int) -> None:
        """The citizen has left this desk: forget the draft once it is in the outbox (the
        action that took the citizen away carries the case)."""
        self._generation += 1
        self._case_timer.stop()
        self._case_unsaved = None
        self.outbox.drop_draft(ticket_id)
        self._set_current(None)
        self.changed.emit()

    def _send_later(self, call: Call, label: str, supersede: bool = False) -> None:
        if self.ended_reason is not None:
            return
        self.outbox.add(call, label, supersede=supersede)
        self.flush_outbox()

    def flush_outbox(self) -> None:
        if self._flushing:
            self._flush_again = True
            return
        if self.outbox.pending_count() == 0:
            self._retry.stop()
            return
        self._flushing = True
        self.tasks.run(
            self.outbox.flush, self.client, on_done=self._on_flushed, on_error=self._on_flush_error
        )

    def _on_flushed(self, sent: int) -> None:
        self._flushing = False
        if self._flush_again:
            self._flush_again = False
            self.flush_outbox()
        if sent:
            self._generation += 1
        self._set_online(True)
        refused = [i for i in self.outbox.waiting() if i.state == "refused"]
        if refused:
            self.problem.emit(("refused", refused))
        if self.outbox.pending_count() == 0:
            self._retry.stop()
            if self._call_next_after_flush:
                self._call_next_after_flush = False
                self.call_next()
        if sent:
            self.refresh()

    def _on_flush_error(self, error: Exception) -> None:
        self._flushing = False
        self._flush_again = False  # the retry timer tries again
        # Offline: the clerk calls the next one by hand once the server is back.
        self._call_next_after_flush = False
        self._on_error(error)
        if not self._retry.isActive():
            self._retry.start()

    # Case draft --------------------------------------------------------------------------

    def update_draft(self, **fields: Any) -> None:
        """The clerk changed the case: on disk now, on the server once they pause typing."""
        for name, value in fields.items():
            setattr(self.draft, name, value)
        if self.current is not None:
            self.outbox.save_draft(self.current.id, self.draft.as_dict())
            self._case_unsaved = self.current.id
            self._case_timer.start()  # restarts: the case goes when the typing pauses

    def stop(self) -> None:
        """The window closes: nothing more is sent from here (what was typed is on disk and
        goes to the server when the desk opens again with this citizen)."""
        self._case_timer.stop()
        self._retry.stop()
        self._stopped = True
        self._appointment_clock.stop()

    def _on_case_timer_timeout(self) -> None:
        self.save_case()

    def save_case(self) -> None:
        """The case as the clerk has it now to the server, through the outbox: its newest
        version replaces any older one still waiting there."""
        self._case_timer.stop()
        ticket_id, self._case_unsaved = self._case_unsaved, None
        if ticket_id is None or self.current is None or self.current.id != ticket_id:
            return
        self._send_later(
            update_case_call(ticket_id, self.draft.as_dict()),
            f"case {self.current.number}",
            supersede=True,
        )

    def _set_current(self, ticket: Ticket | None) -> None:
        if ticket is None or self.current is None or self.current.id != ticket.id:
            # Another citizen (or none): a case typed for the last one is not sent any more;
            # finishing, parking or forwarding took it along already.
            self._case_timer.stop()
            self._case_unsaved = None
        if ticket is not None and (self.current is None or self.current.id != ticket.id):
            saved = self.outbox.draft(ticket.id)
            from_server = CaseDraft.from_case(ticket.case)
            self.draft = CaseDraft.from_dict(saved) if saved else from_server
            if saved is not None and saved != from_server.as_dict():
                # Typed here but never saved on the server (the program was closed or the PC
                # failed before it could be): the server gets it now.
                self._case_unsaved = ticket.id
                self._case_timer.start()
        elif ticket is None:
            self.draft = CaseDraft()
        self.current = ticket

    # State ---------------------------------------------------------------------------------

    def pending_changes(self) -> int:
        return self.outbox.pending_count()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def _set_online(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            self.online_changed.emit(online)
            self.changed.emit()

    def _on_error(self, error: Exception) -> None:
        if isinstance(error, ServerUnreachable | ServerFault):
            self._set_online(False)
            return
        if isinstance(error, NotSignedIn | ApiError):
            self.problem.emit(("error", error))
            return
        log.error("unexpected error: %r", error)
        self.problem.emit(("error", error))
