"""Wakes live streams when a site has new events.

Writers call :meth:`EventBus.notify` after their transaction commits, from any thread; each
subscribed stream is woken on its own event loop. The bus carries no data: a woken stream reads
what is new from the database, which stays the one source of truth (and which a stream also
polls now and then, for events that another server process wrote).

A stream subscribes once and, each round, clears its flag *before* it reads the log, so a
notification that arrives while it reads is never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class Subscription:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.flag = asyncio.Event()

    def clear(self) -> None:
        self.flag.clear()

    async def wait(self, timeout: float) -> None:
        """Return when the site has news, or after ``timeout`` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.flag.wait(), timeout)


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscriptions: dict[int, set[Subscription]] = defaultdict(set)

    def notify(self, site_ids: Iterable[int]) -> None:
        with self._lock:
            subs = [s for site_id in site_ids for s in self._subscriptions.get(site_id, ())]
        for sub in subs:
            if not sub.loop.is_closed():
                sub.loop.call_soon_threadsafe(sub.flag.set)

    @contextmanager
    def subscribe(self, site_id: int) -> Iterator[Subscription]:
        sub = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subscriptions[site_id].add(sub)
        try:
            yield sub
        finally:
            with self._lock:
                self._subscriptions[site_id].discard(sub)
