"""Writing to the event log. Only inside a write transaction that locked the site."""

from __future__ import annotations

from typing import Any

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
) -> Event:
    """Add the site's next event. ``site`` must be locked (see ``central_server.writes``)."""
    site.last_event_seq += 1
    event = Event(
        site_id=site.id,
        seq=site.last_event_seq,
        type=type_,
        at=utcnow(),
        actor=actor,
        desk_code=desk_code,
        ticket_id=ticket_id,
        data=data or {},
    )
    session.add(event)
    session.info.setdefault(CHANGED_SITES, set()).add(site.id)
    return event
