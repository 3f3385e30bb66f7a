"""Signing on at a desk, taking a break, signing off. A desk on a break or closed does not
count for the wait estimate, and other desks see its state live. A supervisor sets the services
a desk calls, and their order (:func:`set_services`).

A person works at one desk of a site at a time: signing on leaves any other. Only the person
signed on (or a supervisor) pauses or signs off a desk, and only while it holds no open
ticket. Every change goes through ``central_server.writes.perform``; the statements are in
``repository``."""

from __future__ import annotations

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from central_server import readers
from central_server.auth.principal import Capability, Principal, Role, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.desks import repository
from central_server.desks.schemas import DeskPublic
from central_server.errors import N_, Conflict, InvalidInput
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Desk, DeskService, Site
from central_server.queue_rules import format_number
from central_server.readers import NotModified, Snapshot
from central_server.sites import repository as sites_repo
from central_server.sites.config import site_config
from central_server.tickets import repository as tickets_repo
from central_server.tickets import service as tickets_service
from central_server.tickets.service import _check_desk_role, _ensure_desk_free
from central_server.tickets.view import SiteView
from central_server.writes import Answer, perform


def _public(session: Session, desk: Desk) -> DeskPublic:
    open_ticket = tickets_repo.open_ticket_at_desk(session, desk.id)
    return DeskPublic(
        code=desk.code,
        name=desk.name,
        kind=desk.kind,
        state=desk.state,
        signed_on_user=repository.username(session, desk.signed_on_user_id),
        service_ids=[link.service_id for link in desk.services],
        current_ticket=format_number(open_ticket.prefix, open_ticket.number)
        if open_ticket
        else None,
    )


_DESK_LIST = TypeAdapter(list[DeskPublic])


def list_desks(
    db: Database, slug: str, principal: Principal, if_none_match: str | None = None
) -> Snapshot | NotModified:
    """The site's desks as ready JSON, shared by every reader of the same site change
    (``central_server.readers``); the same for everybody who may read the queue. Only the
    first reader of a change in this process opens a read transaction."""
    with db.quick_read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        require(principal, Capability.READ_QUEUE, site.id)
        found = readers.kept(db, site.id, site.last_event_seq, "desks", "", if_none_match)
        if found is not None:
            return found
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        return _desks_snapshot(db, session, site, if_none_match)


def _desks_snapshot(
    db: Database, session: Session, site: Site, if_none_match: str | None
) -> Snapshot | NotModified:
    def compute() -> bytes:
        return _DESK_LIST.dump_json(_desk_list(session, site))

    return readers.serve(db, site.id, site.last_event_seq, "desks", "", if_none_match, compute)


def desk_view(
    db: Database,
    slug: str,
    desk_code: str,
    principal: Principal,
    if_none_match: str | None = None,
) -> Snapshot | NotModified:
    """What a clerk's desk shows, in one answer: the desk's queue (as ``GET queue?desk=``) and
    the site's desks (as ``GET desks``), both of the same site change.

    A desk reads both after every event of its site; one request instead of two halves what
    a city's server does for its desks (bench/README.md "Issue 12, continued"). The two parts
    are the snapshots the separate reads serve, joined, so nothing is computed twice; only the
    first reader of a change in this process opens a read transaction."""
    reading = tickets_service.QueueReading.of(principal, desk_code)
    key, variant = ("view", desk_code), "v" + reading.variant
    with db.quick_read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        require(principal, Capability.READ_QUEUE, site.id)
        site_config(session, site).desk(desk_code)  # 404 for an unknown desk
        seq = site.last_event_seq
        found = readers.kept(db, site.id, seq, key, variant, if_none_match)
        if found is not None:
            return found
        queue = reading.without_transaction(db, site, None)
        desks = readers.kept(db, site.id, seq, "desks", "", None)
        if isinstance(queue, Snapshot) and isinstance(desks, Snapshot):
            parts = (queue, desks)
            return readers.serve(
                db, site.id, seq, key, variant, if_none_match, lambda: _joined(*parts)
            )
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        queue = reading.serve(db, session, site, None)
        desks = _desks_snapshot(db, session, site, None)
        assert isinstance(queue, Snapshot) and isinstance(desks, Snapshot)  # no tag was sent
        parts = (queue, desks)
        return readers.serve(
            db,
            site.id,
            site.last_event_seq,
            key,
            variant,
            if_none_match,
            lambda: _joined(*parts),
        )


def _joined(queue: Snapshot, desks: Snapshot) -> bytes:
    return b'{"queue":' + queue.body + b',"desks":' + desks.body + b"}"


def _desk_list(session: Session, site: Site) -> list[DeskPublic]:
    """Every desk of the site in code order, in three queries whatever their number."""
    view = SiteView.load(session, site)
    names = repository.usernames(
        session, {d.signed_on_user_id for d in view.desks.values() if d.signed_on_user_id}
    )
    desks = []
    for desk in view.desks.values():
        open_ticket = view.open_at_desk(desk.id)
        desks.append(
            DeskPublic(
                code=desk.code,
                name=desk.name,
                kind=desk.kind,
                state=desk.state,
                signed_on_user=names.get(desk.signed_on_user_id)
                if desk.signed_on_user_id
                else None,
                service_ids=list(desk.service_ids),
                current_ticket=format_number(open_ticket.prefix, open_ticket.number)
                if open_ticket
                else None,
            )
        )
    return desks


def _user_only(principal: Principal) -> None:
    if principal.kind != "user":
        raise InvalidInput("user_required", N_("Only a signed-in person can do this."))


def sign_on(
    db: Database, bus: EventBus, slug: str, desk_code: str, principal: Principal, force: bool
) -> Answer:
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.OPERATE_DESK, site_id)
    _user_only(principal)

    def change(session: Session, site: Site) -> Answer:
        desk = repository.desk_by_code(session, site.id, desk_code)
        _check_desk_role(principal, desk)
        holder = desk.signed_on_user_id
        taken_from = (
            repository.username(session, holder) if holder not in (None, principal.id) else None
        )
        if taken_from is not None and not force:
            raise Conflict(
                "desk_taken",
                N_("{user} is signed on at desk {desk}. Sign on anyway to take the desk over."),
                user=taken_from,
                desk=desk.code,
            )
        # A person works at one desk at a time: leave any other desk of this site.
        for other in repository.other_desks_of(session, site.id, principal.id, desk.id):
            other.state, other.signed_on_user_id = "closed", None
            event_log.append(
                session, site, "desk.signed_off", actor=principal.actor, desk_code=other.code
            )
        desk.state, desk.signed_on_user_id = "open", principal.id
        event_log.append(
            session,
            site,
            "desk.signed_on",
            actor=principal.actor,
            desk_code=desk.code,
            # A take-over names whom it displaced: their window stops acting for the desk at
            # once, and the log shows who took the desk from whom.
            data={"user": principal.name, **({"taken_from": taken_from} if taken_from else {})},
        )
        return 200, _public(session, desk).model_dump(mode="json")

    return perform(db, bus, site_id, principal, None, change)


def set_state(
    db: Database, bus: EventBus, slug: str, desk_code: str, principal: Principal, state: str
) -> Answer:
    """Pause (``paused``) or sign off (``closed``); the desk must hold no called ticket."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.OPERATE_DESK, site_id)

    def change(session: Session, site: Site) -> Answer:
        desk = repository.desk_by_code(session, site.id, desk_code)
        _check_desk_role(principal, desk)
        if desk.signed_on_user_id not in (None, principal.id) and not principal.has_role(
            Role.SUPERVISOR
        ):
            raise Conflict(
                "desk_taken_by_other",
                N_("Somebody else is signed on at desk {desk}."),
                desk=desk.code,
            )
        _ensure_desk_free(SiteView.load(session, site), desk)
        desk.state = state
        if state == "closed":
            desk.signed_on_user_id = None
        event_log.append(
            session,
            site,
            "desk.signed_off" if state == "closed" else "desk.paused",
            actor=principal.actor,
            desk_code=desk.code,
        )
        return 200, _public(session, desk).model_dump(mode="json")

    return perform(db, bus, site_id, principal, None, change)


def set_services(
    db: Database,
    bus: EventBus,
    slug: str,
    desk_code: str,
    principal: Principal,
    service_ids: list[int],
    request: IdempotentRequest,
) -> Answer:
    """The desk calls ``service_ids`` from now on, in this order among equals (supervisor).

    Logs ``desk.services_changed`` with the actor, the services before and after; the same
    services in the same order again change and log nothing. The change bumps the site's
    ``config_version`` (``central_server.models.sites``), so every server process calls by it
    at once, and the event makes every desk read its queue again. Until the site file is
    applied again: ``tresen admin apply`` sets a desk's services as the file says."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.STEER, site_id)
    if len(set(service_ids)) != len(service_ids):
        raise InvalidInput("services_repeated", N_("A service is named twice."))

    def change(session: Session, site: Site) -> Answer:
        config = site_config(session, site)
        desk = repository.desk_by_code(session, site.id, desk_code)
        for service_id in service_ids:
            if not config.service(service_id).active:  # 404 for a service of no site here
                raise Conflict("service_inactive", N_("This service is not offered at the moment."))
        before = [link.service_id for link in desk.services]
        if before != service_ids:
            desk.services.clear()
            session.flush()
            desk.services.extend(
                DeskService(service_id=sid, position=i) for i, sid in enumerate(service_ids)
            )
            session.flush()
            event_log.append(
                session,
                site,
                "desk.services_changed",
                actor=principal.actor,
                desk_code=desk.code,
                data={"services": service_ids, "before": before},
            )
        return 200, _public(session, desk).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)
