from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from central_server.errors import N_, NotFound
from central_server.models import Case, Event, NumberLease, Ticket, TicketCounter
from central_server.queue_rules import (
    FINAL,
    OPEN_AT_DESK,
    QUEUED,
    NumberRange,
    Status,
    next_free_number,
)

#: How much later than ``finished_at`` a finishing ticket's case may be written.
CASE_WRITE_MARGIN = timedelta(hours=1)

# A ticket's case comes in the same query (LEFT OUTER JOIN) instead of a second SELECT.
_WITH_CASE = (joinedload(Ticket.case),)


def ticket_by_id(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id, options=_WITH_CASE)
    if ticket is None:
        raise NotFound("ticket_not_found", N_("There is no ticket {ticket}."), ticket=ticket_id)
    return ticket


def tickets_in(session: Session, site_id: int, statuses: frozenset[Status]) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.site_id == site_id, Ticket.status.in_(statuses))
        .options(*_WITH_CASE)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class OpenTicket:
    """A ticket in a queue or at a desk, as the queue's rules and a desk's check see it: plain
    columns, no ORM object (a write reads every open ticket of the site)."""

    id: int
    service_id: int
    priority: str
    queued_at: datetime
    target_desk_id: int | None
    number: int
    prefix: str
    status: str
    desk_id: int | None
    appointment_at: datetime | None


_OPEN_COLUMNS = (
    Ticket.id,
    Ticket.service_id,
    Ticket.priority,
    Ticket.queued_at,
    Ticket.target_desk_id,
    Ticket.number,
    Ticket.prefix,
    Ticket.status,
    Ticket.desk_id,
    Ticket.appointment_at,
)


_OPEN_ROWS = select(*_OPEN_COLUMNS).where(
    Ticket.site_id == bindparam("site_id"), Ticket.status.in_(bindparam("statuses", expanding=True))
)


def open_ticket_rows(
    session: Session, site_id: int, statuses: frozenset[Status]
) -> list[OpenTicket]:
    """The site's tickets in ``statuses`` as :class:`OpenTicket` (one SELECT of ten columns,
    built once)."""
    rows = session.execute(_OPEN_ROWS, {"site_id": site_id, "statuses": sorted(statuses)})
    return [OpenTicket(*tuple(row)) for row in rows]


def recent_calls(
    session: Session, site_id: int, since: datetime, limit: int
) -> list[tuple[str | None, dict[str, Any]]]:
    """The site's newest calls since ``since`` (desk code, event data), newest first: who was
    called in a row (``queue_rules.appointments_in_a_row``). Ordered by time first so that the
    one plan walks ``ix_events_site_at`` back from now (see ``web.repository.recent_calls``)."""
    query = (
        select(Event.desk_code, Event.data)
        .where(Event.site_id == site_id, Event.type == "ticket.called", Event.at >= since)
        .order_by(Event.at.desc(), Event.seq.desc())
        .limit(limit)
    )
    return [(code, data) for code, data in session.execute(query)]


def queued_tickets(session: Session, site_id: int) -> list[Ticket]:
    return tickets_in(session, site_id, QUEUED)


def open_ticket_at_desk(session: Session, desk_id: int) -> Ticket | None:
    query = (
        select(Ticket)
        .where(Ticket.desk_id == desk_id, Ticket.status.in_(OPEN_AT_DESK))
        .options(*_WITH_CASE)
    )
    return session.scalars(query.limit(1)).one_or_none()


def day_counter(session: Session, site_id: int, prefix: str, day: date) -> TicketCounter:
    """The counter of ``prefix`` on ``day`` (a new one before the day's first ticket). The
    caller holds the site lock."""
    counter = session.get(TicketCounter, (site_id, prefix, day))
    if counter is None:
        counter = TicketCounter(site_id=site_id, prefix=prefix, day=day, last_number=0, issued=0)
        session.add(counter)
    return counter


def next_number(session: Session, counter: TicketCounter) -> int:
    """Draw the next number of ``counter``'s prefix and day, past any leased range, and count
    the ticket issued. The caller holds the site lock."""
    counter.last_number = next_free_number(
        counter.last_number,
        leased_ranges(session, counter.site_id, counter.prefix, counter.day),
    )
    counter.issued = (counter.issued or 0) + 1
    return counter.last_number


def count_uploaded(session: Session, site_id: int, prefix: str, day: date) -> None:
    """A ticket issued offline under ``prefix`` on ``day`` was uploaded: it counts for the
    day's contingent (its number came from a lease, not from the counter)."""
    counter = day_counter(session, site_id, prefix, day)
    counter.issued = (counter.issued or 0) + 1


_ISSUED_ON = select(TicketCounter.prefix, TicketCounter.issued).where(
    TicketCounter.site_id == bindparam("site_id"),
    TicketCounter.prefix.in_(bindparam("prefixes", expanding=True)),
    TicketCounter.day == bindparam("day"),
)


def issued_on(
    session: Session, site_id: int, day: date, prefixes: Collection[str]
) -> dict[str, int]:
    """Prefix -> the tickets issued under it on ``day``, for ``prefixes`` (a site's services'
    letters): one select by primary key, never the site's counters of other days."""
    if not prefixes:
        return {}
    parameters = {"site_id": site_id, "day": day, "prefixes": sorted(prefixes)}
    return {prefix: issued for prefix, issued in session.execute(_ISSUED_ON, parameters)}


def counter_last(session: Session, site_id: int, prefix: str, day: date) -> int:
    """The last number drawn online under ``prefix`` on ``day`` (0 before the first)."""
    counter = session.get(TicketCounter, (site_id, prefix, day))
    return counter.last_number if counter is not None else 0


_LEASED = select(NumberLease.first, NumberLease.last).where(
    NumberLease.site_id == bindparam("site_id"),
    NumberLease.prefix == bindparam("prefix"),
    NumberLease.day == bindparam("day"),
)


def leased_ranges(session: Session, site_id: int, prefix: str, day: date) -> list[NumberRange]:
    rows = session.execute(_LEASED, {"site_id": site_id, "prefix": prefix, "day": day})
    return [NumberRange(first, last) for first, last in rows]


def lease_by_id(session: Session, lease_id: int) -> NumberLease | None:
    return session.get(NumberLease, lease_id)


def ticket_with_number(
    session: Session, site_id: int, prefix: str, day: date, number: int
) -> Ticket | None:
    query = select(Ticket).where(
        Ticket.site_id == site_id,
        Ticket.prefix == prefix,
        Ticket.day == day,
        Ticket.number == number,
    )
    return session.scalars(query.limit(1)).one_or_none()


def status_token_used(session: Session, status_token: str) -> bool:
    query = select(Ticket.id).where(Ticket.status_token == status_token).limit(1)
    return session.scalar(query) is not None


def recent_service_minutes(
    session: Session, site_id: int, since: datetime, per_service: int = 20
) -> dict[int, list[float]]:
    """Service times (start to finish) of the latest finished tickets, per service."""
    query = (
        select(Ticket.service_id, Ticket.started_at, Ticket.finished_at)
        .where(
            Ticket.site_id == site_id,
            Ticket.status == Status.DONE,
            Ticket.finished_at >= since,
            Ticket.started_at.is_not(None),
        )
        .order_by(Ticket.finished_at.desc())
        .limit(per_service * 20)
    )
    result: dict[int, list[float]] = defaultdict(list)
    for service_id, started_at, finished_at in session.execute(query):
        if started_at is None or finished_at is None:  # the query excludes them; for mypy
            continue
        if len(result[service_id]) < per_service:
            result[service_id].append((finished_at - started_at).total_seconds() / 60)
    return result


def purgeable_cases(
    session: Session, finished_before: datetime, limit: int
) -> list[tuple[int, int]]:
    """(site id, ticket id) of up to ``limit`` cases not yet purged whose ticket finished
    (done, no-show, cancelled) before ``finished_before``, the longest finished first.

    Read through the index on ``cases (purged_at, updated_at)``: a finished ticket's case is
    never changed after the finish, so it was last changed before the ticket finished (the
    finish writes it a moment after ``finished_at``; :data:`CASE_WRITE_MARGIN` covers that).
    Only the cases not purged and last changed before the cut-off are read, never all cases.
    """
    query = (
        select(Ticket.site_id, Case.ticket_id)
        .join(Ticket, Ticket.id == Case.ticket_id)
        .where(
            Case.purged_at.is_(None),
            Case.updated_at < finished_before + CASE_WRITE_MARGIN,
            Ticket.status.in_(FINAL),
            Ticket.finished_at < finished_before,
        )
        # Oldest first, in the index's order: a plan that walks all cases by id hoping to meet
        # enough due ones early is never cheaper.
        .order_by(Case.updated_at)
        .limit(limit)
    )
    return [(site_id, ticket_id) for site_id, ticket_id in session.execute(query)]


def erase_case_text(session: Session, ticket_ids: list[int], now: datetime) -> None:
    """Empty the free text of these tickets' cases and mark them purged at ``now``."""
    session.execute(
        update(Case)
        .where(Case.ticket_id.in_(ticket_ids))
        .values(notes="", case_reference="", forward_reason="", cancel_reason="", purged_at=now)
    )
