"""Appointments: the booking system pushes them, the kiosk checks them in, time ends them.

Who may do what (``central_server.auth.principal``):

* push, update and cancel: a supervisor of the site or the booking system's device (kind
  ``integration``): ``Capability.MANAGE_APPOINTMENTS``;
* list a day's appointments: those and the clerks (``READ_APPOINTMENTS``);
* check in: the kiosk (``CHECK_IN``, as for pickup receipts).

A push creates or updates by ``external_id`` and is idempotent; an appointment the booking
system leaves out of a later push stays as it is (it cancels with DELETE). A push that is wrong
anywhere (a naive time, an unknown service, an external id or a code given twice for a day)
changes nothing. Codes are compared normalised (:func:`normalise`).

The kiosk checks a code in from ``starts_at`` - the service's
``appointment_check_in_before_minutes`` to ``starts_at`` + ``..._after_minutes``, both edges
included: a ticket of priority ``appointment`` with ``appointment_at``. Past the window the
site's ``late_appointments`` decides: ``refuse`` (409 ``appointment_too_late``) or ``walk_in``
(a normal ticket marked ``appointment_late``). A code the kiosk does not find (404, whatever
the reason) counts toward the kiosk's wrong-scan limit, shared with pickup receipts
(``central_server.pickups.scans``).

State: ``booked``, ``checked_in``, ``no_show`` and ``cancelled`` are stored; once checked in,
``called`` and ``done`` are read from its ticket (called, being served or parked: called;
done or marked no-show at the desk: done; cancelled by a supervisor: cancelled), so the
appointment never disagrees with its ticket. An appointment still booked after its window
becomes ``no_show`` (event ``appointment.missed``, counted in ``AppointmentMiss`` for the
statistics' ``appointment_missed``) by :func:`mark_missed`: every minute in the server, and
before a day's list is read. :func:`purge_past` deletes the appointments of past days (hourly,
with the other purges), after marking what was missed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from central_server.appointments import repository
from central_server.appointments.schemas import (
    AppointmentCheckIn,
    AppointmentList,
    AppointmentPublic,
    AppointmentsPush,
    PushResult,
)
from central_server.auth.principal import Capability, Principal, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.errors import N_, Conflict, InvalidInput, NotFound
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Appointment, Site, Ticket
from central_server.models._types import utcnow
from central_server.pickups import service as pickups_service
from central_server.pickups.scans import ScanGuard
from central_server.queue_rules import Priority, Status
from central_server.sites import repository as sites_repo
from central_server.sites.config import ServiceInfo, site_config
from central_server.tickets import service as tickets_service
from central_server.writes import Answer, perform
from resources.vocabulary import AppointmentState

log = logging.getLogger("tresen.appointments")

#: What a code may contain that does not count: spaces, tabs, dashes (as printed or typed).
_IGNORED = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")

#: The kiosk's message once it is past the wrong-code limit.
TOO_MANY_CODES = N_(
    "Too many unknown codes were entered here. Please wait a minute; the team lead has been "
    "informed."
)

#: A checked-in appointment's state, read from its ticket's status.
_STATE_OF_TICKET = {
    Status.WAITING: AppointmentState.CHECKED_IN,
    Status.TRANSFERRED: AppointmentState.CHECKED_IN,
    Status.CALLED: AppointmentState.CALLED,
    Status.SERVING: AppointmentState.CALLED,
    Status.PARKED: AppointmentState.CALLED,
    Status.DONE: AppointmentState.DONE,
    Status.NO_SHOW: AppointmentState.DONE,
    Status.CANCELLED: AppointmentState.CANCELLED,
}


def normalise(code: str) -> str:
    """A code as compared: upper case, without spaces, tabs and dashes."""
    return _IGNORED.sub("", code).upper()


def window(appointment: Appointment, service: ServiceInfo) -> tuple[datetime, datetime]:
    """From when to when the kiosk checks the appointment in (both included)."""
    return (
        appointment.starts_at - timedelta(minutes=service.appointment_check_in_before_minutes),
        appointment.starts_at + timedelta(minutes=service.appointment_check_in_after_minutes),
    )


def local_day(site: Site, at: datetime) -> date:
    return at.astimezone(ZoneInfo(site.timezone)).date()


def state_of(appointment: Appointment, ticket: Ticket | None) -> AppointmentState:
    if ticket is not None and appointment.state == AppointmentState.CHECKED_IN:
        return _STATE_OF_TICKET.get(Status(ticket.status), AppointmentState.CHECKED_IN)
    return AppointmentState(appointment.state)


def _public(
    site: Site, appointment: Appointment, service: ServiceInfo, ticket: Ticket | None
) -> AppointmentPublic:
    zone = ZoneInfo(site.timezone)
    start, end = window(appointment, service)
    return AppointmentPublic(
        external_id=appointment.external_id,
        service_id=appointment.service_id,
        starts_at=appointment.starts_at.astimezone(zone),
        language=appointment.language,
        state=state_of(appointment, ticket),
        check_in_from=start.astimezone(zone),
        check_in_until=end.astimezone(zone),
        ticket_number=ticket.display_number if ticket is not None else None,
    )


def _summary(appointment: Appointment) -> dict[str, object]:
    """What the event log keeps of an appointment: never its code (it checks in)."""
    return {
        "external_id": appointment.external_id,
        "service_id": appointment.service_id,
        "starts_at": appointment.starts_at.isoformat(),
        "state": appointment.state,
    }


# The booking system --------------------------------------------------------------------------


def push(
    db: Database,
    bus: EventBus | None,
    slug: str,
    principal: Principal | None,
    body: AppointmentsPush,
    request: IdempotentRequest | None,
    *,
    actor: str | None = None,
) -> Answer:
    """Create or update the pushed appointments (see the module). ``principal`` None: the
    ``tresen admin import-appointments`` command, acting as ``actor``."""
    site_id = sites_repo.site_id(db, slug)
    if principal is not None:
        require(principal, Capability.MANAGE_APPOINTMENTS, site_id)
    _check_push(body)
    who = principal.actor if principal is not None else (actor or "admin")

    def change(session: Session, site: Site) -> Answer:
        result = _apply_push(session, site, body, who)
        return 200, result.model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


def _apply_push(session: Session, site: Site, body: AppointmentsPush, actor: str) -> PushResult:
    config = site_config(session, site)
    zone = ZoneInfo(site.timezone)
    existing = repository.by_external_ids(
        session, site.id, (a.external_id for a in body.appointments)
    )
    result = PushResult(created=[], updated=[], unchanged=[])
    for item in body.appointments:
        if item.service_id not in config.services:
            raise InvalidInput(
                "unknown_service",
                N_("Appointment {external_id}: there is no service {service} at this site."),
                external_id=item.external_id,
                service=item.service_id,
            )
        values = {
            "code_normalised": normalise(item.code),
            "service_id": item.service_id,
            "starts_at": item.starts_at,
            "day": item.starts_at.astimezone(zone).date(),
            "language": item.language,
        }
        found = existing.get(item.external_id)
        if found is None:
            session.add(
                Appointment(
                    site_id=site.id,
                    external_id=item.external_id,
                    state=AppointmentState.BOOKED.value,
                    **values,
                )
            )
            result.created.append(item.external_id)
        elif all(getattr(found, k) == v for k, v in values.items()):
            result.unchanged.append(item.external_id)
        else:
            for key, value in values.items():
                setattr(found, key, value)
            if found.state == AppointmentState.CANCELLED:  # booked again
                found.state = AppointmentState.BOOKED.value
            result.updated.append(item.external_id)
    session.flush()
    twice = repository.codes_given_twice(
        session, site.id, {a.starts_at.astimezone(zone).date() for a in body.appointments}
    )
    if twice:
        raise InvalidInput(
            "appointment_code_taken",
            N_("Two appointments of one day have the same code: {external_ids}."),
            external_ids=", ".join(twice),
        )
    if result.created or result.updated:
        event_log.append(
            session,
            site,
            "appointments.pushed",
            actor=actor,
            data={"created": len(result.created), "updated": len(result.updated)},
        )
    return result


def _check_push(body: AppointmentsPush) -> None:
    """Refuse a push with a naive time, an empty code or an external id given twice."""
    seen: set[str] = set()
    for item in body.appointments:
        if item.starts_at.tzinfo is None or item.starts_at.utcoffset() is None:
            raise InvalidInput(
                "appointment_time_without_zone",
                N_(
                    "Appointment {external_id}: the time {starts_at} has no time zone. Send it "
                    "in ISO 8601 with its offset, e.g. 2026-12-04T10:15:00+01:00."
                ),
                external_id=item.external_id,
                starts_at=item.starts_at.isoformat(),
            )
        if not normalise(item.code):
            raise InvalidInput(
                "appointment_code_empty",
                N_("Appointment {external_id}: the code is empty."),
                external_id=item.external_id,
            )
        if item.external_id in seen:
            raise InvalidInput(
                "appointment_given_twice",
                N_("Appointment {external_id} is given twice in this push."),
                external_id=item.external_id,
            )
        seen.add(item.external_id)


def cancel(
    db: Database,
    bus: EventBus,
    slug: str,
    external_id: str,
    principal: Principal,
    request: IdempotentRequest,
) -> Answer:
    """Cancel a booked (or missed) appointment; cancelling it again changes nothing. One
    checked in already is the desk's now: 409 with its ticket's number."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.MANAGE_APPOINTMENTS, site_id)

    def change(session: Session, site: Site) -> Answer:
        appointment = repository.by_external_id(session, site.id, external_id)
        if appointment is None:
            raise NotFound(
                "appointment_not_found",
                N_("There is no appointment {external_id} at this site."),
                external_id=external_id,
                reason="unknown",
            )
        ticket = session.get(Ticket, appointment.ticket_id) if appointment.ticket_id else None
        if ticket is not None:
            raise _checked_in(ticket)
        config = site_config(session, site)
        if appointment.state != AppointmentState.CANCELLED:
            if appointment.state == AppointmentState.NO_SHOW:
                _count_miss(session, site, appointment, config.service(appointment.service_id), -1)
            appointment.state = AppointmentState.CANCELLED.value
            event_log.append(
                session,
                site,
                "appointment.cancelled",
                actor=principal.actor,
                data={"appointment": _summary(appointment)},
            )
        service = config.service(appointment.service_id)
        return 200, _public(site, appointment, service, None).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


def list_day(
    db: Database, bus: EventBus, slug: str, principal: Principal, day: date | None
) -> AppointmentList:
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.READ_APPOINTMENTS, site_id)
    mark_missed(db, bus, site_ids=[site_id])
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        wanted = day or local_day(site, utcnow())
        config = site_config(session, site)
        rows = repository.of_day(session, site.id, wanted)
        return AppointmentList(
            day=wanted,
            appointments=[_public(site, a, config.service(a.service_id), t) for a, t in rows],
        )


# The kiosk -----------------------------------------------------------------------------------


def check_in(
    db: Database,
    bus: EventBus,
    guard: ScanGuard,
    slug: str,
    principal: Principal,
    body: AppointmentCheckIn,
    request: IdempotentRequest,
) -> Answer:
    """A citizen checks their appointment in at the kiosk (see the module for the answers)."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.CHECK_IN, site_id)
    guard.check(principal, TOO_MANY_CODES)
    code = normalise(body.code)
    now = utcnow()
    refusal: NotFound | None = None
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        today = local_day(site, now)
        here = repository.by_code(session, code, site.id) if code else []
        todays = [a for a in here if a.day == today]
        if todays:
            # Of two with the same code today, the one not cancelled (codes are unique per day).
            chosen = min(todays, key=lambda a: a.state == AppointmentState.CANCELLED).id
        else:
            refusal = _not_found(session, code, site, here, today)
    if refusal is not None:
        pickups_service.wrong_scan(db, bus, guard, principal, {site_id})
        raise refusal

    def change(session: Session, site: Site) -> Answer:
        appointment = session.get_one(Appointment, chosen)
        if appointment.state == AppointmentState.CANCELLED:
            raise Conflict(
                "appointment_cancelled",
                N_("This appointment was cancelled. Please draw a number or ask at the desk."),
            )
        earlier = session.get(Ticket, appointment.ticket_id) if appointment.ticket_id else None
        if earlier is not None:
            raise _checked_in(earlier)
        config = site_config(session, site)
        service = config.service(appointment.service_id)
        start, end = window(appointment, service)
        zone = ZoneInfo(site.timezone)
        if now < start:
            raise Conflict(
                "appointment_too_early",
                N_("It is too early to check in. Please come back at {check_in_from}."),
                check_in_from=start.astimezone(zone).isoformat(),
                starts_at=appointment.starts_at.astimezone(zone).isoformat(),
            )
        late = now > end or appointment.state == AppointmentState.NO_SHOW
        if late and site.late_appointments != "walk_in":
            raise Conflict(
                "appointment_too_late",
                N_("The time to check in for this appointment ended at {check_in_until}."),
                check_in_until=end.astimezone(zone).isoformat(),
                starts_at=appointment.starts_at.astimezone(zone).isoformat(),
            )
        if appointment.state == AppointmentState.NO_SHOW:  # counted as missed: came after all
            _count_miss(session, site, appointment, service, -1)
        ticket, view = tickets_service.create_ticket_in_session(
            session,
            site,
            service,
            principal,
            priority=Priority.NORMAL if late else Priority.APPOINTMENT,
            language=appointment.language or body.language or "de",
            appointment_at=appointment.starts_at,
            appointment_late=late,
        )
        appointment.state = AppointmentState.CHECKED_IN.value
        appointment.ticket_id = ticket.id
        event_log.append(
            session,
            site,
            "appointment.checked_in",
            actor=principal.actor,
            ticket_id=ticket.id,
            data={"appointment": _summary(appointment), "ticket": view.event_summary(ticket)},
        )
        return 201, view.created(session, ticket).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


def _checked_in(ticket: Ticket) -> Conflict:
    return Conflict(
        "appointment_checked_in",
        N_("This appointment is checked in already. Your number is {number}."),
        number=ticket.display_number,
        ticket=ticket.id,
    )


def _not_found(
    session: Session, code: str, site: Site, here: Sequence[Appointment], today: date
) -> NotFound:
    """Why the kiosk finds no appointment of today for ``code``: another day's, another
    site's, or unknown."""
    if here:
        day = min((a.day for a in here), key=lambda d: (d < today, abs((d - today).days)))
        return NotFound(
            "appointment_not_found",
            N_("This appointment is on another day: {day}."),
            reason="other_day",
            day=day.isoformat(),
        )
    elsewhere = (
        [a for a in repository.by_code(session, code) if a.site_id != site.id] if code else []
    )
    if elsewhere:
        name = repository.site_name(session, elsewhere[0].site_id)
        return NotFound(
            "appointment_not_found",
            N_("This appointment is at another office: {site_name}."),
            reason="other_site",
            site_name=name,
        )
    return NotFound(
        "appointment_not_found",
        N_("There is no appointment with this code. Please check the code or draw a number."),
        reason="unknown",
    )


# Time ----------------------------------------------------------------------------------------


def _count_miss(
    session: Session, site: Site, appointment: Appointment, service: ServiceInfo, amount: int
) -> None:
    hour = appointment.starts_at.astimezone(ZoneInfo(site.timezone)).hour
    row = repository.miss_row(session, site.id, appointment.day, hour, service.id)
    row.missed = max(0, (row.missed or 0) + amount)


def mark_missed(
    db: Database,
    bus: EventBus | None,
    *,
    site_ids: Sequence[int] | None = None,
    actor: str = "system",
) -> int:
    """Every appointment still booked after its window becomes ``no_show`` with an
    ``appointment.missed`` event; returns how many. Only the sites with such appointments
    take a write (one site per transaction)."""
    now = utcnow()
    with db.read_session() as session:
        due_sites = repository.sites_with_started_bookings(session, now)
    if site_ids is not None:
        due_sites = [s for s in due_sites if s in site_ids]

    def change(session: Session, site: Site) -> Answer:
        config = site_config(session, site)
        missed = 0
        for appointment in repository.started_bookings(session, site.id, now):
            service = config.service(appointment.service_id)
            if now <= window(appointment, service)[1]:
                continue
            _miss(session, site, appointment, service, actor)
            missed += 1
        return 200, missed

    return sum(perform(db, bus, site_id, None, None, change)[1] for site_id in due_sites)


def _miss(
    session: Session, site: Site, appointment: Appointment, service: ServiceInfo, actor: str
) -> None:
    appointment.state = AppointmentState.NO_SHOW.value
    _count_miss(session, site, appointment, service, 1)
    event_log.append(
        session,
        site,
        "appointment.missed",
        actor=actor,
        data={"appointment": _summary(appointment)},
    )


def purge_past(db: Database, bus: EventBus | None = None, *, actor: str = "system") -> int:
    """Delete the appointments of days before each site's today, after marking those still
    booked as missed (the statistics keep their count); returns how many were deleted. Each
    site's log gets one ``appointments.purged`` event."""
    now = utcnow()
    with db.read_session() as session:
        candidates = repository.sites_with_appointments(session)
    due = [
        site_id
        for site_id, zone, earliest in candidates
        if earliest < now.astimezone(ZoneInfo(zone)).date()
    ]

    def purge(session: Session, site: Site) -> Answer:
        today = local_day(site, now)
        config = site_config(session, site)
        for appointment in repository.booked_before(session, site.id, today):
            _miss(session, site, appointment, config.service(appointment.service_id), actor)
        session.flush()
        deleted = repository.delete_before(session, site.id, today)
        if deleted:
            event_log.append(
                session,
                site,
                "appointments.purged",
                actor=actor,
                data={"count": deleted, "before": today.isoformat()},
            )
        return 200, deleted

    total = sum(perform(db, bus, site_id, None, None, purge)[1] for site_id in due)
    if total:
        log.info("%d appointments of past days deleted", total)
    return total
