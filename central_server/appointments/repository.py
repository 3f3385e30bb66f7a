"""The appointments' statements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from central_server.models import Appointment, AppointmentMiss, Site, Ticket
from resources.vocabulary import AppointmentState


def by_external_ids(
    session: Session, site_id: int, external_ids: Iterable[str]
) -> dict[str, Appointment]:
    wanted = list(external_ids)
    found: dict[str, Appointment] = {}
    for start in range(0, len(wanted), 500):  # SQLite's and PostgreSQL's parameter limits
        query = select(Appointment).where(
            Appointment.site_id == site_id,
            Appointment.external_id.in_(wanted[start : start + 500]),
        )
        found.update((a.external_id, a) for a in session.scalars(query))
    return found


def by_external_id(session: Session, site_id: int, external_id: str) -> Appointment | None:
    return session.scalars(
        select(Appointment).where(
            Appointment.site_id == site_id, Appointment.external_id == external_id
        )
    ).one_or_none()


def by_code(session: Session, code: str, site_id: int | None = None) -> list[Appointment]:
    """The appointments with the normalised ``code``: at the site, or (None) at any site."""
    query = select(Appointment).where(Appointment.code_normalised == code)
    if site_id is not None:
        query = query.where(Appointment.site_id == site_id)
    return list(session.scalars(query.order_by(Appointment.starts_at, Appointment.id)))


def site_name(session: Session, site_id: int) -> str:
    return session.scalars(select(Site.name).where(Site.id == site_id)).one()


def codes_given_twice(session: Session, site_id: int, days: Iterable[date]) -> list[str]:
    """External ids of appointments that share their code with another appointment of the same
    site and day (cancelled ones aside): the kiosk could not tell them apart."""
    query = select(Appointment.external_id, Appointment.code_normalised, Appointment.day).where(
        Appointment.site_id == site_id,
        Appointment.day.in_(sorted(set(days))),
        Appointment.state != AppointmentState.CANCELLED.value,
    )
    seen: dict[tuple[str, date], list[str]] = {}
    for external_id, code, day in session.execute(query):
        seen.setdefault((code, day), []).append(external_id)
    return sorted(e for ids in seen.values() if len(ids) > 1 for e in ids)


def of_day(session: Session, site_id: int, day: date) -> list[tuple[Appointment, Ticket | None]]:
    query = (
        select(Appointment, Ticket)
        .outerjoin(Ticket, Ticket.id == Appointment.ticket_id)
        .where(Appointment.site_id == site_id, Appointment.day == day)
        .order_by(Appointment.starts_at, Appointment.external_id)
    )
    return [(a, t) for a, t in session.execute(query)]


def sites_with_started_bookings(session: Session, now: datetime) -> list[int]:
    """Sites with an appointment still booked (not checked in) whose time has come."""
    query = (
        select(Appointment.site_id)
        .where(Appointment.state == AppointmentState.BOOKED.value, Appointment.starts_at <= now)
        .distinct()
    )
    return sorted(session.scalars(query))


def started_bookings(session: Session, site_id: int, now: datetime) -> list[Appointment]:
    query = select(Appointment).where(
        Appointment.site_id == site_id,
        Appointment.state == AppointmentState.BOOKED.value,
        Appointment.starts_at <= now,
    )
    return list(session.scalars(query.order_by(Appointment.starts_at, Appointment.id)))


def sites_with_appointments(session: Session) -> list[tuple[int, str, date]]:
    """(id, time zone, earliest day) of each site that holds appointments."""
    query = select(Site.id, Site.timezone, Appointment.day).join(
        Appointment, Appointment.site_id == Site.id
    )
    earliest: dict[int, tuple[str, date]] = {}
    for site_id, zone, day in session.execute(query.distinct()):
        kept = earliest.get(site_id)
        if kept is None or day < kept[1]:
            earliest[site_id] = (zone, day)
    return [(site_id, zone, day) for site_id, (zone, day) in sorted(earliest.items())]


def booked_before(session: Session, site_id: int, day: date) -> list[Appointment]:
    query = select(Appointment).where(
        Appointment.site_id == site_id,
        Appointment.day < day,
        Appointment.state == AppointmentState.BOOKED.value,
    )
    return list(session.scalars(query))


def delete_before(session: Session, site_id: int, day: date) -> int:
    result = session.execute(
        delete(Appointment).where(Appointment.site_id == site_id, Appointment.day < day)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def miss_row(
    session: Session, site_id: int, day: date, hour: int, service_id: int
) -> AppointmentMiss:
    """The count of missed appointments of the key, made (0) if new."""
    row = session.get(AppointmentMiss, (site_id, day, hour, service_id))
    if row is None:
        row = AppointmentMiss(site_id=site_id, day=day, hour=hour, service_id=service_id, missed=0)
        session.add(row)
    return row
