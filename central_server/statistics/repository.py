"""The statistics' statements: the tickets a day's figures are made from, writing summed-up
figures, and reading them added up by group."""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from central_server.models import (
    Case,
    Desk,
    Figure,
    FigureValue,
    Service,
    Site,
    Ticket,
    TicketFeedback,
    User,
    user_sites,
)
from central_server.statistics.figures import COUNTS, SUMS, Cell, TicketRow, week_of

#: Every prefix letter: with them, a site's tickets of some days are found through the unique
#: index on (site, prefix, day, number), with no index of its own to keep up on every issue.
_PREFIXES = list(string.ascii_uppercase)

_TICKET_ROWS = (
    select(
        Ticket.site_id,
        Ticket.service_id,
        Ticket.day,
        Ticket.created_at,
        Ticket.queued_at,
        Ticket.first_called_at,
        Ticket.started_at,
        Ticket.finished_at,
        Ticket.status,
        Ticket.priority,
        Ticket.issued_offline,
        Ticket.transfer_count,
        Ticket.desk_id,
        Ticket.served_by_user_id,
        Ticket.estimated_wait_minutes,
        Case.outcome,
        TicketFeedback.score,
    )
    .outerjoin(Case, Case.ticket_id == Ticket.id)
    .outerjoin(TicketFeedback, TicketFeedback.ticket_id == Ticket.id)
    .where(
        Ticket.site_id == bindparam("site_id"),
        Ticket.prefix.in_(_PREFIXES),
        Ticket.day >= bindparam("first"),
        Ticket.day <= bindparam("last"),
    )
)


def ticket_rows(session: Session, site_id: int, first: date, last: date) -> list[TicketRow]:
    result = session.execute(_TICKET_ROWS, {"site_id": site_id, "first": first, "last": last})
    return [TicketRow(*row) for row in result]


def first_ticket_day(session: Session, site_id: int) -> date | None:
    return session.scalar(select(func.min(Ticket.day)).where(Ticket.site_id == site_id))


def sites_by_slug(session: Session, slugs: Iterable[str]) -> dict[str, Site]:
    return {s.slug: s for s in session.scalars(select(Site).where(Site.slug.in_(list(slugs))))}


def sites_of_organisation(session: Session, organisation: str) -> list[Site]:
    query = select(Site).where(Site.organisation == organisation).order_by(Site.slug)
    return list(session.scalars(query))


def organisations_of(session: Session, site_ids: Iterable[int]) -> set[str]:
    query = select(Site.organisation).where(
        Site.id.in_(list(site_ids)), Site.organisation.is_not(None)
    )
    return {org for org in session.scalars(query) if org}


def services_of(session: Session, site_ids: Sequence[int]) -> dict[int, Service]:
    query = select(Service).where(Service.site_id.in_(list(site_ids)))
    return {s.id: s for s in session.scalars(query)}


def desks_of(session: Session, site_ids: Sequence[int]) -> dict[int, Desk]:
    return {d.id: d for d in session.scalars(select(Desk).where(Desk.site_id.in_(list(site_ids))))}


def clerks_of(session: Session, site_ids: Sequence[int]) -> dict[int, User]:
    query = (
        select(User)
        .join(user_sites, user_sites.c.user_id == User.id)
        .where(user_sites.c.site_id.in_(list(site_ids)))
    )
    return {u.id: u for u in session.scalars(query)}


def replace_figures(
    session: Session,
    site_id: int,
    first: date,
    cells: dict[tuple[int, date, int, int, int], Cell],
) -> None:
    """The site's summed-up figures from ``first`` on are ``cells`` (and nothing else)."""
    for table in (Figure, FigureValue):
        session.execute(delete(table).where(table.site_id == site_id, table.day >= first))
    figures: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    for (level, day, hour, service_id, desk_id), cell in cells.items():
        key = {
            "site_id": site_id,
            "level": level,
            "day": day,
            "hour": hour,
            "service_id": service_id,
            "desk_id": desk_id,
            "clerk_id": 0,
            "week": week_of(day),
            "month": f"{day.year}-{day.month:02d}",
            "weekday": day.isoweekday(),
        }
        figures.append({**key, **{n: cell.counts.get(n, 0) for n in (*COUNTS, *SUMS)}})
        for measure, bars in cell.values.items():
            for value, count in bars.items():
                values.append({**key, "measure": measure, "value": value, "count": count})
    if figures:
        session.execute(insert(Figure), figures)
    if values:
        session.execute(insert(FigureValue), values)


#: The columns a group is read by, per group (see ``figures.group_key``).
_GROUP_COLUMNS: dict[str | None, tuple[str, ...]] = {
    None: (),
    "day": ("day",),
    "week": ("week",),
    "month": ("month",),
    "weekday": ("weekday",),
    "hour": ("hour",),
    "weekday_hour": ("weekday", "hour"),
}
_BY_COLUMN = {None: None, "service": "service_id", "desk": "desk_id"}


def group_text(group: str | None, columns: Sequence[Any]) -> str | None:
    """The group's key from the columns of :data:`_GROUP_COLUMNS`."""
    if group is None:
        return None
    if group == "day":
        return str(columns[0].isoformat())
    if group in ("week", "month"):
        return str(columns[0])
    if group == "weekday":
        return str(columns[0])
    if group == "hour":
        return f"{int(columns[0]):02d}"
    return f"{columns[0]}-{int(columns[1]):02d}"


def summed(
    session: Session,
    site_ids: Sequence[int],
    level: int,
    first: date,
    last: date,
    group: str | None,
    by: str | None,
    service_id: int | None,
    desk_id: int | None,
) -> dict[tuple[str | None, int | None], Cell]:
    """The summed-up figures of the sites' days ``first``..``last`` at ``level``, added up per
    (group key, by-value id), in two statements."""
    group_columns = _GROUP_COLUMNS[group]
    by_column = _BY_COLUMN[by]
    cells: dict[tuple[str | None, int | None], Cell] = {}
    width = len(group_columns)

    def shape(table: type[Figure] | type[FigureValue], *extra: Any) -> Select[Any]:
        keys = [getattr(table, c) for c in group_columns]
        if by_column is not None:
            keys.append(getattr(table, by_column))
        query = select(*keys, *extra).where(
            table.site_id.in_(list(site_ids)),
            table.level == level,
            table.day >= first,
            table.day <= last,
        )
        if service_id is not None:
            query = query.where(table.service_id == service_id)
        if desk_id is not None:
            query = query.where(table.desk_id == desk_id)
        return query.group_by(*keys)

    def cell_of(row: Sequence[Any]) -> Cell:
        key = (group_text(group, row[:width]), row[width] if by_column else None)
        found = cells.get(key)
        if found is None:
            found = cells[key] = Cell()
        return found

    names = (*COUNTS, *SUMS)
    offset = width + (1 if by_column else 0)
    counts = shape(Figure, *[func.sum(getattr(Figure, n)) for n in names])
    for row in session.execute(counts):
        cell_of(row).add_counts(dict(zip(names, (v or 0 for v in row[offset:]), strict=True)))
    values = shape(FigureValue, FigureValue.measure, FigureValue.value, func.sum(FigureValue.count))
    values = values.group_by(FigureValue.measure, FigureValue.value)
    for row in session.execute(values):
        measure, value, count = row[offset:]
        cell_of(row).add_value(measure, int(value), int(count))
    return cells
