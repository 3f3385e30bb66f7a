"""Wakes live streams when a site has new events: one read per site change per process.

Every live stream of a site in this process (the clerks' event streams, the call displays,
the citizens' status pages) follows the site's one :class:`SiteFeed`. A feed reads the log
after the last event it has whenever it is woken, and hands that batch to every stream of the
site; each stream takes what lies after its own position. However many streams follow a site,
a change costs the process one read, and nothing happening costs nothing.

A feed is woken

* by writers in this process, after their commit (:meth:`EventBus.notify`, from any thread);
* on PostgreSQL by ``LISTEN tresen_events`` (``central_server.events.listen``): every process
  hears of every commit, whichever process (or ``tresen admin``) wrote it; after the listening
  connection was lost and made again, every feed reads once (:meth:`EventBus.wake_all`), so
  nothing written meanwhile is missed;
* every ``poll_seconds`` by itself, per site (not per stream): a safety net, and on SQLite the
  way to see what a ``tresen admin`` command in another process wrote.

A wake-up may carry the first event of the committed change (``SITE:SEQ``): a feed that has
already read that far skips it, so the writer's own process, told twice (by the writer and by
PostgreSQL), still reads once.

A feed's batch says after which event it was read (:attr:`Batch.after`). Batches follow each
other without gaps; a stream that finds itself behind a batch (it joined while the batch was
read, or fell too far behind, :data:`MAX_QUEUED`) reads the missing events from the log itself.
The database stays the one source of truth: the bus carries no change, only what was read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool

from central_server.db import Database
from central_server.events import log as event_log

log = logging.getLogger("tresen.events")

#: A stream with more events than this waiting to be sent is dropped from the feed's hand-outs
#: and reads from the log itself once it catches up (a client that stopped reading costs no
#: memory).
MAX_QUEUED = 2000
#: How long a feed waits before it tries again after a failed read (database gone).
RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class Batch:
    """Events of a site read in one go: every event after ``after``, up to ``seq``; ``texts``
    holds each as a server-sent event, written once for all streams."""

    after: int
    seq: int
    messages: tuple[dict[str, Any], ...]
    texts: tuple[str, ...] = ()


class Subscription:
    """One stream's place at a site's feed: the batches handed to it and not yet taken."""

    def __init__(self, feed: SiteFeed) -> None:
        self.feed = feed
        self._batches: deque[Batch] = deque()
        self._queued = 0
        self._ready = asyncio.Event()
        #: Batches were dropped: the stream must read from the log after its own position.
        self.behind = False

    @property
    def seq(self) -> int | None:
        """The newest event the site's feed has read (None before its first read)."""
        return self.feed.seq

    def _deliver(self, batch: Batch) -> None:
        if self._queued + len(batch.messages) > MAX_QUEUED:
            self._batches.clear()
            self._queued = 0
            self.behind = True
        else:
            self._batches.append(batch)
            self._queued += len(batch.messages)
        self._ready.set()

    async def next(self, timeout: float) -> list[Batch]:
        """The batches handed over since the last call; empty after ``timeout`` seconds
        without news (or when only :attr:`behind` is new)."""
        if not self._batches and not self.behind:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout)
        self._ready.clear()
        batches = list(self._batches)
        self._batches.clear()
        self._queued = 0
        return batches


class SiteFeed:
    """The reader of one site's new events in this process, while any stream follows it."""

    def __init__(self, bus: EventBus, site_id: int) -> None:
        self.bus = bus
        self.site_id = site_id
        self.subscribers: set[Subscription] = set()
        #: The newest event read; None until the first read found where the log stands.
        self.seq: int | None = None
        #: Read when ``_wanted`` lies beyond ``seq`` (math.inf: read in any case).
        self._wanted: float = 0
        self._woken = asyncio.Event()
        self.reads = 0
        self.task = asyncio.get_running_loop().create_task(
            self._run(), name=f"tresen-feed-{site_id}"
        )

    def wake(self, seq: int | None = None) -> None:
        """News: the change whose first event is ``seq`` (unknown: None) has committed."""
        self._wanted = max(self._wanted, math.inf if seq is None else seq)
        self._woken.set()

    async def _run(self) -> None:
        while True:
            try:
                if self.seq is None:
                    self.seq = await run_in_threadpool(
                        event_log.latest_seq, self.bus.db, self.site_id
                    )
                    self.reads += 1
                    self._publish(Batch(self.seq, self.seq, ()))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), self.bus.poll_seconds)
                    # Woken (not the safety poll): nothing to do if it is already read.
                    if self._wanted <= self.seq:
                        self._woken.clear()
                        continue
                self._woken.clear()
                self._wanted = 0
                await self._read()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database gone for a moment: try again, never stop
                log.warning(
                    "reading the events of site %d failed (%s); trying again",
                    self.site_id,
                    exc.__class__.__name__,
                )
                await asyncio.sleep(RETRY_SECONDS)
                self.wake()  # read again at once, not only at the next poll

    async def _read(self) -> None:
        while True:
            assert self.seq is not None
            messages = await run_in_threadpool(
                event_log.events_after, self.bus.db, self.site_id, self.seq
            )
            self.reads += 1
            if not messages:
                return
            texts = tuple(event_log.format_sse(message) for message in messages)
            batch = Batch(self.seq, int(messages[-1]["seq"]), tuple(messages), texts)
            self.seq = batch.seq
            self._publish(batch)
            if len(messages) < event_log.BATCH:
                return

    def _publish(self, batch: Batch) -> None:
        for subscription in tuple(self.subscribers):
            subscription._deliver(batch)


class EventBus:
    """The site feeds of this process (see the module's docstring).

    ``db`` is read by the feeds; ``poll_seconds`` is each feed's safety poll. The bus lives on
    the server's event loop (the first subscription's); :meth:`notify` may come from any thread.
    """

    def __init__(self, db: Database | None = None, poll_seconds: float = 5.0) -> None:
        self.db: Database = db  # type: ignore[assignment]  # set before the first stream
        self.poll_seconds = poll_seconds
        self._feeds: dict[int, SiteFeed] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        #: When the feeds were last all woken (after the listener (re)connected), for tests.
        self.woken_all_at: float | None = None

    # From any thread ------------------------------------------------------------------------

    def notify(self, sites: Iterable[int] | Mapping[int, int]) -> None:
        """Wake the feeds of ``sites`` after a commit: site ids, or site id -> the change's
        first event (lets a feed that already read it skip a read)."""
        if isinstance(sites, Mapping):
            news: list[tuple[int, int | None]] = list(sites.items())
        else:
            news = [(site_id, None) for site_id in sites]
        self._call(self._wake, news)

    def wake_all(self) -> None:
        """Every feed reads once (after notifications may have been missed)."""
        self._call(self._wake_all)

    def _call(self, function: Any, *args: Any) -> None:
        with self._lock:
            loop = self._loop
        if loop is None or loop.is_closed():
            return  # no stream has ever listened: nobody to wake
        with contextlib.suppress(RuntimeError):  # the loop closed just now
            if _running_loop() is loop:
                function(*args)
            else:
                loop.call_soon_threadsafe(function, *args)

    # On the event loop ----------------------------------------------------------------------

    def _wake(self, news: list[tuple[int, int | None]]) -> None:
        for site_id, seq in news:
            feed = self._feeds.get(site_id)
            if feed is not None:
                feed.wake(seq)

    def _wake_all(self) -> None:
        self.woken_all_at = time.monotonic()
        for feed in self._feeds.values():
            feed.wake()

    def bind(self) -> None:
        """Serve the running event loop (the server's); done by the first subscription too."""
        with self._lock:
            self._loop = asyncio.get_running_loop()

    @contextlib.contextmanager
    def subscribe(self, site_id: int) -> Iterator[Subscription]:
        """Follow ``site_id``'s feed (made on the first stream, ended with the last)."""
        if self._loop is None:
            self.bind()
        feed = self._feeds.get(site_id)
        if feed is None:
            feed = self._feeds[site_id] = SiteFeed(self, site_id)
        subscription = Subscription(feed)
        feed.subscribers.add(subscription)
        try:
            yield subscription
        finally:
            feed.subscribers.discard(subscription)
            if not feed.subscribers and self._feeds.get(site_id) is feed:
                del self._feeds[site_id]
                feed.task.cancel()

    def feed_reads(self) -> int:
        """Reads made by the feeds now open (for tests and benchmarks)."""
        return sum(feed.reads for feed in self._feeds.values())

    async def close(self) -> None:
        feeds = list(self._feeds.values())
        self._feeds.clear()
        for feed in feeds:
            feed.task.cancel()
        for feed in feeds:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await feed.task


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
