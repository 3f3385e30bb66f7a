"""The emergency call (Notruf): a clerk threatened at the desk calls colleagues, silently.

``desk.emergency`` opens a call at a desk, ``desk.emergency_response`` says who is coming,
``desk.emergency_ended`` closes it. A call has no table of its own: it *is* its events, read
back from the log (:func:`current`), so every step is logged with its actor by construction and
no migration is needed. Every desk and supervisor of the site hears of it over the live event
stream at once (``central_server.events.stream``); a device's stream (the waiting-room display)
never carries it (:data:`EMERGENCY_EVENTS`), and the display's board reads call events only.

Who may do what: only the person signed on at a desk calls from it; a person signed on at
another desk of the site answers (naming that desk), a supervisor also from no desk; the caller
or a supervisor ends it. A call open for longer than :data:`LOOKBACK` counts as over: the log is
read for that long only, walking ``ix_events_site_at`` back from now.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from central_server.auth.principal import Capability, Principal, Role, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.desks import repository
from central_server.desks.schemas import EmergencyPublic, EmergencyResponder
from central_server.errors import N_, Conflict, Forbidden, InvalidInput
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Desk, Event, Site
from central_server.models._types import utcnow
from central_server.sites import repository as sites_repo
from central_server.tickets.service import _check_desk_role
from central_server.writes import Answer, perform

CALLED, RESPONDED, ENDED = "desk.emergency", "desk.emergency_response", "desk.emergency_ended"
#: The events of an emergency call: for desks and supervisors only, never for a device.
EMERGENCY_EVENTS = frozenset({CALLED, RESPONDED, ENDED})
#: How far back the log is read for a desk's call; an older call counts as over.
LOOKBACK = timedelta(hours=24)


def calls(session: Session, site_id: int, desk_code: str | None = None) -> list[EmergencyPublic]:
    """The latest emergency call of each desk of the site (of ``desk_code`` only, if given)
    within :data:`LOOKBACK`, open or ended, in the order they were made."""
    query = select(Event).where(
        Event.site_id == site_id,
        Event.at >= utcnow() - LOOKBACK,
        Event.type.in_(EMERGENCY_EVENTS),
    )
    if desk_code is not None:
        query = query.where(Event.desk_code == desk_code)
    latest: dict[str, EmergencyPublic] = {}
    for event in session.scalars(query.order_by(Event.seq)):
        code, call = event.desk_code or "", latest.get(event.desk_code or "")
        if event.type == CALLED:
            latest.pop(code, None)  # a new call comes last
            latest[code] = EmergencyPublic(
                desk=code,
                desk_name=str(event.data.get("desk_name") or code),
                called_by=event.actor,
                called_at=event.at,
                responders=[],
                ended_at=None,
                ended_by=None,
            )
        elif call is not None and event.type == RESPONDED:
            call.responders.append(
                EmergencyResponder(
                    user=event.actor,
                    desk=event.data.get("from_desk"),
                    desk_name=event.data.get("from_desk_name"),
                    at=event.at,
                )
            )
        elif call is not None and event.type == ENDED:
            call.ended_at, call.ended_by = event.at, event.actor
    return list(latest.values())


def current(session: Session, site_id: int, desk: Desk) -> EmergencyPublic | None:
    """The desk's latest emergency call within :data:`LOOKBACK` (open or ended), or None."""
    found = calls(session, site_id, desk.code)
    return found[0] if found else None


def open_calls(db: Database, slug: str, principal: Principal) -> list[EmergencyPublic]:
    """The site's open calls: what a desk or supervisor window reads when it opens (the live
    stream tells only what happens from then on)."""
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        require(principal, Capability.OPERATE_DESK, site.id)
        return [c for c in calls(session, site.id) if c.ended_at is None]


def _open(session: Session, site_id: int, desk: Desk) -> EmergencyPublic:
    call = current(session, site_id, desk)
    if call is None or call.ended_at is not None:
        raise Conflict(
            "no_emergency", N_("There is no open emergency call at desk {desk}."), desk=desk.code
        )
    return call


def _signed_on_here(principal: Principal, desk: Desk) -> None:
    if principal.kind != "user" or desk.signed_on_user_id != principal.id:
        raise Forbidden(
            "not_signed_on_here",
            N_("Only the person signed on at desk {desk} can do this from it."),
            desk=desk.code,
        )


def _answer(session: Session, site: Site, desk: Desk) -> Answer:
    call = current(session, site.id, desk)
    assert call is not None  # just written
    return 200, call.model_dump(mode="json")


def call_for_help(
    db: Database,
    bus: EventBus,
    slug: str,
    desk_code: str,
    principal: Principal,
    request: IdempotentRequest,
) -> Answer:
    """Open an emergency call at the desk (logs ``desk.emergency``)."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.OPERATE_DESK, site_id)

    def change(session: Session, site: Site) -> Answer:
        desk = repository.desk_by_code(session, site.id, desk_code)
        _check_desk_role(principal, desk)
        _signed_on_here(principal, desk)
        call = current(session, site.id, desk)
        if call is not None and call.ended_at is None:
            raise Conflict(
                "emergency_open",
                N_("An emergency call at desk {desk} is open already."),
                desk=desk.code,
            )
        event_log.append(
            session,
            site,
            CALLED,
            actor=principal.actor,
            desk_code=desk.code,
            data={"desk_name": desk.name, "user": principal.name},
        )
        return _answer(session, site, desk)

    return perform(db, bus, site_id, principal, request, change)


def respond(
    db: Database,
    bus: EventBus,
    slug: str,
    desk_code: str,
    principal: Principal,
    from_desk_code: str | None,
    request: IdempotentRequest,
) -> Answer:
    """Say "I am coming" to the call at ``desk_code`` from ``from_desk_code`` (logs
    ``desk.emergency_response``)."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.OPERATE_DESK, site_id)
    if principal.kind != "user":
        raise Forbidden("forbidden_role", N_("Your role does not allow this."))
    if from_desk_code is None and not principal.has_role(Role.SUPERVISOR):
        raise InvalidInput("desk_required", N_("Name the desk you are coming from."))

    def change(session: Session, site: Site) -> Answer:
        desk = repository.desk_by_code(session, site.id, desk_code)
        from_desk = None
        if from_desk_code is not None:
            from_desk = repository.desk_by_code(session, site.id, from_desk_code)
            _signed_on_here(principal, from_desk)
            if from_desk.id == desk.id:
                raise Conflict("own_emergency", N_("You cannot answer your own emergency call."))
        call = _open(session, site.id, desk)
        if any(r.user == principal.actor for r in call.responders):
            raise Conflict("already_responding", N_("You are on your way already."))
        event_log.append(
            session,
            site,
            RESPONDED,
            actor=principal.actor,
            desk_code=desk.code,
            data={
                "desk_name": desk.name,
                "user": principal.name,
                "from_desk": from_desk.code if from_desk else None,
                "from_desk_name": from_desk.name if from_desk else None,
            },
        )
        return _answer(session, site, desk)

    return perform(db, bus, site_id, principal, request, change)


def end(
    db: Database,
    bus: EventBus,
    slug: str,
    desk_code: str,
    principal: Principal,
    request: IdempotentRequest,
) -> Answer:
    """Close the call at the desk: its caller or a supervisor (logs ``desk.emergency_ended``)."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.OPERATE_DESK, site_id)

    def change(session: Session, site: Site) -> Answer:
        desk = repository.desk_by_code(session, site.id, desk_code)
        call = _open(session, site.id, desk)
        if principal.actor != call.called_by and not principal.has_role(Role.SUPERVISOR):
            raise Forbidden(
                "not_the_caller",
                N_("Only the person who called for help or a supervisor can end the call."),
            )
        event_log.append(
            session,
            site,
            ENDED,
            actor=principal.actor,
            desk_code=desk.code,
            data={"desk_name": desk.name, "user": principal.name},
        )
        return _answer(session, site, desk)

    return perform(db, bus, site_id, principal, request, change)
