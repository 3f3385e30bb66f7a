"""The live event stream of a site as server-sent events.

A client that connects with ``Last-Event-ID: N`` (or ``?after=N``) first receives every event of
the site after N from the log, then new ones as they are committed. Each event's ``id`` is its
``seq``, which counts the site's events without gaps, so a client that reconnects with the last
id it saw misses nothing, whichever server process it reaches: the replay reads the log itself.
Without an id, the stream starts with what happens from now on. New events come from the site's
feed in this process (``central_server.events.bus``), read once for all its streams; the stream
itself never polls the database. A comment line every 15 s keeps proxies from closing an idle
stream. Every ``RECHECK_SECONDS`` the stream asks whether its token still may read the site
(from the token cache: no statement while the token is trusted): a revoked device token or a
signed-out user's stream ends then, not when the client goes away. Events of the types in
``hidden`` are left out (a device never receives an emergency call,
``central_server.desks.emergency``); the stream's position passes them all the same.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from central_server.db import Database
from central_server.events.bus import EventBus
from central_server.events.log import (
    BATCH,
    as_message,
    events_after,
    format_sse,
    latest_seq,
    reconnect_hint,
)

__all__ = ["BATCH", "as_message", "events_after", "format_sse", "latest_seq", "stream"]

KEEPALIVE_SECONDS = 15.0
RECHECK_SECONDS = 5.0


async def _from_log(db: Database, site_id: int, after: int) -> list[dict[str, Any]]:
    """Every event after ``after`` in the log (as many reads of :data:`BATCH` as it takes)."""
    messages: list[dict[str, Any]] = []
    while True:
        batch = await run_in_threadpool(events_after, db, site_id, after)
        messages += batch
        if len(batch) < BATCH:
            return messages
        after = batch[-1]["seq"]


async def stream(
    request: Request,
    db: Database,
    bus: EventBus,
    site_id: int,
    after: int | None,
    still_allowed: Callable[[], bool] = lambda: True,
    hidden: frozenset[str] = frozenset(),
) -> AsyncIterator[str]:
    with bus.subscribe(site_id) as subscription:
        # Joined before reading the log: whatever the feed reads from now on reaches this
        # stream, so nothing falls between the replay and the live events.
        replay = after is not None
        if after is None:
            after = await run_in_threadpool(latest_seq, db, site_id)
        yield f"{reconnect_hint(1000)}: connected at event {after}\n\n"
        for message in await _from_log(db, site_id, after) if replay else []:
            if message["type"] not in hidden:
                yield format_sse(message)
            after = message["seq"]
        last_sent = next_check = time.monotonic()
        while not await request.is_disconnected():
            if time.monotonic() >= next_check:
                if not await run_in_threadpool(still_allowed):
                    return
                next_check = time.monotonic() + RECHECK_SECONDS
            batches = await subscription.next(
                max(0.0, min(last_sent + KEEPALIVE_SECONDS, next_check) - time.monotonic())
            )
            behind = subscription.behind
            subscription.behind = False
            for batch in batches if not behind else [None, *batches]:
                if batch is None or batch.after > after:
                    # A gap between this stream and the feed (it joined while the feed read,
                    # or it fell behind): read what it lacks from the log.
                    missed = await _from_log(db, site_id, after)
                    texts = [(m, format_sse(m)) for m in missed]
                else:
                    texts = list(zip(batch.messages, batch.texts, strict=True))
                for message, text in texts:
                    if message["seq"] > after:
                        after = message["seq"]
                        if message["type"] not in hidden:
                            yield text
                            last_sent = time.monotonic()
            if time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
                last_sent = time.monotonic()
                yield ": keep-alive\n\n"
