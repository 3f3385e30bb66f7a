"""A citizen without the receipt: find the pickup by case reference or name, then hand the
document over after the ID check, or make a new receipt. Widgets are views of this object.

The server decides and logs (who searched, never what); this object asks and keeps its last
answers. Invariants:

* ``results`` is only ever the server's answer to the text searched last; an answer to an
  earlier search that arrives late is dropped.
* One action at a time (``busy``); an action names the pickup by id, the one the person
  confirmed in the dialog. After it, the results are read again so they show the pickup as it
  is now (handed over, or with its new receipt).
* The new receipt's token is passed on (``reissued``) to be printed, never kept here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from counter_app.core.answers import OrderedPickup, Pickup, PickupSearchResult
from counter_app.core.api import TresenClient, new_key
from counter_app.qt.tasks import Tasks

log = logging.getLogger("tresen.pickup")

#: The shortest text worth searching for (the server refuses shorter ones).
MIN_QUERY = 3


class PickupSearch(QObject):
    #: What the search panel shows changed.
    changed = Signal()
    #: A document was handed over without its receipt: the pickup as the server answered.
    handed_over = Signal(object)
    #: A new receipt was made: the ``OrderedPickup`` with its token, and the citizen's
    #: language, to be printed.
    reissued = Signal(object, str)

    def __init__(
        self,
        client: TresenClient,
        site: str,
        tasks: Tasks | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.site = site
        self.tasks = tasks or Tasks(self)
        #: The last search's answer (None before any search or after ``clear``).
        self.results: list[Pickup] | None = None
        self.more = False
        self.busy = False
        self.error: Exception | None = None
        #: What the last action did: ("handed_over" | "reissued", pickup), for the notice.
        self.done: tuple[str, Pickup] | None = None
        self._query = ""
        self._searches = 0

    def search(self, text: str) -> None:
        query = text.strip()
        if len(query) < MIN_QUERY or (self.busy and self._query == query):
            return
        self._searches += 1
        searched = self._searches
        self._query = query
        self.busy, self.error, self.done = True, None, None
        self.changed.emit()
        self.tasks.run(
            self.client.search_pickups,
            self.site,
            query,
            on_done=lambda answer: self._on_found(searched, answer),
            on_error=lambda error: self._on_failed(searched, error),
        )

    def _on_found(self, searched: int, answer: PickupSearchResult) -> None:
        if searched != self._searches:
            return
        self.busy = False
        self.results, self.more = answer.pickups, answer.more
        log.info("pickup search: %d found", len(answer.pickups))  # never the text
        self.changed.emit()

    def _on_failed(self, searched: int, error: Exception) -> None:
        if searched != self._searches:
            return
        self.busy, self.error = False, error
        log.info("pickup search or action failed: %s", error.__class__.__name__)
        self.changed.emit()

    def clear(self) -> None:
        self._searches += 1
        self._query = ""
        self.results, self.more = None, False
        self.busy, self.error, self.done = False, None, None
        self.changed.emit()

    def pickup(self, pickup_id: int) -> Pickup | None:
        return next((p for p in self.results or [] if p.id == pickup_id), None)

    # Acting -------------------------------------------------------------------------------

    def hand_over(self, pickup_id: int, reason: str) -> None:
        """Hand the document over without its receipt (the ID was checked), saying why."""
        self._act(
            lambda: self.client.hand_over_without_receipt(pickup_id, reason, new_key()),
            self._on_handed_over,
        )

    def reissue(self, pickup_id: int, reason: str, language: str = "de") -> None:
        """A new receipt (the ID was checked), in German and ``language``; the old one is
        void."""
        self._act(
            lambda: self.client.reissue_receipt(pickup_id, reason),
            lambda pickup: self._on_reissued(pickup, language),
        )

    def _act(self, call: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        if self.busy:
            return
        self._searches += 1
        searched = self._searches
        self.busy, self.error, self.done = True, None, None
        self.changed.emit()
        self.tasks.run(
            call,
            on_done=on_done,
            on_error=lambda error: self._on_failed(searched, error),
        )

    def _on_handed_over(self, pickup: Pickup) -> None:
        self.busy, self.done = False, ("handed_over", pickup)
        log.info("pickup %s handed over without receipt", pickup.id)
        self._replace(pickup)
        self.handed_over.emit(pickup)

    def _on_reissued(self, pickup: OrderedPickup, language: str) -> None:
        self.busy = False
        shown = Pickup.model_validate(pickup.model_dump(exclude={"token", "ready_page"}))
        self.done = ("reissued", shown)
        log.info("pickup %s: new receipt", pickup.id)
        self._replace(shown)
        self.reissued.emit(pickup, language)

    def _replace(self, pickup: Pickup) -> None:
        if self.results is not None:
            self.results = [pickup if p.id == pickup.id else p for p in self.results]
        self.changed.emit()
