"""The live event stream of a site as server-sent events.

A client that connects with ``Last-Event-ID: N`` (or ``?after=N``) first receives every event of
the site after N from the log, then new ones as they are committed. Each event's ``id`` is its
``seq``, which counts the site's events without gaps, so a client that reconnects with the last
id it saw misses nothing. Without an id, the stream starts with what happens from now on.
A comment line every 15 s keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from central_server.db import Database
from central_server.events.bus import EventBus
from central_server.models import Event

BATCH = 500
KEEPALIVE_SECONDS = 15.0


def latest_seq(db: Database, site_id: int) -> int:
    with db.read_session() as session:
        return int(
            session.scalar(
                select(func.coalesce(func.max(Event.seq), 0)).where(Event.site_id == site_id)
            )
            or 0
        )


def events_after(db: Database, site_id: int, after: int) -> list[dict[str, Any]]:
    with db.read_session() as session:
        query = (
            select(Event)
            .where(Event.site_id == site_id, Event.seq > after)
            .order_by(Event.seq)
            .limit(BATCH)
        )
        return [as_message(e) for e in session.scalars(query)]


def as_message(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "desk": event.desk_code,
        "ticket_id": event.ticket_id,
        **event.data,
    }


def format_sse(message: dict[str, Any]) -> str:
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return f"id: {message['seq']}\nevent: {message['type']}\ndata: {data}\n\n"


async def stream(
    request: Request,
    db: Database,
    bus: EventBus,
    site_id: int,
    after: int | None,
    poll_seconds: float,
) -> AsyncIterator[str]:
    if after is None:
        after = await run_in_threadpool(latest_seq, db, site_id)
    yield f"retry: 1000\n: connected at event {after}\n\n"
    last_sent = time.monotonic()
    with bus.subscribe(site_id) as subscription:
        while not await request.is_disconnected():
            subscription.clear()
            batch = await run_in_threadpool(events_after, db, site_id, after)
            for message in batch:
                yield format_sse(message)
                after = message["seq"]
            if len(batch) == BATCH:
                continue
            if batch:
                last_sent = time.monotonic()
            elif time.monotonic() - last_sent >= KEEPALIVE_SECONDS:
                last_sent = time.monotonic()
                yield ": keep-alive\n\n"
            await subscription.wait(poll_seconds)
