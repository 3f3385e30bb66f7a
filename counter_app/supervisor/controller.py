"""The supervisor's window state: the site's board and queue as the server last answered them,
and the steering actions. The widgets are views of it and keep no copy of their own.

Live, never polling: every event of the site's stream (``counter_app.qt.live``) reads the board
and the queue again (answered 304 from the kept answer while nothing changed); a timer reads the
board once a minute too, because waits age and an alert may begin without any event (the board's
``ETag`` holds the minute). Every request runs off the GUI thread (``counter_app.qt.tasks``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from counter_app.core.answers import Board, Queue, Service, Site, Ticket
from counter_app.core.api import TresenClient
from counter_app.core.board import site_zone
from counter_app.core.live import LiveEvent
from counter_app.qt.tasks import SyncTasks, Tasks

log = logging.getLogger("tresen.supervisor")

#: How often the board is read without an event (waits age; an alert may begin).
MINUTE_MS = 60_000


class SupervisorController(QObject):
    #: The board or the queue changed.
    changed = Signal()
    #: A steering action was done: the sentence that says what happened (already worded).
    steered = Signal(str)
    #: A request failed: the exception (the window words it).
    failed = Signal(object)
    #: The live stream is connected (True) or lost (False).
    connection = Signal(bool)

    def __init__(
        self,
        client: TresenClient,
        site: str,
        tasks: Tasks | SyncTasks,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.site = site
        self.tasks = tasks
        self.board: Board | None = None
        self.queue: Queue | None = None
        self.site_info: Site | None = None
        #: The site's services by id (names in the window's language, all citizen names).
        self.services: dict[int, Service] = {}
        self.connected = False
        self._reading = False
        self._again = False
        self.timer = QTimer(self)
        self.timer.setInterval(MINUTE_MS)
        self.timer.timeout.connect(self.refresh)

    # Reading ---------------------------------------------------------------------------

    @property
    def zone(self) -> tzinfo:
        return site_zone(self.site_info.timezone if self.site_info else "Europe/Berlin")

    @property
    def site_name(self) -> str:
        return self.site_info.name if self.site_info else self.site

    @property
    def waiting(self) -> tuple[Ticket, ...]:
        return self.queue.waiting if self.queue is not None else ()

    @property
    def parked(self) -> tuple[Ticket, ...]:
        return self.queue.parked if self.queue is not None else ()

    def load(self) -> None:
        """Read the site, its services, the board and the queue; then once a minute."""

        def read() -> tuple[Site, list[Service]]:
            return self.client.site(self.site), self.client.services(self.site)

        self.tasks.run(read, on_done=self._on_site_read, on_error=self._on_failed)
        self.refresh()
        self.timer.start()

    def _on_site_read(self, answer: tuple[Site, list[Service]]) -> None:
        self.site_info, services = answer
        self.services = {s.id: s for s in services}
        self.changed.emit()

    def refresh(self) -> None:
        """Read the board and the queue again (one read at a time; an event during a read
        reads once more after it)."""
        if self._reading:
            self._again = True
            return
        self._reading = True

        def read() -> tuple[Board, Queue]:
            return self.client.board(self.site), self.client.queue(self.site)

        self.tasks.run(read, on_done=self._on_read, on_error=self._on_read_failed)

    def _on_read(self, answer: tuple[Board, Queue]) -> None:
        self.board, self.queue = answer
        self._read_done()
        self.changed.emit()

    def _on_read_failed(self, error: Exception) -> None:
        self._read_done()
        self._on_failed(error)

    def _read_done(self) -> None:
        self._reading = False
        if self._again:
            self._again = False
            self.refresh()

    def _on_failed(self, error: Exception) -> None:
        log.info("supervisor request failed: %r", error)
        self.failed.emit(error)

    def on_live_event(self, event: LiveEvent) -> None:
        if event.type.startswith("service.") or event.type == "site.configured":
            self._reread_services()
        self.refresh()

    def _reread_services(self) -> None:
        def read() -> list[Service]:
            return self.client.services(self.site)

        def done(services: list[Service]) -> None:
            self.services = {s.id: s for s in services}
            self.changed.emit()

        self.tasks.run(read, on_done=done, on_error=self._on_failed)

    def on_live_connection(self, up: bool) -> None:
        was = self.connected
        self.connected = up
        self.connection.emit(up)
        if up and not was:
            self.refresh()  # what happened while the stream was away

    def stop(self) -> None:
        self.timer.stop()

    # Steering: each says what it did, then the board follows the event it caused ---------

    def _steer(self, fn: Callable[..., Any], args: tuple[Any, ...], said: str) -> None:
        def done(_answer: object) -> None:
            self.steered.emit(said)
            self.refresh()

        self.tasks.run(fn, *args, on_done=done, on_error=self._on_failed)

    def set_desk_services(self, desk: str, service_ids: list[int], said: str) -> None:
        self._steer(self.client.set_desk_services, (self.site, desk, service_ids), said)

    def stop_service(self, service_id: int, reason: str | None, said: str) -> None:
        self._steer(self.client.stop_service, (self.site, service_id, reason), said)

    def resume_service(self, service_id: int, said: str) -> None:
        self._steer(self.client.resume_service, (self.site, service_id), said)

    def move_ticket(self, ticket_id: int, service_id: int, reason: str, said: str) -> None:
        self._steer(self.client.move_ticket, (ticket_id, service_id, reason), said)

    def cancel_ticket(self, ticket_id: int, reason: str, said: str) -> None:
        self._steer(self.client.cancel_ticket, (ticket_id, reason), said)
