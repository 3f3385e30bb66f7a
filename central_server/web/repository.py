"""The queries behind the waiting-room pages."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from central_server.models import Event, Site, Ticket, TicketFeedback

CALL_EVENTS = ("ticket.called", "ticket.recalled")


def site_seq(session: Session, site_id: int) -> int | None:
    """The site's newest event sequence (None: no such site)."""
    return session.scalar(select(Site.last_event_seq).where(Site.id == site_id))


def sites(session: Session) -> list[Site]:
    """Every site, by name."""
    return list(session.scalars(select(Site).order_by(Site.name, Site.slug)))


def recent_calls(session: Session, site_id: int, since: datetime, limit: int) -> list[Event]:
    """The newest call and recall events of the site since ``since``, newest first.

    Ordered by time first so that the one plan is walking ``ix_events_site_at`` back from
    now: ordered by ``seq`` alone, PostgreSQL may walk the site's whole history backwards
    and filter, which on a quiet morning reads every event the site ever had."""
    query = (
        select(Event)
        .where(Event.site_id == site_id, Event.type.in_(CALL_EVENTS), Event.at >= since)
        .order_by(Event.at.desc(), Event.seq.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def tickets_by_id(session: Session, ids: Collection[int]) -> dict[int, Ticket]:
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}


def ticket_by_status_token(session: Session, token: str) -> Ticket | None:
    query = select(Ticket).where(Ticket.status_token == token)
    return session.scalars(query.limit(1)).one_or_none()


def feedback_given(session: Session, ticket_id: int) -> bool:
    """Whether the ticket's citizen has answered "How was your visit?" (by primary key)."""
    query = select(TicketFeedback.ticket_id).where(TicketFeedback.ticket_id == ticket_id)
    return session.scalar(query) is not None


def ticket_for_feedback(session: Session, ticket_id: int) -> Row[str, int, date] | None:
    """What a rating takes from its ticket: the status, the service and the day (not the
    ticket's row with its case: no more is read than the rating keeps)."""
    query = select(Ticket.status, Ticket.service_id, Ticket.day).where(Ticket.id == ticket_id)
    return session.execute(query).one_or_none()
