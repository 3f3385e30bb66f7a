"""The one way off the GUI thread.

``Tasks.run(fn, *args, on_done=..., on_error=...)`` runs ``fn`` on a thread pool and delivers
its result, or the exception it raised, on the GUI thread. Network and printer calls go through
here, so a slow server never freezes a window. Tests may pass ``SyncTasks`` to run inline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger("tresen.tasks")

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class _Box:
    """Carries a result across threads. PySide6 6.12 on Python 3.11 miscounts references when
    a bare ``None`` is emitted through a queued ``Signal(object)`` and the process dies
    ("none_dealloc"); a box is never None."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Relay(QObject):
    """Lives on the GUI thread; its signals cross back from the worker (queued connection)."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], relay: _Relay) -> None:
        super().__init__()
        self.fn, self.args, self.relay = fn, args, relay

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except Exception as exc:  # handed to on_error on the GUI thread
            self.relay.failed.emit(exc)
        else:
            self.relay.done.emit(_Box(result))


class Tasks(QObject):
    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        # No parent: a relay kept alive only by ``self._relays`` dies with its last reference.
        # Parented to the Tasks, a spent relay whose callbacks held the last reference to a
        # Tasks owned by Python was deleted twice (by Qt's deferred delete and by the Tasks
        # going with it), and the process crashed.
        relay = _Relay()
        self._relays.add(relay)

        def finish() -> None:
            self._relays.discard(relay)
            relay.deleteLater()

        def done(box: _Box) -> None:
            finish()
            if on_done is not None:
                on_done(box.value)

        def failed(error: Exception) -> None:
            finish()
            if on_error is not None:
                on_error(error)
            else:
                log.error("background task failed: %r", error)

        relay.done.connect(done)
        relay.failed.connect(failed)
        self._pool.start(_Job(fn, args, relay))

    def wait(self, msecs: int = 10000) -> bool:
        return self._pool.waitForDone(msecs)


class SyncTasks(QObject):
    """Runs every task at once on the calling thread: for tests of a widget's logic."""

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done | None = None,
        on_error: Failed | None = None,
    ) -> None:
        try:
            result = fn(*args)
        except Exception as exc:
            if on_error is not None:
                on_error(exc)
            return
        if on_done is not None:
            on_done(result)

    def wait(self, msecs: int = 0) -> bool:
        return True
