"""The event log: appending (only inside a write transaction that locked the site) and reading.

Every process hears of committed events in two ways. The writer's own process is told by the
writer after the commit (``CHANGED_SEQS`` and :meth:`central_server.events.bus.EventBus.notify`).
On PostgreSQL the first event of each site in a transaction also sends
``NOTIFY tresen_events, 'SITE:SEQ'`` (:data:`NOTIFY_CHANNEL`) inside that transaction:
PostgreSQL delivers it to every listening process when, and only when, the transaction commits,
so every server process (and one woken by a ``tresen admin`` command) reads the new events at
once (``central_server.events.listen``). ``SEQ`` is the transaction's first event of the site:
a reader that has already read that far has read the whole transaction.
"""

from __future__ import annotations

import json
import random
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from central_server.db import Database
from central_server.models import Event, Site
from central_server.models._types import utcnow

#: Session.info key under which a transaction collects the sites it changed.
CHANGED_SITES = "tresen_changed_sites"
#: Session.info key: site id -> the transaction's first event of that site (a reader's hint).
CHANGED_SEQS = "tresen_changed_seqs"
#: The PostgreSQL channel that carries ``SITE:SEQ`` for each committed change of a site.
NOTIFY_CHANNEL = "tresen_events"
#: The most events one read of the log returns.
BATCH = 500


def append(
    session: Session,
    site: Site,
    type_: str,
    *,
    actor: str,
    desk_code: str | None = None,
    ticket_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Add the site's next event; returns its ``seq``. ``site`` must be locked (see
    ``central_server.writes``). Written at once with one INSERT (no ORM object: a change writes
    one or two events, and the unit of work costs more than the statement)."""
    site.last_event_seq += 1
    session.connection().execute(
        _INSERT,
        {
            "site_id": site.id,
            "seq": site.last_event_seq,
            "type": type_,
            "at": utcnow(),
            "actor": actor,
            "desk_code": desk_code,
            "ticket_id": ticket_id,
            "data": data or {},
        },
    )
    seq = site.last_event_seq
    changed = session.info.setdefault(CHANGED_SITES, set())
    if site.id not in changed:
        changed.add(site.id)
        session.info.setdefault(CHANGED_SEQS, {})[site.id] = seq
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            # Delivered on commit only; a rolled-back change wakes nobody.
            connection.exec_driver_sql(
                "SELECT pg_notify(%s, %s)", (NOTIFY_CHANNEL, f"{site.id}:{seq}")
            )
    return seq


def latest_seq(db: Database, site_id: int) -> int:
    """The site's newest event sequence (0 before its first event, or for an unknown site).

    Read from the site's row, which every append raises in the same transaction: one lookup by
    primary key, however long the site's log has grown."""
    with db.read_session() as session:
        return int(session.scalar(select(Site.last_event_seq).where(Site.id == site_id)) or 0)


def events_after(db: Database, site_id: int, after: int) -> list[dict[str, Any]]:
    """The site's events after ``after`` in order, at most :data:`BATCH`, as stream messages."""
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


def reconnect_hint(least_ms: int) -> str:
    """The stream's ``retry:`` field: how long a browser's EventSource waits before it
    reconnects, drawn between ``least_ms`` and three times that for each stream. After a server
    restart every display and status page of a city reconnects; spread over seconds, they do
    not all arrive in the same instant (each would otherwise wait exactly ``least_ms``)."""
    return f"retry: {random.randint(least_ms, 3 * least_ms)}\n"


def format_sse(message: dict[str, Any]) -> str:
    """``message`` as one server-sent event: its ``id`` is the event's ``seq``."""
    data = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    return f"id: {message['seq']}\nevent: {message['type']}\ndata: {data}\n\n"


_INSERT = insert(Event.metadata.tables[Event.__tablename__])
