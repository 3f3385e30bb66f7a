"""The pickup lifecycle: order, mark ready, check in at the kiosk, look up, hand over, cancel,
and erasing personal data after a while. Permissions are checked here; every change goes
through ``central_server.writes.perform`` and is one event in the site's log, the hourly jobs'
too (expiry and erasing: one ``perform`` per site, with no principal).

Statuses::

    ordered ──ready(slot)──▶ ready ──hand-over (receipt + ID check)──▶ handed_over
       │                     │  ├─ ready(slot) again: the document moved to another slot
       │                     │  ├─ check-in at the kiosk: a ticket of service P; stays ready
    │                     │  └─ hand-over without the receipt (lost): ID check and a reason
    ├─ re-issue the receipt (ordered or ready): a new token, the old one void but recognised
       └──────cancel─────────┴──▶ cancelled
                             └─ not collected within ``pickup_collect_days`` of becoming ready
                                (:func:`expire_uncollected`, every hour) ──▶ expired

The log never holds the holder's name, the case reference, the document detail or the
receipt's token: personal data stays in the ``pickups`` row and is erased ``pickup_purge_days``
after the pickup closed (:func:`purge_personal_data`); the row and its status stay.

Every endpoint that takes a receipt's token normalises it as people type it (case, spaces and
dashes do not matter; see ``central_server.pickups.receipts``). A receipt's token says how it is
wrong, and a wrong one changes nothing:

* unknown, or of a site the caller does not work at: 404 ``pickup_unknown``;
* replaced by a new receipt (re-issued): 409 ``pickup_receipt_replaced`` (when);
* of another pickup than the one being handed over: 422 ``pickup_token_mismatch``;
* already used: 409 ``pickup_already_handed_over`` (when, and at the desk by whom);
* not ready yet: 409 ``pickup_not_ready`` (with ``expected_ready_on``, the day the document is
  expected, or null); cancelled: 409 ``pickup_cancelled``;
  expired: 409 ``pickup_expired``; checked in already: 409 ``pickup_already_checked_in``.

Unknown and mismatching tokens count as wrong scans (see ``central_server.pickups.scans``).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from central_server.auth import tokens
from central_server.auth.principal import Capability, Principal, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Pickup, ReplacedReceipt, Site, Ticket
from central_server.models._types import utcnow
from central_server.pickups import receipts, repository
from central_server.pickups.scans import WINDOW_SECONDS, ScanGuard
from central_server.pickups.schemas import (
    SEARCH_LIMIT,
    CheckInRequest,
    HandOverRequest,
    MissingReceiptRequest,
    PickupCreate,
    PickupCreated,
    PickupPublic,
    PickupSearch,
    PickupSearchAnswer,
    PickupStatus,
    ReadyRequest,
    TokenRequest,
)
from central_server.queue_rules import FINAL, Priority, Status
from central_server.sites import repository as sites_repo
from central_server.tickets import repository as tickets_repo
from central_server.tickets import service as tickets_service
from central_server.writes import Answer, perform

log = logging.getLogger("tresen.pickups")

#: The prefix of the service whose ticket a pickup's check-in draws.
PICKUP_PREFIX = "P"
#: The statuses in which a pickup still waits for its holder.
OPEN = frozenset({PickupStatus.ORDERED, PickupStatus.READY})
#: How long after a check-in at the kiosk a pickup is not expired: its holder may be waiting.
CHECKED_IN_GRACE = timedelta(days=1)


def new_receipt_token() -> str:
    """A receipt's token: 160 random bits, base32, 32 characters (see ``receipts``)."""
    return receipts.new_token()


# What the API and the log show ---------------------------------------------------------------


def _summary(pickup: Pickup) -> dict[str, object]:
    """What the event log keeps of a pickup: never the name, the case reference or the token."""
    return {
        "id": pickup.id,
        "status": pickup.status,
        "document_kind": pickup.document_kind,
        "slot": pickup.slot,
        "ticket_id": pickup.ticket_id,
        "checkin_ticket_id": pickup.checkin_ticket_id,
    }


def _public(session: Session, pickup: Pickup, site_slug: str) -> PickupPublic:
    status = PickupStatus(pickup.status)
    handed_over = status == PickupStatus.HANDED_OVER
    cancelled = status == PickupStatus.CANCELLED
    expired = status == PickupStatus.EXPIRED
    return PickupPublic(
        id=pickup.id,
        site=site_slug,
        status=status,
        document_kind=pickup.document_kind,
        document_detail=pickup.document_detail,
        case_reference=pickup.case_reference,
        holder_name=pickup.holder_name,
        slot=pickup.slot,
        expected_ready_on=pickup.expected_ready_on,
        ticket_id=pickup.ticket_id,
        created_at=pickup.created_at,
        created_by=pickup.created_by,
        ready_at=pickup.ready_at,
        ready_by=pickup.ready_by,
        checked_in_at=pickup.checked_in_at,
        checkin_ticket_id=pickup.checkin_ticket_id,
        checkin_ticket_number=repository.ticket_number(session, pickup.checkin_ticket_id),
        handed_over_at=pickup.closed_at if handed_over else None,
        handed_over_by=pickup.closed_by if handed_over else None,
        cancelled_at=pickup.closed_at if cancelled else None,
        cancelled_by=pickup.closed_by if cancelled else None,
        expired_at=pickup.closed_at if expired else None,
        purged=pickup.purged_at is not None,
    )


def _when(site: Site, moment: datetime | None) -> str:
    """A moment as people at the site read it: 24.11.2026 14:05."""
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(site.timezone)).strftime("%d.%m.%Y %H:%M")


def _day(day: date) -> str:
    """A day as people at the site read it: 24.11.2026."""
    return day.strftime("%d.%m.%Y")


def _today(site: Site) -> date:
    return utcnow().astimezone(ZoneInfo(site.timezone)).date()


def _refuse_unless(
    pickup: Pickup, site: Site, allowed: frozenset[PickupStatus], *, at_desk: bool = True
) -> None:
    """Refuse (409) unless the pickup's status is one of ``allowed``, saying why.

    The kiosk (``at_desk=False``) is not told which member of staff handed a document over.
    """
    status = PickupStatus(pickup.status)
    if status in allowed:
        return
    closed = {
        "pickup": pickup.id,
        "at": _when(site, pickup.closed_at),
        "closed_at": pickup.closed_at.isoformat() if pickup.closed_at else "",
    }
    if status == PickupStatus.HANDED_OVER:
        if at_desk:
            raise Conflict(
                "pickup_already_handed_over",
                N_("This document was handed over already, on {at} by {by}."),
                by=pickup.closed_by or "—",
                **closed,
            )
        raise Conflict(
            "pickup_already_handed_over",
            N_("This document was handed over already, on {at}."),
            **closed,
        )
    if status == PickupStatus.CANCELLED:
        raise Conflict(
            "pickup_cancelled",
            N_("This pickup was cancelled on {at}; the document is not handed out."),
            **closed,
        )
    if status == PickupStatus.EXPIRED:
        raise Conflict(
            "pickup_expired",
            N_(
                "The time to collect this document ended on {at}. Please ask at the "
                "information desk."
            ),
            **closed,
        )
    # Every action allows READY, so what is left is ORDERED.
    assert status == PickupStatus.ORDERED, (status, allowed)
    expected = pickup.expected_ready_on
    not_ready = {
        "pickup": pickup.id,
        "status": status.value,
        "expected_ready_on": expected.isoformat() if expected else None,
    }
    if expected is None:
        raise Conflict(
            "pickup_not_ready",
            N_("The document is not ready yet: it has been ordered but has not arrived."),
            **not_ready,
        )
    raise Conflict(
        "pickup_not_ready",
        N_(
            "The document is not ready yet: it has been ordered but has not arrived. It is "
            "expected from {date}."
        ),
        date=_day(expected),
        **not_ready,
    )


def _unknown_receipt() -> NotFound:
    return NotFound(
        "pickup_unknown",
        N_("This pickup receipt is not known here. Please check that it is the right receipt."),
    )


def _replaced_receipt(site: Site, replaced: ReplacedReceipt) -> Conflict:
    return Conflict(
        "pickup_receipt_replaced",
        N_(
            "This receipt was replaced by a new one on {at} and is no longer valid. Please use "
            "the new receipt."
        ),
        at=_when(site, replaced.replaced_at),
        replaced_at=replaced.replaced_at.isoformat(),
    )


def _refuse_unknown(
    session: Session, digests: Sequence[str], site_ids: Iterable[int] | Principal
) -> None:
    """Refuse (409) a receipt that was replaced by a new one at one of ``site_ids`` (or a site
    where the principal works): it is not a wrong scan, the citizen holds the old one. Returns
    when it is not such a receipt."""
    replaced = repository.replaced_receipt(session, digests)
    if replaced is None:
        return
    pickup = session.get_one(Pickup, replaced.pickup_id)
    here = (
        site_ids.works_at(pickup.site_id)
        if isinstance(site_ids, Principal)
        else pickup.site_id in set(site_ids)
    )
    if here:
        raise _replaced_receipt(session.get_one(Site, pickup.site_id), replaced)


def _require_capability(principal: Principal, capability: Capability) -> None:
    """``require`` for requests that name no site: the site is checked once it is known."""
    if not principal.can(capability):
        raise Forbidden(
            "forbidden_role", N_("Your role does not allow this."), capability=capability.value
        )


def _receipt_of(pickup: Pickup, digests: Sequence[str]) -> bool:
    """Whether a receipt whose token has these ``receipts.digests`` is ``pickup``'s."""
    return any(hmac.compare_digest(pickup.token_hash, digest) for digest in digests)


def _pickup_site_id(db: Database, pickup_id: int) -> int:
    with db.read_session() as session:
        return repository.pickup_by_id(session, pickup_id).site_id


# Wrong scans ---------------------------------------------------------------------------------


def wrong_scan(
    db: Database, bus: EventBus, guard: ScanGuard, principal: Principal, site_ids: Iterable[int]
) -> None:
    """Count a wrong receipt (or a wrong appointment code: the same limit); at the limit, warn
    in the server log and in the sites' logs."""
    if not guard.wrong(principal):
        return
    log.warning(
        "%s (%s) scanned %d unknown or wrong receipts or appointment codes within %d seconds",
        principal.actor,
        principal.key,
        guard.limit,
        WINDOW_SECONDS,
    )

    def report(session: Session, site: Site) -> Answer:
        event_log.append(
            session,
            site,
            "pickup.wrong_scans",
            actor=principal.actor,
            data={"count": guard.limit, "window_seconds": WINDOW_SECONDS},
        )
        return 200, None

    for site_id in sorted(set(site_ids)):
        try:
            perform(db, bus, site_id, principal, None, report)
        except Exception:  # the caller's answer (404) matters more than the report
            log.exception("could not log the wrong pickup scans at site %s", site_id)


# Staff at the counter and in the back office -------------------------------------------------


def create_pickup(
    db: Database,
    bus: EventBus,
    slug: str,
    principal: Principal,
    body: PickupCreate,
    request: IdempotentRequest,
    ready_page: str,
) -> Answer:
    """Order a document; the answer carries the receipt's token, this once.

    The token is never stored, not even in the answer remembered for an ``Idempotency-Key``: a
    retry with the same key (whose first answer was lost) gets the same pickup with a new token,
    and the first token stops working.
    """
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.ORDER_PICKUP, site_id)
    made: list[str] = []

    def change(session: Session, site: Site) -> Answer:
        today = _today(site)
        if body.expected_ready_on is not None and body.expected_ready_on < today:
            raise InvalidInput(
                "expected_ready_on_past",
                N_("The day the document is expected ({date}) must not be in the past."),
                date=_day(body.expected_ready_on),
                expected_ready_on=body.expected_ready_on.isoformat(),
                today=today.isoformat(),
            )
        if body.ticket_id is not None:
            ticket = tickets_repo.ticket_by_id(session, body.ticket_id)
            if ticket.site_id != site.id:
                raise NotFound(
                    "ticket_not_found", N_("There is no ticket {ticket}."), ticket=body.ticket_id
                )
        token = new_receipt_token()
        pickup = Pickup(
            site_id=site.id,
            ticket_id=body.ticket_id,
            token_hash=tokens.digest(token),
            document_kind=body.document_kind.value,
            document_detail=body.document_detail,
            case_reference=body.case_reference,
            holder_name=body.holder_name,
            expected_ready_on=body.expected_ready_on,
            status=PickupStatus.ORDERED.value,
            created_at=utcnow(),
            created_by=principal.actor,
        )
        session.add(pickup)
        session.flush()
        event_log.append(
            session,
            site,
            "pickup.ordered",
            actor=principal.actor,
            ticket_id=body.ticket_id,
            data={"pickup": _summary(pickup)},
        )
        made.append(token)
        return 201, _public(session, pickup, site.slug).model_dump(mode="json")

    status, answer = perform(db, bus, site_id, principal, request, change)
    token = made[0] if made else _reissue_receipt(db, bus, site_id, principal, answer["id"])
    created = PickupCreated(**answer, token=token, ready_page=ready_page)
    return status, created.model_dump(mode="json")


def _replace_token(session: Session, pickup: Pickup, token: str) -> None:
    """Give ``pickup`` a receipt with ``token``; its old receipt is void but recognised."""
    session.add(ReplacedReceipt(pickup_id=pickup.id, token_hash=pickup.token_hash))
    pickup.token_hash = tokens.digest(token)


def _reissue_receipt(
    db: Database, bus: EventBus, site_id: int, principal: Principal, pickup_id: int
) -> str:
    token = new_receipt_token()

    def change(session: Session, site: Site) -> Answer:
        pickup = repository.pickup_by_id(session, pickup_id)
        _refuse_unless(pickup, site, OPEN)
        # The first token's answer was lost: nobody holds it, so it is not kept as replaced.
        pickup.token_hash = tokens.digest(token)
        event_log.append(
            session,
            site,
            "pickup.receipt_reissued",
            actor=principal.actor,
            data={"pickup": _summary(pickup)},
        )
        return 200, None

    perform(db, bus, site_id, principal, None, change)
    return token


PickupChange = Callable[[Session, Site, Pickup], tuple[str, dict[str, object]]]


def _act(
    db: Database,
    bus: EventBus,
    pickup_id: int,
    principal: Principal,
    request: IdempotentRequest,
    change: PickupChange,
) -> Answer:
    site_id = _pickup_site_id(db, pickup_id)
    require(principal, Capability.ORDER_PICKUP, site_id)

    def run(session: Session, site: Site) -> Answer:
        pickup = repository.pickup_by_id(session, pickup_id)
        event_type, extra = change(session, site, pickup)
        event_log.append(
            session,
            site,
            event_type,
            actor=principal.actor,
            data={"pickup": _summary(pickup), **extra},
        )
        return 200, _public(session, pickup, site.slug).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, run)


def mark_ready(
    db: Database,
    bus: EventBus,
    pickup_id: int,
    principal: Principal,
    body: ReadyRequest,
    request: IdempotentRequest,
) -> Answer:
    """The document has arrived and lies in ``slot``; for a ready one, it moved there."""

    def change(session: Session, site: Site, pickup: Pickup) -> tuple[str, dict[str, object]]:
        _refuse_unless(pickup, site, OPEN)
        moved_from = pickup.slot if pickup.status == PickupStatus.READY else None
        pickup.slot = body.slot
        if pickup.status == PickupStatus.ORDERED:
            pickup.status = PickupStatus.READY.value
            pickup.ready_at = utcnow()
            pickup.ready_by = principal.actor
        if moved_from is not None:
            return "pickup.moved", {"from_slot": moved_from}
        return "pickup.ready", {}

    return _act(db, bus, pickup_id, principal, request, change)


def cancel(
    db: Database, bus: EventBus, pickup_id: int, principal: Principal, request: IdempotentRequest
) -> Answer:
    def change(session: Session, site: Site, pickup: Pickup) -> tuple[str, dict[str, object]]:
        _refuse_unless(pickup, site, OPEN)
        pickup.status = PickupStatus.CANCELLED.value
        pickup.closed_at = utcnow()
        pickup.closed_by = principal.actor
        return "pickup.cancelled", {}

    return _act(db, bus, pickup_id, principal, request, change)


def get_pickup(db: Database, pickup_id: int, principal: Principal) -> PickupPublic:
    with db.read_session() as session:
        pickup = repository.pickup_by_id(session, pickup_id)
        require(principal, Capability.READ_PICKUPS, pickup.site_id)
        site = session.get_one(Site, pickup.site_id)
        return _public(session, pickup, site.slug)


def list_pickups(
    db: Database,
    slug: str,
    principal: Principal,
    status: PickupStatus | None,
    limit: int,
    checkin_ticket: int | None = None,
) -> list[PickupPublic]:
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        require(principal, Capability.READ_PICKUPS, site.id)
        if checkin_ticket is not None:
            # The pickup desk's called P ticket: its document and slot, before the scan.
            found = repository.pickup_by_checkin_ticket(session, checkin_ticket)
            if found is None or found.site_id != site.id:
                return []
            return [_public(session, found, site.slug)]
        return [
            _public(session, p, site.slug)
            for p in repository.pickups_at(session, site.id, status, limit)
        ]


# The quick-pickup desk -----------------------------------------------------------------------


def lookup(
    db: Database, bus: EventBus, guard: ScanGuard, principal: Principal, body: TokenRequest
) -> PickupPublic:
    """The pickup of a scanned receipt, at a site where the caller works."""
    _require_capability(principal, Capability.HAND_OVER)
    guard.check(principal)
    with db.read_session() as session:
        pickup = repository.pickup_by_token_digests(session, receipts.digests(body.token))
        if pickup is not None and principal.works_at(pickup.site_id):
            site = session.get_one(Site, pickup.site_id)
            return _public(session, pickup, site.slug)
        if pickup is None:
            _refuse_unknown(session, receipts.digests(body.token), principal)
    wrong_scan(db, bus, guard, principal, principal.site_ids or ())
    raise _unknown_receipt()


def hand_over(
    db: Database,
    bus: EventBus,
    guard: ScanGuard,
    pickup_id: int,
    principal: Principal,
    body: HandOverRequest,
    request: IdempotentRequest,
) -> Answer:
    """Hand the document over, once: the receipt must be this pickup's and the ID checked."""
    _require_capability(principal, Capability.HAND_OVER)
    if not body.id_checked:
        raise InvalidInput(
            "id_check_required", N_("Please check the holder's ID before handing over.")
        )
    guard.check(principal)
    digests = receipts.digests(body.token)
    with db.read_session() as session:
        pickup = session.get(Pickup, pickup_id)
        if pickup is None or not principal.works_at(pickup.site_id):
            raise NotFound("pickup_not_found", N_("There is no pickup {pickup}."), pickup=pickup_id)
        site_id = pickup.site_id
        matches = _receipt_of(pickup, digests)
        other = None if matches else repository.pickup_by_token_digests(session, digests)
        if not matches and other is None:
            _refuse_unknown(session, digests, {site_id})
    if not matches:
        wrong_scan(db, bus, guard, principal, {site_id})
        if other is not None and principal.works_at(other.site_id):
            raise InvalidInput(
                "pickup_token_mismatch",
                N_("This receipt belongs to another pickup, not to pickup {pickup}."),
                pickup=pickup_id,
            )
        raise _unknown_receipt()

    def change(session: Session, site: Site) -> Answer:
        pickup = repository.pickup_by_id(session, pickup_id)
        if not _receipt_of(pickup, digests):  # reissued meanwhile
            _refuse_unknown(session, digests, {site.id})
            raise _unknown_receipt()
        _refuse_unless(pickup, site, frozenset({PickupStatus.READY}))
        pickup.status = PickupStatus.HANDED_OVER.value
        pickup.closed_at = utcnow()
        pickup.closed_by = principal.actor
        event_log.append(
            session,
            site,
            "pickup.handed_over",
            actor=principal.actor,
            ticket_id=pickup.checkin_ticket_id,
            data={"pickup": _summary(pickup), "id_checked": True},
        )
        return 200, _public(session, pickup, site.slug).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


# A lost receipt ------------------------------------------------------------------------------


def search(
    db: Database, bus: EventBus, slug: str, principal: Principal, body: PickupSearch
) -> PickupSearchAnswer:
    """The site's pickups by case reference or holder's name, for a citizen without receipt.

    At most ``SEARCH_LIMIT`` (newest first; ``more`` says there are more): the desk finds one
    holder, it does not browse the register. Every search is one ``pickup.searched`` event
    with who searched and how many were found, never the text searched for.
    """
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.HAND_OVER, site_id)

    def change(session: Session, site: Site) -> Answer:
        found = repository.search(session, site.id, body.query, SEARCH_LIMIT + 1)
        listed = found[:SEARCH_LIMIT]
        event_log.append(
            session,
            site,
            "pickup.searched",
            actor=principal.actor,
            data={"found": len(listed), "more": len(found) > SEARCH_LIMIT},
        )
        answer = PickupSearchAnswer(
            pickups=[_public(session, p, site.slug) for p in listed],
            more=len(found) > SEARCH_LIMIT,
        )
        return 200, answer.model_dump(mode="json")

    return PickupSearchAnswer.model_validate(perform(db, bus, site_id, principal, None, change)[1])


def _id_checked(body: MissingReceiptRequest) -> None:
    if not body.id_checked:
        raise InvalidInput(
            "id_check_required", N_("Please check the holder's ID before handing over.")
        )


def _site_of_pickup(db: Database, pickup_id: int, principal: Principal) -> int:
    """The pickup's site, if the caller may hand documents over there (else 404 or 403)."""
    _require_capability(principal, Capability.HAND_OVER)
    with db.read_session() as session:
        pickup = session.get(Pickup, pickup_id)
        if pickup is None or not principal.works_at(pickup.site_id):
            raise NotFound("pickup_not_found", N_("There is no pickup {pickup}."), pickup=pickup_id)
        return pickup.site_id


def hand_over_without_receipt(
    db: Database,
    bus: EventBus,
    pickup_id: int,
    principal: Principal,
    body: MissingReceiptRequest,
    request: IdempotentRequest,
) -> Answer:
    """Hand a ready document over to a holder who has no receipt, after the ID check.

    The ``pickup.handed_over`` event says so (``without_receipt``) and why (``reason``); the
    receipt, should it turn up, is then used like any receipt of a handed-over document.
    """
    _id_checked(body)
    site_id = _site_of_pickup(db, pickup_id, principal)

    def change(session: Session, site: Site) -> Answer:
        pickup = repository.pickup_by_id(session, pickup_id)
        _refuse_unless(pickup, site, frozenset({PickupStatus.READY}))
        pickup.status = PickupStatus.HANDED_OVER.value
        pickup.closed_at = utcnow()
        pickup.closed_by = principal.actor
        event_log.append(
            session,
            site,
            "pickup.handed_over",
            actor=principal.actor,
            ticket_id=pickup.checkin_ticket_id,
            data={
                "pickup": _summary(pickup),
                "id_checked": True,
                "without_receipt": True,
                "reason": body.reason.value,
            },
        )
        return 200, _public(session, pickup, site.slug).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


def reissue(
    db: Database,
    bus: EventBus,
    pickup_id: int,
    principal: Principal,
    body: MissingReceiptRequest,
    ready_page: str,
) -> Answer:
    """A new receipt for an open pickup (ordered or ready) whose holder lost theirs, after the
    ID check: the answer carries the new token, this once; the old receipt is void, and a scan
    of it answers ``pickup_receipt_replaced``.

    No Idempotency-Key: the token is never stored, and pressing again after a lost answer
    simply makes another receipt (the one printed last is the one that works).
    """
    _id_checked(body)
    site_id = _site_of_pickup(db, pickup_id, principal)
    token = new_receipt_token()

    def change(session: Session, site: Site) -> Answer:
        pickup = repository.pickup_by_id(session, pickup_id)
        _refuse_unless(pickup, site, OPEN)
        _replace_token(session, pickup, token)
        event_log.append(
            session,
            site,
            "pickup.receipt_reissued",
            actor=principal.actor,
            data={"pickup": _summary(pickup), "reason": body.reason.value},
        )
        return 200, _public(session, pickup, site.slug).model_dump(mode="json")

    status, answer = perform(db, bus, site_id, principal, None, change)
    created = PickupCreated(**answer, token=token, ready_page=ready_page)
    return status, created.model_dump(mode="json")


# The kiosk -----------------------------------------------------------------------------------


def check_in(
    db: Database,
    bus: EventBus,
    guard: ScanGuard,
    slug: str,
    principal: Principal,
    body: CheckInRequest,
    request: IdempotentRequest,
) -> Answer:
    """The citizen scanned a receipt of a ready pickup: draw a ticket of service P.

    The answer is the ticket (as for any new ticket), never the pickup's personal data. While
    that ticket is open, another check-in is refused with its number; once it is closed (say,
    the citizen missed the call), checking in again draws a new one.
    """
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.CHECK_IN, site_id)
    guard.check(principal)
    digests = receipts.digests(body.token)
    with db.read_session() as session:
        found = repository.pickup_by_token_digests(session, digests)
        pickup_id = found.id if found is not None and found.site_id == site_id else None
        if found is None:
            _refuse_unknown(session, digests, {site_id})
    if pickup_id is None:
        wrong_scan(db, bus, guard, principal, {site_id})
        raise _unknown_receipt()

    def change(session: Session, site: Site) -> Answer:
        pickup = repository.pickup_by_id(session, pickup_id)
        if not _receipt_of(pickup, digests):  # reissued meanwhile
            _refuse_unknown(session, digests, {site.id})
            raise _unknown_receipt()
        _refuse_unless(pickup, site, frozenset({PickupStatus.READY}), at_desk=False)
        earlier = (
            session.get(Ticket, pickup.checkin_ticket_id) if pickup.checkin_ticket_id else None
        )
        if earlier is not None and Status(earlier.status) not in FINAL:
            raise Conflict(
                "pickup_already_checked_in",
                N_("You have checked in already. Your number is {number}."),
                number=earlier.display_number,
                ticket=earlier.id,
            )
        service = repository.service_by_prefix(session, site.id, PICKUP_PREFIX)
        if service is None:
            raise Conflict(
                "pickup_service_missing",
                N_(
                    "Documents are not handed out at this site. Please ask at the information desk."
                ),
            )
        ticket, view = tickets_service.create_ticket_in_session(
            session, site, service, principal, priority=Priority.NORMAL, language=body.language
        )
        pickup.checked_in_at = ticket.created_at
        pickup.checkin_ticket_id = ticket.id
        event_log.append(
            session,
            site,
            "pickup.checked_in",
            actor=principal.actor,
            ticket_id=ticket.id,
            data={"pickup": _summary(pickup)},
        )
        return 201, view.created(session, ticket).model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


# The public "Ready yet?" page ------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptState:
    """What the public page ``/p`` says about a receipt: dates and the status, nothing else
    (never the name, the case reference or the document)."""

    #: A pickup status, or ``replaced`` for a receipt replaced by a new one.
    status: str
    timezone: str
    ordered_at: datetime
    expected_ready_on: date | None
    ready_at: datetime | None
    closed_at: datetime | None
    replaced_at: datetime | None = None


def receipt_state(db: Database, typed: str) -> ReceiptState | None:
    """The state of the pickup of the receipt with this code, as typed; None if unknown."""
    digests = receipts.digests(typed)
    with db.read_session() as session:
        pickup = repository.pickup_by_token_digests(session, digests)
        replaced = None
        if pickup is None:
            replaced = repository.replaced_receipt(session, digests)
            if replaced is None:
                return None
            pickup = session.get_one(Pickup, replaced.pickup_id)
        site = session.get_one(Site, pickup.site_id)
        return ReceiptState(
            status="replaced" if replaced is not None else pickup.status,
            timezone=site.timezone,
            ordered_at=pickup.created_at,
            expected_ready_on=pickup.expected_ready_on,
            ready_at=pickup.ready_at,
            closed_at=pickup.closed_at,
            replaced_at=replaced.replaced_at if replaced is not None else None,
        )


# Data protection -----------------------------------------------------------------------------


def purge_personal_data(
    db: Database, days: int, *, actor: str = "system", bus: EventBus | None = None
) -> int:
    """Erase name, case reference and detail of pickups closed more than ``days`` days ago.

    The rows stay with their status and times, for the statistics; each site's log gets one
    ``pickup.purged`` event with the number erased. Returns how many pickups were purged.
    """
    closed_before = utcnow() - timedelta(days=days)
    with db.read_session() as session:
        site_ids = repository.sites_with_purgeable(session, closed_before)

    def purge(session: Session, site: Site) -> Answer:
        due = repository.purgeable_at(session, site.id, closed_before)
        now = utcnow()
        for pickup in due:
            pickup.holder_name = ""
            pickup.case_reference = ""
            pickup.document_detail = ""
            pickup.purged_at = now
        if due:
            event_log.append(
                session,
                site,
                "pickup.purged",
                actor=actor,
                data={"count": len(due), "closed_days_ago": days},
            )
        return 200, len(due)

    total = sum(perform(db, bus, site_id, None, None, purge)[1] for site_id in site_ids)
    if total:
        log.info("personal data of %d closed pickups erased (closed over %d days ago)", total, days)
    return total


# Expiry --------------------------------------------------------------------------------------


def expire_uncollected(
    db: Database, days: int, *, actor: str = "system", bus: EventBus | None = None
) -> int:
    """Expire the ready pickups not collected within ``days`` days of becoming ready.

    Each one becomes ``expired`` (closed now, by ``actor``) with one ``pickup.expired`` event
    in its site's log; its personal data is purged ``pickup_purge_days`` later like that of any
    closed pickup. A pickup checked in at the kiosk within the last day is left for a later
    run: its holder may be waiting in the building. Returns how many pickups expired.
    """
    now = utcnow()
    ready_before = now - timedelta(days=days)
    checked_in_before = now - CHECKED_IN_GRACE
    with db.read_session() as session:
        site_ids = repository.sites_with_expirable(session, ready_before, checked_in_before)

    def expire(session: Session, site: Site) -> Answer:
        due = repository.expirable_at(session, site.id, ready_before, checked_in_before)
        closed_at = utcnow()
        for pickup in due:
            pickup.status = PickupStatus.EXPIRED.value
            pickup.closed_at = closed_at
            pickup.closed_by = actor
            event_log.append(
                session,
                site,
                "pickup.expired",
                actor=actor,
                data={"pickup": _summary(pickup), "collect_days": days},
            )
        return 200, len(due)

    total = sum(perform(db, bus, site_id, None, None, expire)[1] for site_id in site_ids)
    if total:
        log.info("%d ready pickups expired (not collected within %d days)", total, days)
    return total
