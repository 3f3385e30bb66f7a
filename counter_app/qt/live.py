"""Live events as Qt signals, delivered on the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from counter_app.core.live import LiveEvent, LiveEvents


class LiveSignals(QObject):
    # Not named "event": that is QObject's own event handler.
    received = Signal(object)  # LiveEvent
    connection = Signal(bool)

    def __init__(self, base_url: str, token: str, site: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Emitting from the reader thread queues the call onto this object's (GUI) thread.
        self._reader = LiveEvents(base_url, token, site, self._emit_event, self.connection.emit)

    def _emit_event(self, event: LiveEvent) -> None:
        self.received.emit(event)

    def start(self) -> None:
        self._reader.start()

    def stop(self) -> None:
        self._reader.stop()
