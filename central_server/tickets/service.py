"""The queue's actions: create, call next, call a particular ticket, recall, no-show and its
undoing, start, park, resume, transfer, finish, cancel, and recording a case. Permissions are
checked here; the rules themselves live in ``central_server.queue_rules``; every change goes
through ``central_server.writes.perform``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from central_server import readers
from central_server.auth.principal import Capability, Principal, Role, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.errors import N_, Conflict, Forbidden, InvalidInput, translatable
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Case, Desk, Service, Site, Ticket, User
from central_server.models._types import utcnow
from central_server.queue_rules import (
    CALLABLE_OUT_OF_ORDER,
    FINAL,
    QUEUED,
    Action,
    Calling,
    Priority,
    QueuedTicket,
    Status,
    TransitionRefused,
    draw_order,
    format_number,
    next_status,
    pick_next,
    queue_key,
)
from central_server.readers import NotModified, Snapshot
from central_server.sites import hours
from central_server.sites import repository as sites_repo
from central_server.sites.config import DeskInfo, ServiceInfo, SiteConfig, site_config
from central_server.steering import issuing
from central_server.tickets import repository
from central_server.tickets.offline import Issued, accept_upload
from central_server.tickets.schemas import (
    CallRequest,
    CancelRequest,
    CaseRead,
    CaseUpdate,
    DeskCounts,
    FinishRequest,
    MoveRequest,
    OfflineIssue,
    QueuePublic,
    ResumeRequest,
    TicketCreate,
    TicketPublic,
    TransferRequest,
    UndoNoShowRequest,
)
from central_server.tickets.view import SiteView, as_queued, desk_rule, ticket_finished
from central_server.writes import Answer, perform
from resources.vocabulary import TICKET_STATUS_LABELS, DeskKind

# Why an action does not fit, said to the clerk.
REFUSALS = {
    Action.CALL: N_("Ticket {number} is {status}; only a waiting ticket can be called."),
    Action.RECALL: N_("Ticket {number} is {status}; only a called ticket can be called again."),
    Action.NO_SHOW: N_(
        "Ticket {number} is {status}; only a called ticket can be marked as no-show."
    ),
    Action.START: N_("Ticket {number} is {status}; only a called ticket can be started."),
    Action.PARK: N_("Ticket {number} is {status}; only a ticket being served can be parked."),
    Action.RESUME: N_("Ticket {number} is {status}; only a parked ticket can be resumed."),
    Action.FINISH: N_("Ticket {number} is {status}; only a ticket being served can be finished."),
    Action.CANCEL: N_("Ticket {number} is {status} already and cannot be cancelled."),
    Action.TRANSFER: N_("Ticket {number} is {status} and cannot be transferred any more."),
}


def _transition(ticket: Ticket, action: Action) -> Status:
    try:
        return next_status(Status(ticket.status), action)
    except TransitionRefused as refused:
        raise Conflict(
            "invalid_transition",
            REFUSALS[action],
            number=format_number(ticket.prefix, ticket.number),
            status=translatable(TICKET_STATUS_LABELS[refused.status]),
        ) from None


def _ticket_site_id(db: Database, ticket_id: int) -> int:
    """The ticket's site. A ticket never moves between sites, so recent answers are kept."""
    site_id = db.known_ticket_sites.get(ticket_id)
    if site_id is None:
        with db.read_session() as session:
            site_id = repository.ticket_by_id(session, ticket_id).site_id
        _remember_ticket_site(db, ticket_id, site_id)
    return site_id


def _remember_ticket_site(db: Database, ticket_id: int, site_id: int) -> None:
    """Keep a ticket's site, known to a change anyway, for the actions that follow."""
    if len(db.known_ticket_sites) >= 20000:
        db.known_ticket_sites.clear()
    db.known_ticket_sites[ticket_id] = site_id


def _check_desk_role(principal: Principal, desk: Desk | DeskInfo) -> None:
    """Quick-pickup staff work at quick-pickup desks only."""
    if principal.has_role(Role.CLERK, Role.SUPERVISOR):
        return
    if principal.has_role(Role.PICKUP) and desk.kind == DeskKind.QUICK_PICKUP:
        return
    raise Forbidden(
        "forbidden_desk", N_("Your role does not allow you to work at desk {desk}."), desk=desk.code
    )


def _ensure_desk_free(view: SiteView, desk: Desk | DeskInfo) -> None:
    busy = view.open_at_desk(desk.id)
    if busy is not None:
        raise Conflict(
            "desk_busy",
            N_(
                "Desk {desk} still has ticket {number} open. Finish it, park it or mark it as "
                "no-show first."
            ),
            desk=desk.code,
            number=format_number(busy.prefix, busy.number),
        )


def _occupy(session: Session, desk: DeskInfo, principal: Principal) -> None:
    """The desk is open and worked by ``principal``; another person's desk is not taken over
    by calling at it (signing on with ``force`` does that, or a supervisor). The desk's row is
    written only when this changes it."""
    holder = desk.signed_on_user_id
    if (
        holder is not None
        and (principal.kind, holder) != ("user", principal.id)
        and not principal.has_role(Role.SUPERVISOR)
    ):
        raise Conflict(
            "desk_taken",
            N_("{user} is signed on at desk {desk}. Sign on anyway to take the desk over."),
            user=session.get_one(User, holder).username,
            desk=desk.code,
        )
    user_id = principal.id if principal.kind == "user" else holder
    if desk.state != "open" or holder != user_id:
        row = session.get_one(Desk, desk.id)
        row.state = "open"
        row.signed_on_user_id = user_id


def _check_ticket_role(principal: Principal, ticket: Ticket, view: SiteView) -> None:
    """Quick-pickup staff act only on tickets at, meant for, or served by quick-pickup desks."""
    if principal.has_role(Role.CLERK, Role.SUPERVISOR):
        return
    desk_id = ticket.desk_id if ticket.desk_id is not None else ticket.target_desk_id
    if desk_id is not None:
        _check_desk_role(principal, view.desks[desk_id])
        return
    pickup_desks = [d for d in view.desks.values() if d.kind == DeskKind.QUICK_PICKUP]
    if any(ticket.service_id in d.service_ids for d in pickup_desks):
        return
    raise Forbidden("forbidden_role", N_("Your role does not allow this."))


def create_ticket(
    db: Database,
    bus: EventBus,
    slug: str,
    principal: Principal,
    body: TicketCreate,
    request: IdempotentRequest,
) -> Answer:
    """A new ticket; with ``body.offline``, one the kiosk issued offline (see
    ``central_server.tickets.offline``)."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.CREATE_TICKET, site_id)
    if body.offline is not None:
        require(principal, Capability.ISSUE_OFFLINE, site_id)
    if body.priority == Priority.URGENT and not principal.has_role(Role.CLERK, Role.SUPERVISOR):
        raise Forbidden("forbidden_priority", N_("Only staff can issue urgent tickets."))
    if (
        body.priority == Priority.APPOINTMENT
        and principal.kind == "user"
        and not principal.has_role(Role.SUPERVISOR)
    ):
        # An appointment ticket comes from the booking system's check-in, never from a desk.
        raise Forbidden("forbidden_priority", N_("A desk issues urgent or normal tickets only."))

    def change(session: Session, site: Site) -> Answer:
        service = site_config(session, site).service(body.service_id)
        ticket, view = create_ticket_in_session(
            session,
            site,
            service,
            principal,
            priority=body.priority,
            language=body.language,
            offline=body.offline,
        )
        return 201, view.created(session, ticket).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


def create_ticket_in_session(
    session: Session,
    site: Site,
    service: Service | ServiceInfo,
    principal: Principal,
    *,
    priority: Priority = Priority.NORMAL,
    language: str = "de",
    offline: OfflineIssue | None = None,
    appointment_at: datetime | None = None,
    appointment_late: bool = False,
) -> tuple[Ticket, SiteView]:
    """Draw the next ticket of ``service`` and log ``ticket.created``: the one way a ticket is
    made, inside a change that holds the site's lock (see ``central_server.writes``).

    Refuses a service that is switched off or closed now, and one that issues no more tickets
    today (stopped by a supervisor, or its daily contingent used up:
    ``central_server.steering.issuing``; the refusal is in the citizen's ``language``). With
    ``offline``, the ticket is one a kiosk issued offline: number, time and status token are
    the kiosk's, checked against its lease, and the opening hours at the time it was issued
    (``offline.accept_upload``); it is taken past a stop or the contingent (it is printed).
    With ``appointment_at`` the ticket is an appointment's checked in at the kiosk
    (``central_server.appointments``): the booking system gave the time, so it is drawn past
    the opening hours, a stop and the contingent, unless ``appointment_late`` (it came after
    its window and is let in as a walk-in, under the walk-ins' rules).
    Permissions are the caller's to check. Returns the ticket and the site as it is afterwards.
    """
    if not service.active:
        raise Conflict("service_inactive", N_("This service is not offered at the moment."))
    if offline is not None:
        issued = accept_upload(session, site, service, principal, offline)
        # Printed already: it counts for the contingent, past a stop or the limit too.
        repository.count_uploaded(session, site.id, service.prefix, issued.day)
    else:
        now = utcnow()
        local_now = now.astimezone(ZoneInfo(site.timezone))
        booked = appointment_at is not None and not appointment_late
        if not booked and not hours.is_open(service.hours, local_now):
            raise Conflict(
                "service_closed",
                N_("This service is closed now. Opening hours today: {hours}"),
                hours=hours.today_text(service.hours, local_now) or "—",
            )
        day = local_now.date()
        # Stopped today, or the contingent used up: from the kept configuration and the
        # counter the number is drawn from, no further statement.
        if not booked and service.issuing_stopped_on == day:
            raise issuing.refusal(service, issuing.STOPPED, language)
        counter = repository.day_counter(session, site.id, service.prefix, day)
        why = issuing.why_not_issuing(service, day, counter.issued or 0)
        if why is not None and not booked:
            raise issuing.refusal(service, why, language)
        issued = Issued(
            day=day,
            number=repository.next_number(session, counter),
            at=now,
            status_token=secrets.token_urlsafe(16),
        )
    ticket = Ticket(
        site_id=site.id,
        service_id=service.id,
        day=issued.day,
        number=issued.number,
        prefix=service.prefix,
        priority=priority,
        language=language,
        status=Status.WAITING,
        status_token=issued.status_token,
        created_at=issued.at,
        queued_at=issued.at,
        issued_offline=issued.lease_id is not None,
        appointment_at=appointment_at,
        appointment_late=appointment_late,
    )
    view = SiteView.load(session, site)
    if offline is None:
        # The wait the kiosk prints, kept for the statistics in the same INSERT.
        ticket.estimated_wait_minutes = view.estimate_newcomer(session, ticket).minutes
    session.add(ticket)
    session.flush()
    if offline is None:
        view.newcomer_is(ticket.id)
    else:
        view = SiteView.load(session, site)
    offline_data = {"lease_id": issued.lease_id} if issued.lease_id is not None else {}
    event_log.append(
        session,
        site,
        "ticket.created",
        actor=principal.actor,
        ticket_id=ticket.id,
        data={"ticket": view.event_summary(ticket), **offline_data},
    )
    return ticket, view


def call_next(
    db: Database,
    bus: EventBus,
    slug: str,
    desk_code: str,
    principal: Principal,
    request: IdempotentRequest,
) -> Answer:
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.OPERATE_DESK, site_id)

    def change(session: Session, site: Site) -> Answer:
        view = SiteView.load(session, site)
        desk = view.config.desk(desk_code)
        _check_desk_role(principal, desk)
        _ensure_desk_free(view, desk)
        chosen = pick_next(view.queued_rules(), desk_rule(desk), view.calling(session, utcnow()))
        if chosen is None:
            return 204, None
        ticket = repository.ticket_by_id(session, chosen.id)
        ticket.status = _transition(ticket, Action.CALL)
        return _call_at(db, session, site, view, ticket, desk, principal)

    return perform(db, bus, site_id, principal, request, change)


def _call_at(
    db: Database,
    session: Session,
    site: Site,
    view: SiteView,
    ticket: Ticket,
    desk: DeskInfo,
    principal: Principal,
    *,
    out_of_order: bool = False,
) -> Answer:
    """The one write path of a call: ``ticket`` (its status set by the caller) is called at
    ``desk``, the desk is ``principal``'s, and ``ticket.called`` goes to the display, the
    status page and every desk; ``out_of_order`` marks a call of a ticket the clerk chose."""
    _remember_ticket_site(db, ticket.id, site.id)
    ticket.desk_id = desk.id
    ticket.target_desk_id = None
    ticket.called_at = utcnow()
    if ticket.first_called_at is None:  # a call after a transfer does not move the wait
        ticket.first_called_at = ticket.called_at
    _occupy(session, desk, principal)
    extra: dict[str, object] = {"out_of_order": True} if out_of_order else {}
    event_log.append(
        session,
        site,
        "ticket.called",
        actor=principal.actor,
        desk_code=desk.code,
        ticket_id=ticket.id,
        data={"ticket": view.event_summary(ticket), **extra},
    )
    return 200, view.public(
        session, ticket, include_case=principal.can(Capability.READ_CASES)
    ).model_dump(mode="json")


def _check_may_call(view: SiteView, desk: DeskInfo, ticket: Ticket) -> None:
    """A desk calls what it could call next anyway (its services, or a ticket transferred to
    it); a parked ticket also at the desk that parked it."""
    if Status(ticket.status) == Status.PARKED and ticket.desk_id == desk.id:
        return
    queued = as_queued(ticket)
    if Status(ticket.status) == Status.PARKED:  # its desk is where it was set aside, not a target
        queued = replace(queued, target_desk_id=None)
    if not desk_rule(desk).may_call(queued):
        raise Forbidden(
            "desk_may_not_call",
            N_("Desk {desk} does not serve ticket {number}; it cannot call it."),
            desk=desk.code,
            number=format_number(ticket.prefix, ticket.number),
        )


def _ensure_callable(ticket: Ticket) -> None:
    if Status(ticket.status) not in CALLABLE_OUT_OF_ORDER:
        raise Conflict(
            "invalid_transition",
            N_("Ticket {number} is {status}; only a waiting or parked ticket can be called."),
            number=format_number(ticket.prefix, ticket.number),
            status=translatable(TICKET_STATUS_LABELS[Status(ticket.status)]),
        )


def call_ticket(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: CallRequest,
) -> Answer:
    """Call one waiting (or parked) ticket at ``body.desk`` out of order: the citizen who was
    outside at their call, a family served together, a colleague's hand-over. The checks are
    call-next's (the desk's role, the desk free, another person's desk not taken over) and the
    desk must be able to call the ticket (403). ``ticket.called`` carries ``out_of_order``."""
    site_id = _ticket_site_id(db, ticket_id)
    require(principal, Capability.OPERATE_DESK, site_id)

    def change(session: Session, site: Site) -> Answer:
        ticket = repository.ticket_by_id(session, ticket_id)
        view = SiteView.load(session, site)
        desk = view.config.desk(body.desk)
        _check_desk_role(principal, desk)
        _ensure_callable(ticket)
        _check_may_call(view, desk, ticket)
        _ensure_desk_free(view, desk)
        ticket.status = Status.CALLED
        return _call_at(db, session, site, view, ticket, desk, principal, out_of_order=True)

    return perform(db, bus, site_id, principal, request, change)


#: How long a desk can take back a no-show (a citizen who turns up just after it).
UNDO_NO_SHOW_WITHIN = timedelta(minutes=10)


def undo_no_show(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: UndoNoShowRequest,
) -> Answer:
    """Take back a no-show within :data:`UNDO_NO_SHOW_WITHIN`: the ticket waits again in its
    old place (``queued_at`` kept), or with ``body.desk`` is called there at once (the checks
    of :func:`call_ticket`). 409 for a ticket that is not a no-show or was marked longer ago.
    Logs ``ticket.no_show_undone`` (and ``ticket.called`` with a desk); the statistics count
    the ticket by its new status (a change to a summed-up day sums it up anew, see
    ``central_server.writes``)."""
    site_id = _ticket_site_id(db, ticket_id)
    require(principal, Capability.OPERATE_DESK, site_id)

    def change(session: Session, site: Site) -> Answer:
        ticket = repository.ticket_by_id(session, ticket_id)
        view = SiteView.load(session, site)
        _check_ticket_role(principal, ticket, view)
        number = format_number(ticket.prefix, ticket.number)
        if Status(ticket.status) != Status.NO_SHOW:
            raise Conflict(
                "invalid_transition",
                N_("Ticket {number} is {status}; only a no-show can be undone."),
                number=number,
                status=translatable(TICKET_STATUS_LABELS[Status(ticket.status)]),
            )
        marked = ticket.finished_at
        if marked is None or utcnow() - marked > UNDO_NO_SHOW_WITHIN:
            raise Conflict(
                "undo_too_late",
                N_(
                    "Ticket {number} was marked as no-show more than {minutes} minutes ago; "
                    "this can no longer be undone."
                ),
                number=number,
                minutes=int(UNDO_NO_SHOW_WITHIN.total_seconds() // 60),
            )
        desk = view.config.desk(body.desk) if body.desk is not None else None
        if desk is not None:
            _check_desk_role(principal, desk)
            _check_may_call(view, desk, ticket)
            _ensure_desk_free(view, desk)
        from_desk = view.desk_code(ticket.desk_id)
        # Back in the queue it came from: a transferred ticket waits as one again.
        ticket.status = Status.TRANSFERRED if ticket.transfer_count else Status.WAITING
        ticket.finished_at = None
        ticket.desk_id = None
        session.flush()
        view = SiteView.load(session, site)
        event_log.append(
            session,
            site,
            "ticket.no_show_undone",
            actor=principal.actor,
            desk_code=from_desk,
            ticket_id=ticket.id,
            data={"ticket": view.event_summary(ticket), "called_at_desk": desk is not None},
        )
        if desk is not None:
            ticket.status = _transition(ticket, Action.CALL)
            return _call_at(db, session, site, view, ticket, desk, principal, out_of_order=True)
        include_case = principal.can(Capability.READ_CASES)
        return 200, view.public(session, ticket, include_case=include_case).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


def _case_of(ticket: Ticket) -> Case:
    if ticket.case is None:
        ticket.case = Case(
            steps_done=[], notes="", case_reference="", forward_reason="", cancel_reason=""
        )
    return ticket.case


def _apply_case(ticket: Ticket, update: CaseUpdate) -> bool:
    """Write the fields ``update`` names into the ticket's case; True if anything changed."""
    if update.steps_done is None and update.notes is None and update.case_reference is None:
        return False
    case = _case_of(ticket)
    before = (list(case.steps_done), case.notes, case.case_reference)
    if update.steps_done is not None:
        case.steps_done = list(dict.fromkeys(update.steps_done))
    if update.notes is not None:
        case.notes = update.notes
    if update.case_reference is not None:
        case.case_reference = update.case_reference
    if (list(case.steps_done), case.notes, case.case_reference) == before:
        return False
    case.updated_at = utcnow()
    return True


#: A ticket's change: the event's extra data, or None when nothing changed (no event then).
TicketChange = Callable[[Session, Site, Ticket, SiteView], dict[str, object] | None]


def _act(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    event_type: str,
    change: TicketChange,
    capability: Capability = Capability.OPERATE_DESK,
) -> Answer:
    site_id = _ticket_site_id(db, ticket_id)
    require(principal, capability, site_id)

    def run(session: Session, site: Site) -> Answer:
        ticket = repository.ticket_by_id(session, ticket_id)
        view = SiteView.load(session, site)
        _check_ticket_role(principal, ticket, view)
        extra = change(session, site, ticket, view)
        session.flush()
        view = SiteView.load(session, site)
        if extra is not None:
            event_log.append(
                session,
                site,
                event_type,
                actor=principal.actor,
                desk_code=view.desk_code(ticket.desk_id),
                ticket_id=ticket.id,
                data={"ticket": view.event_summary(ticket), **extra},
            )
        include_case = principal.can(Capability.READ_CASES)
        return 200, view.public(session, ticket, include_case=include_case).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, run)


def recall(
    db: Database, bus: EventBus, ticket_id: int, principal: Principal, request: IdempotentRequest
) -> Answer:
    def change(session: Session, site: Site, ticket: Ticket, view: SiteView) -> dict[str, object]:
        ticket.status = _transition(ticket, Action.RECALL)
        ticket.recall_count += 1
        return {"recall_count": ticket.recall_count}

    return _act(db, bus, ticket_id, principal, request, "ticket.recalled", change)


def _served_by(ticket: Ticket, principal: Principal) -> None:
    """The clerk who serves the ticket now (for per-clerk figures, where the site allows them)."""
    if principal.kind == "user":
        ticket.served_by_user_id = principal.id


def _simple(action: Action, event_type: str, stamp: str | None = None):
    def handler(
        db: Database,
        bus: EventBus,
        ticket_id: int,
        principal: Principal,
        request: IdempotentRequest,
    ) -> Answer:
        def change(
            session: Session, site: Site, ticket: Ticket, view: SiteView
        ) -> dict[str, object]:
            ticket.status = _transition(ticket, action)
            if stamp is not None:
                setattr(ticket, stamp, utcnow())
            if action in (Action.START, Action.NO_SHOW):
                _served_by(ticket, principal)
            return {}

        return _act(db, bus, ticket_id, principal, request, event_type, change)

    return handler


no_show = _simple(Action.NO_SHOW, "ticket.no_show", "finished_at")
start = _simple(Action.START, "ticket.started", "started_at")
park = _simple(Action.PARK, "ticket.parked")
_cancel_at_desk = _simple(Action.CANCEL, "ticket.cancelled", "finished_at")

#: The tickets a supervisor cancels with a reason: in a queue, or set aside at a desk.
CANCELLABLE_WITH_REASON = QUEUED | {Status.PARKED}


def cancel(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: CancelRequest | None = None,
) -> Answer:
    """Cancel the ticket. Without ``body``: the desk's action (the ticket at the desk, any
    status not final). With ``body`` and no desk: a supervisor's steering, for a waiting or
    parked ticket (409 otherwise). With ``body.desk``: the clerk signed on at that desk (or a
    supervisor), for a waiting ticket the desk may call (403 otherwise; 409 when it does not
    wait). The reason in words is kept on the ticket's case: the event ``ticket.cancelled``
    says who, the coded reason ``why``, and that words were given, never the words."""
    if body is None:
        return _cancel_at_desk(db, bus, ticket_id, principal, request)
    if body.desk is not None:
        return _cancel_from_queue(db, bus, ticket_id, principal, request, body, body.desk)

    def change(session: Session, site: Site, ticket: Ticket, view: SiteView) -> dict[str, object]:
        if Status(ticket.status) not in CANCELLABLE_WITH_REASON:
            raise Conflict(
                "invalid_transition",
                N_(
                    "Ticket {number} is {status}; only a waiting or parked ticket can be cancelled."
                ),
                number=format_number(ticket.prefix, ticket.number),
                status=translatable(TICKET_STATUS_LABELS[Status(ticket.status)]),
            )
        _cancel_with_reason(ticket, body)
        return {"reason": body.reason is not None, "why": body.why, "steering": True}

    return _act(
        db, bus, ticket_id, principal, request, "ticket.cancelled", change, Capability.STEER
    )


def _cancel_with_reason(ticket: Ticket, body: CancelRequest) -> None:
    ticket.status = _transition(ticket, Action.CANCEL)
    ticket.finished_at = utcnow()
    if body.reason is not None:
        case = _case_of(ticket)
        case.cancel_reason = body.reason
        case.updated_at = utcnow()


def _cancel_from_queue(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: CancelRequest,
    desk_code: str,
) -> Answer:
    """A clerk cancels a waiting ticket from the desk's queue: the citizen left, came twice,
    drew the wrong service. Only a ticket the desk may call, only by who works there."""
    if not principal.has_role(Role.CLERK, Role.SUPERVISOR):
        raise Forbidden("forbidden_role", N_("Your role does not allow this."))

    def change(session: Session, site: Site, ticket: Ticket, view: SiteView) -> dict[str, object]:
        desk = view.config.desk(desk_code)
        number = format_number(ticket.prefix, ticket.number)
        if desk.signed_on_user_id != principal.id and not principal.has_role(Role.SUPERVISOR):
            raise Forbidden(
                "not_signed_on", N_("You are not signed on at desk {desk}."), desk=desk.code
            )
        if not desk_rule(desk).may_call(as_queued(ticket)):
            raise Forbidden(
                "forbidden_service",
                N_("Desk {desk} does not call ticket {number}."),
                desk=desk.code,
                number=number,
            )
        if Status(ticket.status) not in QUEUED:
            raise Conflict(
                "invalid_transition",
                N_("Ticket {number} is {status}; only a waiting ticket can be cancelled here."),
                number=number,
                status=translatable(TICKET_STATUS_LABELS[Status(ticket.status)]),
            )
        _cancel_with_reason(ticket, body)
        return {"reason": body.reason is not None, "why": body.why, "desk": desk.code}

    return _act(db, bus, ticket_id, principal, request, "ticket.cancelled", change)


def move(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: MoveRequest,
) -> Answer:
    """A supervisor moves a waiting ticket to another service of the site. It keeps its number
    and its place (``queued_at``), as a transfer does, and its status; a ticket meant for one
    desk becomes one of the service's. 409 when the ticket does not wait; the same service
    changes and logs nothing. Logs ``ticket.moved``; a reason goes to the case as the
    forwarding reason (the desk that calls it reads it), never into the log."""

    def change(
        session: Session, site: Site, ticket: Ticket, view: SiteView
    ) -> dict[str, object] | None:
        if Status(ticket.status) not in QUEUED:
            raise Conflict(
                "invalid_transition",
                N_("Ticket {number} is {status}; only a waiting ticket can be moved."),
                number=format_number(ticket.prefix, ticket.number),
                status=translatable(TICKET_STATUS_LABELS[Status(ticket.status)]),
            )
        service = view.config.service(body.service_id)
        if not service.active:
            raise Conflict("service_inactive", N_("This service is not offered at the moment."))
        if service.id == ticket.service_id and ticket.target_desk_id is None:
            return None
        extra: dict[str, object] = {
            "from_service": ticket.service_id,
            "to_service": service.id,
            "from_desk": view.desk_code(ticket.target_desk_id),
            "reason": bool(body.reason),
        }
        ticket.service_id = service.id
        ticket.target_desk_id = None
        if body.reason:
            case = _case_of(ticket)
            case.forward_reason = body.reason
            case.updated_at = utcnow()
        return extra

    return _act(db, bus, ticket_id, principal, request, "ticket.moved", change, Capability.STEER)


def resume(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: ResumeRequest,
) -> Answer:
    def change(session: Session, site: Site, ticket: Ticket, view: SiteView) -> dict[str, object]:
        new_status = _transition(ticket, Action.RESUME)
        desk: DeskInfo | None
        if body.desk is not None:
            desk = view.config.desk(body.desk)
        else:
            desk = view.desks.get(ticket.desk_id) if ticket.desk_id is not None else None
        if desk is None:
            raise InvalidInput("desk_required", N_("Please say at which desk to resume."))
        _check_desk_role(principal, desk)
        _ensure_desk_free(view, desk)
        ticket.status = new_status
        ticket.desk_id = desk.id
        _occupy(session, desk, principal)
        return {}

    return _act(db, bus, ticket_id, principal, request, "ticket.resumed", change)


def finish(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: FinishRequest,
) -> Answer:
    def change(session: Session, site: Site, ticket: Ticket, view: SiteView) -> dict[str, object]:
        ticket.status = _transition(ticket, Action.FINISH)
        ticket.finished_at = utcnow()
        _served_by(ticket, principal)
        ticket_finished(session, ticket)
        _apply_case(ticket, body)
        _case_of(ticket).outcome = body.outcome.value
        return {"outcome": body.outcome.value}

    return _act(db, bus, ticket_id, principal, request, "ticket.finished", change)


def transfer(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: TransferRequest,
) -> Answer:
    if (body.service_id is None) == (body.desk is None):
        raise InvalidInput(
            "transfer_target",
            N_("Please choose either a service or a desk to transfer the ticket to."),
        )

    def change(session: Session, site: Site, ticket: Ticket, view: SiteView) -> dict[str, object]:
        ticket.status = _transition(ticket, Action.TRANSFER)
        extra: dict[str, object] = {
            "from_desk": view.desk_code(ticket.desk_id),
            "reason": bool(body.reason),
        }
        if body.service_id is not None:
            service = view.config.service(body.service_id)
            if not service.active:
                raise Conflict("service_inactive", N_("This service is not offered at the moment."))
            ticket.service_id = service.id
            ticket.target_desk_id = None
            extra["to_service"] = service.id
        else:
            assert body.desk is not None
            desk = view.config.desk(body.desk)
            ticket.target_desk_id = desk.id
            extra["to_desk"] = desk.code
        ticket.transfer_count += 1
        ticket.started_at = None
        # Everything recorded so far goes with the ticket, in the same transaction.
        _apply_case(ticket, body)
        case = _case_of(ticket)
        case.forward_reason = body.reason
        case.updated_at = utcnow()
        return extra

    return _act(db, bus, ticket_id, principal, request, "ticket.transferred", change)


def update_case(
    db: Database,
    bus: EventBus,
    ticket_id: int,
    principal: Principal,
    request: IdempotentRequest,
    body: CaseUpdate,
) -> Answer:
    """Save the case as the clerk has it now (the desk sends it as they type).

    Only those who may read cases write them: the site's clerks and supervisors, never
    quick-pickup staff or devices. The same case sent again changes nothing and logs nothing;
    a change logs ``ticket.case_updated`` with the ticket's summary, never the case itself.
    """
    require(principal, Capability.READ_CASES, _ticket_site_id(db, ticket_id))

    def change(
        session: Session, site: Site, ticket: Ticket, view: SiteView
    ) -> dict[str, object] | None:
        if Status(ticket.status) in FINAL:
            raise Conflict(
                "case_closed",
                N_("Ticket {number} is {status}; its case can no longer be changed."),
                number=format_number(ticket.prefix, ticket.number),
                status=translatable(TICKET_STATUS_LABELS[Status(ticket.status)]),
            )
        changed = _apply_case(ticket, body)
        _case_of(ticket)
        return {} if changed else None

    return _act(db, bus, ticket_id, principal, request, "ticket.case_updated", change)


def get_case(db: Database, ticket_id: int, principal: Principal) -> CaseRead:
    """The ticket's case as it is now, for the site's clerks and supervisors."""
    with db.read_session() as session:
        ticket = repository.ticket_by_id(session, ticket_id)
        require(principal, Capability.READ_CASES, ticket.site_id)
        case = ticket.case
        return CaseRead(
            ticket_id=ticket.id,
            number=format_number(ticket.prefix, ticket.number),
            status=Status(ticket.status),
            steps_done=list(case.steps_done) if case else [],
            outcome=case.outcome if case else None,
            notes=case.notes if case else "",
            case_reference=case.case_reference if case else "",
            forward_reason=case.forward_reason if case else "",
            cancel_reason=case.cancel_reason if case else "",
            updated_at=case.updated_at if case else None,
        )


def get_ticket(db: Database, ticket_id: int, principal: Principal) -> dict[str, object]:
    with db.read_session() as session:
        ticket = repository.ticket_by_id(session, ticket_id)
        require(principal, Capability.READ_QUEUE, ticket.site_id)
        site = session.get_one(Site, ticket.site_id)
        view = SiteView.load(session, site)
        include_case = principal.can(Capability.READ_CASES)
        return view.public(session, ticket, include_case=include_case).model_dump(mode="json")


def get_queue(
    db: Database,
    slug: str,
    principal: Principal,
    desk_code: str | None = None,
    if_none_match: str | None = None,
) -> Snapshot | NotModified:
    """The site's queue (with ``desk_code``: what that desk may call, in its calling order) as
    ready JSON, shared by every reader of the same site change (``central_server.readers``).

    The answer differs by whether the caller's role sees cases, and its waiting times age by
    the minute: both are part of the ``ETag``. Only the first reader of a site change in this
    process opens a read transaction; the others look up the site's row and are answered from
    what that reader computed (:meth:`QueueReading.without_transaction`)."""
    reading = QueueReading.of(principal, desk_code)
    with db.quick_read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        require(principal, Capability.READ_QUEUE, site.id)
        if desk_code is not None:
            site_config(session, site).desk(desk_code)  # 404 for an unknown desk
        answer = reading.without_transaction(db, site, if_none_match)
        if answer is not None:
            return answer
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        return reading.serve(db, session, site, if_none_match)


@dataclass(frozen=True)
class QueueReading:
    """How one caller reads a site's queue: for which desk (None: the site's order), with or
    without cases (by role), at which minute (waiting times age by the minute)."""

    desk_code: str | None
    include_case: bool
    now: datetime

    @classmethod
    def of(cls, principal: Principal, desk_code: str | None) -> QueueReading:
        return cls(desk_code, principal.can(Capability.READ_CASES), utcnow())

    @property
    def variant(self) -> str:
        return f"{'c' if self.include_case else 'p'}{int(self.now.timestamp() // 60)}"

    @property
    def key(self) -> tuple[str, str | None]:
        return ("queue", self.desk_code)

    def without_transaction(
        self, db: Database, site: Site, if_none_match: str | None
    ) -> Snapshot | NotModified | None:
        """The answer at the site's ``last_event_seq`` if it needs no read of the database:
        304, kept, or ordered from the site's kept tickets; None otherwise."""
        seq = site.last_event_seq
        found = readers.kept(db, site.id, seq, self.key, self.variant, if_none_match)
        if found is not None:
            return found
        base = readers.kept_shared(db, site.id, seq, ("queue", self.variant))
        if not isinstance(base, _QueueBase):
            return None
        return readers.serve(
            db, site.id, seq, self.key, self.variant, if_none_match, lambda: base.json_for(self)
        )

    def serve(
        self, db: Database, session: Session, site: Site, if_none_match: str | None
    ) -> Snapshot | NotModified:
        """The answer at the site's ``last_event_seq``, computed in ``session`` if need be."""

        def compute() -> bytes:
            # Every desk's queue holds the same tickets in its own order: the tickets are made
            # public once per site change, each desk only orders them.
            base = readers.shared(
                db,
                site.id,
                site.last_event_seq,
                ("queue", self.variant),
                lambda: _queue_base(session, site, self.include_case, self.now),
            )
            return base.json_for(self)

        seq = site.last_event_seq
        return readers.serve(db, site.id, seq, self.key, self.variant, if_none_match, compute)


@dataclass(frozen=True)
class _QueueBase:
    """What every desk's view of a site's queue shares (see :func:`get_queue`)."""

    config: SiteConfig
    queued: list[QueuedTicket]
    #: The moment of the reading's minute, the appointment settings, the latest calls.
    calling: Calling
    public: dict[int, TicketPublic]
    called: list[TicketPublic]
    serving: list[TicketPublic]
    parked: list[TicketPublic]
    counts: list[DeskCounts]

    def json_for(self, reading: QueueReading) -> bytes:
        return self.for_desk(reading.desk_code).model_dump_json().encode()

    def for_desk(self, desk_code: str | None) -> QueuePublic:
        """The queue as ``desk_code`` calls it (None: in the site's order)."""
        if desk_code is not None:
            order = draw_order(self.queued, desk_rule(self.config.desk(desk_code)), self.calling)
        else:
            order = sorted(self.queued, key=queue_key)
        return QueuePublic.model_construct(
            waiting=[self.public[q.id] for q in order],
            called=self.called,
            serving=self.serving,
            parked=self.parked,
            counts=self.counts,
        )


def _queue_base(session: Session, site: Site, include_case: bool, now: datetime) -> _QueueBase:
    view = SiteView.load(session, site)

    def public(tickets: list[Ticket]) -> list[TicketPublic]:
        return [view.public(session, t, include_case=include_case) for t in tickets]

    at_desks = view.at_desks()
    counts = []
    for service in view.services.values():
        waiting = [t for t in view.queued if t.service_id == service.id]
        longest = max((now - t.queued_at for t in waiting), default=None)
        counts.append(
            DeskCounts(
                service_id=service.id,
                prefix=service.prefix,
                waiting=len(waiting),
                longest_wait_minutes=int(longest.total_seconds() // 60) if longest else 0,
            )
        )
    return _QueueBase(
        config=view.config,
        queued=[as_queued(t) for t in view.queued],
        calling=view.calling(session, now),
        public=dict(zip((t.id for t in view.queued), public(view.queued), strict=True)),
        called=public(
            sorted(
                (t for t in at_desks if t.status == Status.CALLED),
                key=lambda t: t.called_at or t.queued_at,
            )
        ),
        serving=public([t for t in at_desks if t.status == Status.SERVING]),
        parked=public([t for t in at_desks if t.status == Status.PARKED]),
        counts=counts,
    )
