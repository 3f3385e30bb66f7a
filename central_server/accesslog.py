"""uvicorn's access log, written by a thread of its own instead of the event loop.

uvicorn writes one access line per request from the event loop, the one thread every request
passes through: in a city's peak, formatting and writing those lines took about a tenth of the
loop's time (py-spy, bench/README.md "Issue 12, continued"). :func:`off_the_loop` leaves the
loop only the making of each record: the access logger's handlers are moved behind a queue
that a :class:`logging.handlers.QueueListener` thread empties, in order. The logger's own filters
(:mod:`central_server.web.logfilter` masks the keys of status pages and displays) still run
before a record is queued, so nothing unmasked reaches the queue; :meth:`AccessLog.stop` writes
what is queued and puts the handlers back (at the server's shutdown).
"""

from __future__ import annotations

import logging
import queue
from logging.handlers import QueueHandler, QueueListener

ACCESS_LOGGER = "uvicorn.access"


class _Enqueue(QueueHandler):
    """Queues the record as it is: the listener's handlers, in this process, format it."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


class AccessLog:
    """The access logger's handlers behind a queue, until :meth:`stop`."""

    def __init__(self, logger: logging.Logger, handlers: list[logging.Handler]) -> None:
        self._logger = logger
        self._handlers = handlers
        records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        self._listener = QueueListener(records, *handlers, respect_handler_level=True)
        self._listener.start()
        logger.handlers = [_Enqueue(records)]

    def stop(self) -> None:
        self._listener.stop()  # writes every record queued before it returns
        self._logger.handlers = self._handlers


def off_the_loop(name: str = ACCESS_LOGGER) -> AccessLog | None:
    """Move ``name``'s handlers behind a queue; None when there is nothing to move (no
    handlers: the access log is off, or another server in this process moved them already)."""
    logger = logging.getLogger(name)
    handlers = list(logger.handlers)
    if not handlers or any(isinstance(handler, _Enqueue) for handler in handlers):
        return None
    return AccessLog(logger, handlers)
