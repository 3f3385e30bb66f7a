"""The quick-pickup desk's state: the clerk's desk (calling P tickets, live updates, outbox)
plus the receipt scanned last (``lookup``) and the search for a citizen without the receipt
(``search``). Widgets are views of this object.

Two rules join them:

* A document handed over for the ticket at this desk (the pickup's check-in ticket) finishes
  that ticket as ``completed``: one step less for staff. Any other ticket is left alone. The
  same holds for a hand-over without the receipt (``search``).
* When the desk calls a ticket that is not the shown pickup's check-in ticket, the panel is
  cleared: the next citizen does not see the last one's name.
* A called P ticket drawn with a receipt at the kiosk names its pickup (``called_pickup``: the
  document and its slot) as soon as it is called, so staff can fetch it while the citizen walks
  up; the scan of the receipt still confirms it before the hand-over. It is read anew for
  every ticket called and forgotten when the ticket leaves the desk.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject

from counter_app.clerk.controller import DeskController
from counter_app.core.answers import Pickup, Site
from counter_app.core.api import TresenClient, start_call
from counter_app.core.live import LiveEvent
from counter_app.core.outbox import Outbox
from counter_app.pickup.lookup import PickupLookup
from counter_app.pickup.search import PickupSearch
from counter_app.qt.tasks import Tasks


class PickupDeskController(DeskController):
    def __init__(
        self,
        client: TresenClient,
        outbox: Outbox,
        site: str,
        desk: str,
        tasks: Tasks | None = None,
        parent: QObject | None = None,
        lookup: PickupLookup | None = None,
    ) -> None:
        super().__init__(client, outbox, site, desk, tasks, parent)
        self.lookup = lookup or PickupLookup(client, self.tasks, self)
        self.lookup.handed_over.connect(self._on_lookup_handed_over)
        #: A citizen without the receipt: the pickup found by case reference or name.
        self.search = PickupSearch(client, site, self.tasks, self)
        self.search.handed_over.connect(self._on_lookup_handed_over)
        self.changed.connect(self._on_changed)
        self._seen_ticket: int | None = None
        # "Call next" was asked for while the last ticket's finish was still on its way.
        self._call_when_sent = False
        self.online_changed.connect(self._on_online_changed)
        #: The site's time zone, for the moments the panel shows; None until read.
        self.timezone: ZoneInfo | None = None
        #: The pickup of the ticket at the desk (checked in with its receipt at the kiosk).
        self.called_pickup: Pickup | None = None

    def load(self) -> None:
        super().load()
        self.tasks.run(self.client.site, self.site, on_done=self._on_site, on_error=_not_yet)

    def _on_site(self, site: Site) -> None:
        try:
            self.timezone = ZoneInfo(site.timezone)
        except (ValueError, ZoneInfoNotFoundError):
            return
        self.changed.emit()

    def on_live_event(self, event: LiveEvent) -> None:
        super().on_live_event(event)
        self.lookup.on_live_event(event)

    def call_next(self) -> None:
        """Call the next; right after a hand-over, once the ticket's finish has reached the
        server (until then the server still sees this desk busy with it) and the queue has
        been read again after it."""
        if self.current is None and self.online and self.outbox.pending_count():
            self._call_when_sent = True
            self.flush_outbox()
            return
        self._call_when_sent = False
        super().call_next()

    def finish_checked_in(self, ticket_id: int) -> bool:
        """Finish ``ticket_id`` as completed if it is the ticket at this desk; True if so."""
        ticket = self.current
        if ticket is None or ticket.id != ticket_id:
            return False
        if ticket.status == "called":
            # Handed over without pressing "start": the server finishes only a ticket being
            # served. Both go through the outbox, in order, each with its own key.
            self._send_later(start_call(ticket_id), f"start {ticket.number}")
        elif ticket.status != "serving":
            return False
        self.finish("completed")
        return True

    def _on_lookup_handed_over(self, pickup: Pickup) -> None:
        # Also without the receipt: the document is out, the P ticket is done.
        if pickup.checkin_ticket_id is not None:
            self.finish_checked_in(pickup.checkin_ticket_id)

    def _on_online_changed(self, online: bool) -> None:
        if not online:
            self._call_when_sent = False  # offline: staff call again once it is back

    def _on_changed(self) -> None:
        if (
            self._call_when_sent
            and self.current is None
            and not self.busy
            and self.outbox.pending_count() == 0
        ):
            self.call_next()
        ticket_id = self.current.id if self.current else None
        if ticket_id == self._seen_ticket:
            return
        self._seen_ticket = ticket_id
        self._read_called_pickup(ticket_id)
        shown = self.lookup.pickup
        if ticket_id is not None and shown is not None and shown.checkin_ticket_id != ticket_id:
            self.lookup.clear()

    def _read_called_pickup(self, ticket_id: int | None) -> None:
        self.called_pickup = None
        if ticket_id is None:
            return

        def found(pickup: Pickup | None) -> None:
            if self._seen_ticket != ticket_id:
                return  # another ticket was called meanwhile
            self.called_pickup = pickup
            self.changed.emit()

        self.tasks.run(
            self.client.pickup_of_ticket, self.site, ticket_id, on_done=found, on_error=_no_pickup
        )


def _no_pickup(_error: Exception) -> None:
    """Without an answer the panel names the ticket only; the receipt's scan tells the rest."""


def _not_yet(_error: Exception) -> None:
    """Without the site's time zone, moments show in this computer's (the same, at the site)."""
