"""Writing to the event log. Only inside a write transaction that locked the site."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from central_server.models import Event, Site
from central_server.models._types import utcnow

#: Session.info key under which a transaction collects the sites it changed.
CHANGED_SITES = "tresen_changed_sites"


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
    session.info.setdefault(CHANGED_SITES, set()).add(site.id)
    return site.last_event_seq


_INSERT = insert(Event.metadata.tables[Event.__tablename__])
