"""The supervisor's board and the steering of a site's services.

The board (:func:`get_board`) is one answer with everything a supervisor watches: each desk
(state, who, its ticket and since when, the services it calls, idle since when), each service
(waiting, longest wait against its target as green/amber/red, the wait a walk-in is told now,
served and no-shows today, today's contingent) and the alerts. It is a reader like the desks'
(``central_server.readers``): ready JSON kept per site change and minute (waits age, an alert
may begin without an event), with an ``ETag`` and 304.

The levels and alerts follow from the figures by :func:`level` and :func:`alerts`, plain
functions:

* **level**: red when the longest wait is past the service's target, amber from the site's
  (or the service's) ``amber_share`` of the target, else green; green while nobody waits;
* **service_past_target**: began when the longest waiting ticket passed the target;
* **desk_idle**: an open desk without a ticket (called or being served) for more than the
  site's ``desk_idle_minutes`` while people wait whom it may call; began that many minutes
  after it stood idle with people waiting (its last action, or the oldest waiting ticket it
  may call, whichever came later);
* **printer_fault**: a kiosk's printer in a fault state (out of paper, cover open, offline,
  error), since it reported it;
* **wrong_scans**: each ``pickup.wrong_scans`` report of the day.

Stopping a service (:func:`stop_issuing`) stores the site's local day on the service's row:
every server process keeps the site's configuration keyed by ``sites.config_version``, which
that change bumps, so the next ticket request on any process is refused
(``central_server.steering.issuing``). Every change is an event with its actor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from central_server import readers
from central_server.auth.principal import Capability, Principal, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.devices import repository as devices_repo
from central_server.errors import N_, Conflict, NotFound
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Service, Site, Ticket
from central_server.models._types import utcnow
from central_server.queue_rules import OPEN_AT_DESK, QUEUED, Status, draw_order, format_number
from central_server.readers import NotModified, Snapshot
from central_server.sites import repository as sites_repo
from central_server.sites.config import ServiceInfo
from central_server.steering import issuing
from central_server.steering import repository as steering_repo
from central_server.steering.schemas import (
    Board,
    BoardAlert,
    BoardDesk,
    BoardService,
    BoardTicket,
    ServiceIssuing,
    StopRequest,
)
from central_server.tickets import repository as tickets_repo
from central_server.tickets.view import SiteView, desk_rule
from central_server.writes import Answer, perform
from resources.vocabulary import PRINTER_FAULTS, AlertKind, ServiceLevel, StopReason


def level(longest: timedelta | None, target_minutes: int, amber_share: float) -> ServiceLevel:
    """How a service's longest wait stands against its target (see the module's docstring)."""
    if longest is None:
        return ServiceLevel.GREEN
    target = timedelta(minutes=target_minutes)
    if longest > target:
        return ServiceLevel.RED
    if longest >= target * amber_share:
        return ServiceLevel.AMBER
    return ServiceLevel.GREEN


def local_day_start(site: Site, now: datetime) -> datetime:
    """The start of the site's local day of ``now``, in UTC."""
    local = now.astimezone(ZoneInfo(site.timezone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


# The board -----------------------------------------------------------------------------------


def get_board(
    db: Database, slug: str, principal: Principal, if_none_match: str | None = None
) -> Snapshot | NotModified:
    """The site's board as ready JSON, kept per site change and minute in this process."""
    now = utcnow()
    variant = f"b{int(now.timestamp() // 60)}"
    with db.quick_read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        require(principal, Capability.READ_BOARD, site.id)
        found = readers.kept(db, site.id, site.last_event_seq, "board", variant, if_none_match)
        if found is not None:
            return found
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)

        def compute() -> bytes:
            return board(session, site, now).model_dump_json().encode()

        seq = site.last_event_seq
        return readers.serve(db, site.id, seq, "board", variant, if_none_match, compute)


def board(session: Session, site: Site, now: datetime) -> Board:
    """The board of ``site`` at ``now``, read in ``session`` (see the module's docstring)."""
    view = SiteView.load(session, site)
    since = local_day_start(site, now)
    day = now.astimezone(ZoneInfo(site.timezone)).date()
    tickets = view.open_tickets
    queued = [t for t in tickets if t.status in QUEUED]
    at_desk = {t.desk_id: t for t in tickets if t.status in OPEN_AT_DESK and t.desk_id}
    activity = steering_repo.desk_activity(session, site.id, since)
    names = steering_repo.display_names(
        session, {d.signed_on_user_id for d in view.desks.values() if d.signed_on_user_id}
    )
    rules = view.queued_rules()
    desks: list[BoardDesk] = []
    idle_alerts: list[BoardAlert] = []
    oldest = {t.id: t.queued_at for t in queued}
    for desk in view.desks.values():
        ticket = at_desk.get(desk.id)
        idle_since = None
        if desk.state == "open" and ticket is None:
            idle_since = max(activity.get(desk.code, since), since)
            callable_ = draw_order(rules, desk_rule(desk))
            if callable_:
                waiting_since = max(idle_since, min(oldest[q.id] for q in callable_))
                began = waiting_since + timedelta(minutes=site.desk_idle_minutes)
                if now > began:
                    idle_alerts.append(
                        BoardAlert(kind=AlertKind.DESK_IDLE, at=began, desk=desk.code)
                    )
        desks.append(
            BoardDesk(
                id=desk.id,
                code=desk.code,
                name=desk.name,
                kind=desk.kind,
                state=desk.state,
                user=names.get(desk.signed_on_user_id) if desk.signed_on_user_id else None,
                services=list(desk.service_ids),
                ticket=_board_ticket(ticket) if ticket is not None else None,
                idle_since=idle_since,
            )
        )
    services = _services(session, site, view, queued, now, since, day)
    alerts = [
        *_target_alerts(view.services, queued, now),
        *idle_alerts,
        *_printer_alerts(session, site),
        *(
            BoardAlert(
                kind=AlertKind.WRONG_SCANS,
                at=report.at,
                device=report.actor.removeprefix("device:"),
                detail=str(report.count),
            )
            for report in steering_repo.wrong_scans(session, site.id, since)
        ),
    ]
    alerts.sort(key=lambda a: a.at)
    return Board(
        seq=site.last_event_seq, read_at=now, desks=desks, services=services, alerts=alerts
    )


def _board_ticket(ticket: Ticket) -> BoardTicket:
    since = ticket.started_at if ticket.status == Status.SERVING else ticket.called_at
    return BoardTicket(
        id=ticket.id,
        number=format_number(ticket.prefix, ticket.number),
        status=Status(ticket.status),
        since=since or ticket.queued_at,
    )


def _services(
    session: Session,
    site: Site,
    view: SiteView,
    queued: list[Ticket],
    now: datetime,
    since: datetime,
    day: date,
) -> list[BoardService]:
    finished = steering_repo.finished_since(session, site.id, since)
    issued = tickets_repo.issued_on(
        session, site.id, day, {s.prefix for s in view.services.values()}
    )
    minutes = view.service_minutes(session)
    found = []
    for service in view.services.values():
        waiting = [t for t in queued if t.service_id == service.id]
        if not service.active and not waiting:
            continue  # switched off (no longer in the site file) and nobody left in its queue
        longest = max((now - t.queued_at for t in waiting), default=None)
        given = issued.get(service.prefix, 0)
        why = issuing.why_not_issuing(service, day, given)
        issues = service.active and why is None
        share = service.amber_share if service.amber_share is not None else site.amber_share
        found.append(
            BoardService(
                id=service.id,
                prefix=service.prefix,
                names=dict(service.names),
                active=service.active,
                issuing=issues,
                stopped=why == issuing.STOPPED,
                stop_reason=_stop_reason(service) if why == issuing.STOPPED else None,
                stopped_message=issuing.messages(service) if why is not None else None,
                waiting=len(waiting),
                longest_wait_minutes=int(longest.total_seconds() // 60) if longest else None,
                target_wait_minutes=service.target_wait_minutes,
                amber_share=share,
                level=level(longest, service.target_wait_minutes, share),
                estimated_wait_minutes=view.walk_in_estimate(service.id, now, minutes).minutes
                if issues
                else None,
                served_today=finished.get((service.id, Status.DONE.value), 0),
                no_show_today=finished.get((service.id, Status.NO_SHOW.value), 0),
                issued_today=given,
                daily_limit=service.daily_limit,
                left_today=issuing.left_today(service, given),
            )
        )
    return found


def _stop_reason(service: ServiceInfo | Service) -> StopReason | None:
    reason = service.issuing_stop_reason
    return StopReason(reason) if reason in set(StopReason) else None


def _target_alerts(
    services: Mapping[int, ServiceInfo], queued: Iterable[Ticket], now: datetime
) -> list[BoardAlert]:
    oldest: dict[int, datetime] = {}
    for ticket in queued:
        if ticket.service_id not in oldest or ticket.queued_at < oldest[ticket.service_id]:
            oldest[ticket.service_id] = ticket.queued_at
    found = []
    for service_id, queued_at in oldest.items():
        service = services.get(service_id)
        if service is None:
            continue
        passed = queued_at + timedelta(minutes=service.target_wait_minutes)
        if now > passed:
            found.append(
                BoardAlert(kind=AlertKind.SERVICE_PAST_TARGET, at=passed, service_id=service_id)
            )
    return found


def _printer_alerts(session: Session, site: Site) -> list[BoardAlert]:
    return [
        BoardAlert(
            kind=AlertKind.PRINTER_FAULT,
            at=device.printer_state_since or utcnow(),
            device=device.name,
            detail=device.printer_state,
        )
        for device in devices_repo.devices_of(session, site.id)
        if device.printer_state in PRINTER_FAULTS
    ]


# Stopping and resuming a service's tickets ---------------------------------------------------


def _issuing_answer(session: Session, site: Site, service: Service) -> ServiceIssuing:
    day = utcnow().astimezone(ZoneInfo(site.timezone)).date()
    given = tickets_repo.issued_on(session, site.id, day, {service.prefix}).get(service.prefix, 0)
    why = issuing.why_not_issuing(service, day, given)
    return ServiceIssuing(
        id=service.id,
        prefix=service.prefix,
        names=dict(service.names),
        active=service.active,
        issuing=service.active and why is None,
        stopped=why == issuing.STOPPED,
        stop_reason=_stop_reason(service) if why == issuing.STOPPED else None,
        stopped_message=issuing.messages(service) if why is not None else None,
        daily_limit=service.daily_limit,
        left_today=issuing.left_today(service, given),
    )


def _service_of(session: Session, site: Site, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.site_id != site.id:
        raise NotFound(
            "service_not_found",
            N_("There is no service {service} at this site."),
            service=service_id,
        )
    return service


def stop_issuing(
    db: Database,
    bus: EventBus,
    slug: str,
    service_id: int,
    principal: Principal,
    body: StopRequest,
    request: IdempotentRequest,
) -> Answer:
    """No more tickets of the service today (the site's local day); the next day it issues
    again by itself. Logs ``service.issuing_stopped``; a stop already in place with the same
    reason changes and logs nothing."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.STEER, site_id)

    def change(session: Session, site: Site) -> Answer:
        service = _service_of(session, site, service_id)
        if not service.active:
            raise Conflict("service_inactive", N_("This service is not offered at the moment."))
        day = utcnow().astimezone(ZoneInfo(site.timezone)).date()
        reason = body.reason.value if body.reason is not None else None
        if service.issuing_stopped_on != day or service.issuing_stop_reason != reason:
            service.issuing_stopped_on = day
            service.issuing_stop_reason = reason
            event_log.append(
                session,
                site,
                "service.issuing_stopped",
                actor=principal.actor,
                data={
                    "service_id": service.id,
                    "prefix": service.prefix,
                    "day": day.isoformat(),
                    "reason": reason,
                },
            )
        return 200, _issuing_answer(session, site, service).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


def resume_issuing(
    db: Database,
    bus: EventBus,
    slug: str,
    service_id: int,
    principal: Principal,
    request: IdempotentRequest,
) -> Answer:
    """Undo today's stop; logs ``service.issuing_resumed``. A service not stopped today changes
    and logs nothing. The contingent of the site file stays."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.STEER, site_id)

    def change(session: Session, site: Site) -> Answer:
        service = _service_of(session, site, service_id)
        day = utcnow().astimezone(ZoneInfo(site.timezone)).date()
        if service.issuing_stopped_on == day:
            service.issuing_stopped_on = None
            service.issuing_stop_reason = None
            event_log.append(
                session,
                site,
                "service.issuing_resumed",
                actor=principal.actor,
                data={"service_id": service.id, "prefix": service.prefix, "day": day.isoformat()},
            )
        return 200, _issuing_answer(session, site, service).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)
