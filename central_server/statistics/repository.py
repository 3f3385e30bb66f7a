"""The statistics' statements: the tickets a day's figures are made from, writing summed-up
figures, and reading them added up by group."""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pydantic_core
from sqlalchemy import Select, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session, lazyload

from central_server.models import (
    AppointmentMiss,
    Case,
    Desk,
    Figure,
    Service,
    Site,
    Ticket,
    TicketFeedback,
    User,
    user_sites,
)
from central_server.statistics import adding
from central_server.statistics.figures import (
    COUNTS,
    SUMS,
    Cell,
    Fact,
    RowKey,
    TicketRow,
    week_of,
)

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


def ticket_rows(
    session: Session,
    site_id: int,
    first: date,
    last: date,
    service_id: int | None = None,
    desk_id: int | None = None,
) -> list[TicketRow]:
    """The site's tickets of ``first`` .. ``last`` as the figures read them; only those of one
    service or desk (the last they had) where asked: what the filter leaves out is never
    turned into figures."""
    query = _TICKET_ROWS
    if service_id is not None:
        query = query.where(Ticket.service_id == service_id)
    if desk_id is not None:
        query = query.where(Ticket.desk_id == desk_id)
    result = session.execute(query, {"site_id": site_id, "first": first, "last": last})
    return [TicketRow(*row) for row in result]  # type: ignore[call-arg]


def missed_appointments(session: Session, site_id: int, first: date, last: date) -> list[Fact]:
    """The site's missed appointments of ``first`` .. ``last`` as facts (no desk, no clerk):
    they count as ``appointment_missed`` in their local hour and service."""
    query = select(
        AppointmentMiss.day,
        AppointmentMiss.hour,
        AppointmentMiss.service_id,
        AppointmentMiss.missed,
    ).where(
        AppointmentMiss.site_id == site_id,
        AppointmentMiss.day >= first,
        AppointmentMiss.day <= last,
    )
    return [
        Fact(
            day=day,
            hour=hour,
            service_id=service_id,
            desk_id=0,
            clerk_id=0,
            counts={"appointment_missed": missed},
            bars=[],
        )
        for day, hour, service_id, missed in session.execute(query)
    ]


def first_ticket_day(session: Session, site_id: int) -> date | None:
    """The site's first day with a ticket or a missed appointment."""
    days = [
        session.scalar(select(func.min(Ticket.day)).where(Ticket.site_id == site_id)),
        session.scalar(
            select(func.min(AppointmentMiss.day)).where(AppointmentMiss.site_id == site_id)
        ),
    ]
    known = [day for day in days if day is not None]
    return min(known) if known else None


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
    # lazily: the desks' services (loaded with a desk elsewhere) are not needed for names
    query = select(Desk).where(Desk.site_id.in_(list(site_ids))).options(lazyload("*"))
    return {d.id: d for d in session.scalars(query)}


def clerks_of(session: Session, site_ids: Sequence[int]) -> dict[int, User]:
    query = (
        select(User)
        .join(user_sites, user_sites.c.user_id == User.id)
        .where(user_sites.c.site_id.in_(list(site_ids)))
    )
    return {u.id: u for u in session.scalars(query)}


def forget_figures(session: Session, site: Site) -> None:
    """Drop the site's summed-up figures: the next request sums its past up again."""
    session.execute(delete(Figure).where(Figure.site_id == site.id))
    site.figures_until = None


def replace_figures(session: Session, site_id: int, first: date, cells: dict[RowKey, Cell]) -> None:
    """The site's summed-up figures from ``first`` on (a month's first day) are ``cells``."""
    session.execute(delete(Figure).where(Figure.site_id == site_id, Figure.day >= first))
    rows: list[dict[str, Any]] = []
    # In the order of the primary key: a request reads one level's rows of a month, and these
    # then lie side by side in the table, not among the other levels' (on PostgreSQL an
    # organisation's year of month rows by weekday, hour and desk touched 96,000 pages, and
    # 4,800 so; bench/README.md, issue 14).
    for key in sorted(cells):
        level, day, hour, weekday, service_id, desk_id, clerk_id = key
        cell = cells[key]
        rows.append(
            {
                "site_id": site_id,
                "level": level,
                "day": day,
                "hour": hour,
                "weekday": weekday,
                "service_id": service_id,
                "desk_id": desk_id,
                "clerk_id": clerk_id,
                "week": week_of(day),
                "month": f"{day.year}-{day.month:02d}",
                **{n: cell.counts.get(n, 0) for n in (*COUNTS, *SUMS)},
                "bars": cell.packed(),
                "answer": written_answer(cell) if level in ANSWERED_LEVELS else None,
            }
        )
    for start in range(0, len(rows), 5000):
        session.execute(insert(Figure), rows[start : start + 5000])


#: The levels whose rows answer a group alone and keep their written figures (``answer``), by
#: the column their groups are split by: a day and a service, a day and a desk of a site (a
#: service or desk is one site's), the groups of a period by day and service or desk.
ANSWERED_LEVELS = {2: "service_id", 4: "desk_id"}


def written_answer(cell: Cell) -> bytes:
    """A cell's figures as the API writes them (the statistics endpoints' JSON)."""
    return pydantic_core.to_json(cell.answer())


def _rows_of(
    site_ids: Sequence[int],
    level: int,
    first: date,
    last: date,
    service_id: int | None,
    desk_id: int | None,
) -> list[Any]:
    """The conditions of the sites' summed-up rows at ``level`` of ``first`` .. ``last`` (of
    one service or desk, if asked for)."""
    conditions = [
        Figure.site_id.in_(list(site_ids)),
        Figure.level == level,
        Figure.day >= first,
        Figure.day <= last,
    ]
    if service_id is not None:
        conditions.append(Figure.service_id == service_id)
    if desk_id is not None:
        conditions.append(Figure.desk_id == desk_id)
    return conditions


def stored_answers(
    session: Session,
    site_ids: Sequence[int],
    level: int,
    first: date,
    last: date,
    service_id: int | None,
    desk_id: int | None,
) -> list[tuple[str, int, bytes]] | None:
    """The written figures of the sites' rows at ``level`` (one of :data:`ANSWERED_LEVELS`) of
    ``first`` .. ``last``, as (day, service or desk, figures); None if a row has none yet
    (summed up before they were kept)."""
    conditions = _rows_of(site_ids, level, first, last, service_id, desk_id)
    item = getattr(Figure, ANSWERED_LEVELS[level])
    query = select(Figure.day, item, Figure.answer).where(*conditions)
    found = []
    for day, item_id, answer in session.connection().execute(query):
        if answer is None:
            return None
        found.append((day.isoformat(), item_id, answer))
    return found


def fill_answers(session: Session, site_id: int, limit: int) -> int:
    """Write the figures of up to ``limit`` of the site's rows that should keep them and do not
    (summed up before they were kept); how many were written."""
    query = (
        select(Figure)
        .where(
            Figure.site_id == site_id,
            Figure.level.in_(sorted(ANSWERED_LEVELS)),
            Figure.answer.is_(None),
        )
        .limit(limit)
    )
    rows = list(session.scalars(query))
    for row in rows:
        cell = Cell()
        cell.add_counts((name, getattr(row, name)) for name in _NAMES)
        cell.add_packed(row.bars)
        row.answer = written_answer(cell)
    return len(rows)


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
_BY_COLUMN = {None: None, "service": "service_id", "desk": "desk_id", "clerk": "clerk_id"}
_NAMES = (*COUNTS, *SUMS)


def group_text(group: str | None, columns: Sequence[Any]) -> str | None:
    """The group's key from the columns of :data:`_GROUP_COLUMNS`."""
    if group is None:
        return None
    if group == "day":
        return str(columns[0].isoformat())
    if group in ("week", "month", "weekday"):
        return str(columns[0])
    if group == "hour":
        return f"{int(columns[0]):02d}"
    return f"{columns[0]}-{int(columns[1]):02d}"


def _all_rows(session: Session, query: Select[Any]) -> Sequence[Any]:
    """The rows of ``query`` as plain tuples: through Core, not the ORM's loading (a year by
    day and service reads 30,000 rows, and the ORM's per-row work was a third of reading them),
    and on PostgreSQL in psycopg's binary format: an organisation's year of month rows (100,000
    rows of 19 numbers and a histogram) decoded in 330 ms as text, 220 ms so (bench/README.md,
    issue 14)."""
    connection = session.connection()
    if connection.dialect.driver != "psycopg":
        return connection.execute(query).all()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    driver_connection: Any = connection.connection.driver_connection
    with driver_connection.cursor(binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def add_summed(
    session: Session,
    cells: dict[tuple[str | None, int | None], Cell],
    site_ids: Sequence[int],
    stretches: Sequence[tuple[int, date, date]],
    group: str | None,
    by: str | None,
    service_id: int | None,
    desk_id: int | None,
) -> int:
    """Add the sites' summed-up rows of ``stretches`` (level, first day, last day: the rows at
    that level whose ``day`` lies in first .. last) to ``cells`` (keyed by group key and
    by-value id); returns how many were read. The rows of all stretches are added up together,
    as arrays (:func:`adding.add_up`): the histograms are packed, which no SQL adds."""
    group_columns = [getattr(Figure, c) for c in _GROUP_COLUMNS[group]]
    by_name = _BY_COLUMN[by]
    by_column = getattr(Figure, by_name) if by_name is not None else None
    keys = [*group_columns, *([by_column] if by_column is not None else [])]
    width = len(group_columns)
    offset, end = len(keys), len(keys) + len(_NAMES)
    rows: list[Any] = []
    for level, first, last in stretches:
        conditions = _rows_of(site_ids, level, first, last, service_id, desk_id)
        query = select(*keys, *[getattr(Figure, n) for n in _NAMES], Figure.bars).where(*conditions)
        rows += _all_rows(session, query)
    if not rows:
        return 0
    columns = list(zip(*rows, strict=True))
    number_of: dict[tuple[Any, ...], int] = {}
    group_of_row = [
        number_of.setdefault(key, len(number_of))
        for key in (zip(*columns[:offset], strict=True) if offset else [()] * len(rows))
    ]
    sums, histograms = adding.add_up(group_of_row, len(number_of), columns[offset:end], columns[-1])
    for row_key, number in number_of.items():
        item = row_key[width] if by_column is not None else None
        key = (group_text(group, row_key[:width]), item)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = Cell()
        cell.add_counts(zip(_NAMES, sums[number], strict=True))
        cell.add_packed(histograms[number])
    return len(rows)
