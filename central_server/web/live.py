"""The live streams of the waiting-room pages (server-sent events).

Unlike ``GET /api/v1/sites/{site}/events`` these streams carry no log entries but the whole
state a page shows, first right after every (re)connect, then after every change of it. So a
page that reconnects after an outage shows the true state at once and needs no
``Last-Event-ID``; what it has already announced it remembers itself (see ``board``).
Changes arrive through the site's feed (``central_server.events.bus``), which reads each change
once for all streams of the site in this process; a stream then takes the board shared by all
of them (``BoardCache``), and asks the database nothing while that board is fresh. A display
looks at its board every ``TICK_SECONDS`` without the database, for calls that age out.
A ``ping`` event
every 15 s lets a page notice a connection that died without closing.

``state`` (display) and ``status`` (status page) events carry the state as JSON; ``revoked``
tells a display that its token no longer works (checked every ``RECHECK_SECONDS``), ``gone``
tells a status page that its ticket's day is over. Both streams end after those.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from central_server.db import Database
from central_server.events.bus import EventBus
from central_server.events.log import reconnect_hint
from central_server.models._types import utcnow
from central_server.web import service
from central_server.web.board import Board, BoardCache

PING_SECONDS = 15.0
RECHECK_SECONDS = 5.0
#: How often a display looks at its (cached) board for calls that age out.
TICK_SECONDS = 1.0


def sse(event: str, data: Any, event_id: int | None = None) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {text}\n\n"


async def _board(db: Database, boards: BoardCache, site_id: int, seq: int | None) -> Board:
    """The site's board holding event ``seq``: the cached one on the event loop, else read."""
    board = boards.usable(site_id, seq)
    if board is None:
        board = await run_in_threadpool(boards.current, db, site_id, seq)
    return board


async def display_stream(
    request: Request,
    db: Database,
    bus: EventBus,
    boards: BoardCache,
    site_id: int,
    still_allowed: Callable[[], bool],
) -> AsyncIterator[str]:
    yield reconnect_hint(1000) + "\n"
    sent: str | None = None
    last_out = next_check = time.monotonic()
    with bus.subscribe(site_id) as subscription:
        while not await request.is_disconnected():
            if time.monotonic() >= next_check:
                if not await run_in_threadpool(still_allowed):
                    yield sse("revoked", {})
                    return
                next_check = time.monotonic() + RECHECK_SECONDS
            board = await _board(db, boards, site_id, subscription.seq)
            payload = service.display_payload(board, utcnow())
            key = json.dumps({k: v for k, v in payload.items() if k != "now"}, sort_keys=True)
            if key != sent:
                sent, last_out = key, time.monotonic()
                yield sse("state", payload, board.seq)
            elif time.monotonic() - last_out >= PING_SECONDS:
                last_out = time.monotonic()
                yield sse("ping", {"now": payload["now"]})
            await subscription.next(TICK_SECONDS)


async def status_stream(
    request: Request,
    db: Database,
    bus: EventBus,
    boards: BoardCache,
    ref: service.TicketRef,
) -> AsyncIterator[str]:
    yield reconnect_hint(2000) + "\n"
    sent: dict[str, Any] | None = None
    last_out = time.monotonic()
    with bus.subscribe(ref.site_id) as subscription:
        while not await request.is_disconnected():
            seq = subscription.seq
            board = boards.usable(ref.site_id, seq)
            if board is not None and ref.id in board.tickets:
                # An open ticket: its view comes from the shared board, no database.
                view = service.current_view(db, boards, ref, board.seq)
            else:
                view = await run_in_threadpool(service.current_view, db, boards, ref, seq)
            if view is None:
                yield sse("gone", {})
                return
            if view != sent:
                sent, last_out = view, time.monotonic()
                yield sse("status", view)
                if view["final"]:
                    return
            elif time.monotonic() - last_out >= PING_SECONDS:
                last_out = time.monotonic()
                yield sse("ping", {})
            await subscription.next(PING_SECONDS)
