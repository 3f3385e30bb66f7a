"""The receipt scanned last and the pickup it belongs to: what the desk's panel shows.

The server decides; this object asks and keeps its last answer. Invariants:

* ``pickup`` is only ever the server's answer for the receipt scanned last. A new scan forgets
  the shown pickup at once, before the server has answered, and an answer to an earlier scan
  that arrives late is dropped: the panel never shows one receipt's pickup under another's scan.
* A hand-over is possible only for a ``ready`` pickup, with the token of the receipt that was
  scanned for it, and with one Idempotency-Key per shown pickup, so pressing again after a lost
  answer repeats the same request instead of making a second one.
* The token is held only while its pickup is shown and ready to hand over; it is never logged
  nor shown, and forgotten after the hand-over or a refusal (scan again to retry).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from counter_app.core.answers import Pickup, PickupEvent
from counter_app.core.api import TresenClient, new_key
from counter_app.core.errors import Rejected
from counter_app.core.live import LiveEvent
from counter_app.pickup.errors import During
from counter_app.qt.tasks import Tasks

log = logging.getLogger("tresen.pickup")


class PickupLookup(QObject):
    #: What the panel shows changed (a scan, an answer, a refusal, a live update).
    changed = Signal()
    #: The document was handed over at this desk: the pickup as the server answered.
    handed_over = Signal(object)

    def __init__(
        self, client: TresenClient, tasks: Tasks | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.tasks = tasks or Tasks(self)
        #: The server's answer for the receipt scanned last; None before it has answered.
        self.pickup: Pickup | None = None
        #: Why the last scan or hand-over failed, and which of them it was.
        self.error: Exception | None = None
        self.error_during: During = "lookup"
        #: A request for the shown receipt is on its way (a lookup or a hand-over).
        self.busy = False
        #: The shown pickup was handed over here, just now.
        self.handed_over_here = False
        self._token: str | None = None
        self._key: str | None = None
        self._handing_over = False
        # Bumped by every scan: answers to an earlier scan are stale.
        self._scan = 0
        # Bumped by every answer applied: a re-read that started before one is stale.
        self._answers = 0

    # Reading ------------------------------------------------------------------------------

    def scan(self, text: str) -> None:
        """A receipt was scanned or typed. Only surrounding whitespace is removed: the server
        normalises the rest (spaces and dashes between groups, letter case)."""
        token = text.strip()
        if not token:
            return
        if self.busy and self._handing_over:
            return  # the hand-over in flight decides what the panel shows next
        self._scan += 1
        scan = self._scan
        self._show(None)
        self._token = token
        self.busy = True
        self.changed.emit()
        self.tasks.run(
            self.client.lookup_pickup,
            token,
            on_done=lambda pickup: self._on_found(scan, pickup),
            on_error=lambda error: self._on_failed(scan, error, "lookup"),
        )

    def _on_found(self, scan: int, pickup: Pickup) -> None:
        if scan != self._scan:
            return
        self.busy = False
        self._answers += 1
        self.pickup = pickup
        self._key = new_key()
        if pickup.status != "ready":
            self._token = None
        log.info("receipt of pickup %s looked up: %s", pickup.id, pickup.status)
        self.changed.emit()

    def _on_failed(self, scan: int, error: Exception, during: During) -> None:
        if scan != self._scan:
            return
        self.busy = False
        self._handing_over = False
        self.error, self.error_during = error, during
        if during == "lookup":
            self._token = None
        elif isinstance(error, Rejected):
            # Refused for good (handed over elsewhere, cancelled, receipt replaced): the button
            # stays off until the receipt is scanned again; show the pickup as it is now.
            self._token = None
            self.reread()
        log.info("pickup %s failed: %s", during, error.__class__.__name__)
        self.changed.emit()

    def reread(self) -> None:
        """Read the shown pickup again (by id: no token, so it never counts as a wrong scan)."""
        if self.pickup is None:
            return
        scan, answers = self._scan, self._answers

        def apply(pickup: Pickup) -> None:
            if (scan, answers) != (self._scan, self._answers):
                return
            self._answers += 1
            self.pickup = pickup
            if pickup.status != "ready":
                self._token = None
            self.changed.emit()

        self.tasks.run(self.client.pickup, self.pickup.id, on_done=apply, on_error=_ignore)

    def on_live_event(self, event: LiveEvent) -> None:
        """Another desk or a clerk changed the shown pickup: show it as it is now."""
        if not event.type.startswith("pickup.") or self.pickup is None or self.busy:
            return
        changed = event.payload(PickupEvent)
        about = changed.pickup if changed is not None else None
        if about is not None and about.id == self.pickup.id:
            self.reread()

    def clear(self) -> None:
        """Show nothing (the next citizen need not see the last one's name)."""
        if self.busy and self._handing_over:
            return
        self._scan += 1
        self._show(None)
        self.busy = False
        self.changed.emit()

    # Acting -------------------------------------------------------------------------------

    def can_hand_over(self) -> bool:
        return (
            self.pickup is not None
            and self.pickup.status == "ready"
            and self._token is not None
            and not self.busy
        )

    def hand_over(self, pickup_id: int) -> None:
        """Hand over the shown pickup, if it is still ``pickup_id`` (the one confirmed)."""
        if not self.can_hand_over() or self.pickup is None or self.pickup.id != pickup_id:
            return
        assert self._token is not None and self._key is not None
        scan = self._scan
        self.busy, self._handing_over = True, True
        self.error = None
        self.changed.emit()
        self.tasks.run(
            self.client.hand_over,
            pickup_id,
            self._token,
            self._key,
            on_done=self._on_handed_over,
            on_error=lambda error: self._on_failed(scan, error, "hand_over"),
        )

    def _on_handed_over(self, pickup: Pickup) -> None:
        self.busy, self._handing_over = False, False
        self._answers += 1
        self.pickup = pickup
        self.handed_over_here = True
        self._token = self._key = None
        log.info("pickup %s handed over", pickup.id)
        self.changed.emit()
        self.handed_over.emit(pickup)

    def _show(self, pickup: Pickup | None) -> None:
        self.pickup = pickup
        self.error = None
        self.handed_over_here = False
        self._token = self._key = None


def _ignore(_error: Exception) -> None:
    """A failed re-read changes nothing: the panel keeps the last answer."""
