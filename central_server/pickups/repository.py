from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from central_server.errors import N_, NotFound
from central_server.models import Pickup, ReplacedReceipt, Service, Site, Ticket
from central_server.pickups.schemas import CLOSED, PickupStatus


def pickup_by_id(session: Session, pickup_id: int) -> Pickup:
    pickup = session.get(Pickup, pickup_id)
    if pickup is None:
        raise NotFound("pickup_not_found", N_("There is no pickup {pickup}."), pickup=pickup_id)
    return pickup


def pickup_by_token_digests(session: Session, digests: Sequence[str]) -> Pickup | None:
    """The pickup stored under one of ``digests`` (see ``receipts.digests``), the first that
    matches winning."""
    found = {
        p.token_hash: p
        for p in session.scalars(select(Pickup).where(Pickup.token_hash.in_(digests)))
    }
    return next((found[d] for d in digests if d in found), None)


def replaced_receipt(session: Session, digests: Sequence[str]) -> ReplacedReceipt | None:
    """The replaced receipt stored under one of ``digests``, if any."""
    query = select(ReplacedReceipt).where(ReplacedReceipt.token_hash.in_(digests)).limit(1)
    return session.scalars(query).first()


def search(session: Session, site_id: int, query: str, limit: int) -> list[Pickup]:
    """The site's pickups whose case reference starts with ``query`` or whose holder's name
    contains it (case does not matter; ``%`` and ``_`` are plain characters), newest first;
    at most ``limit``. Purged pickups have neither, so they are never found."""
    wanted = query.lower()
    matches = or_(
        func.lower(Pickup.case_reference).startswith(wanted, autoescape=True),
        func.lower(Pickup.holder_name).contains(wanted, autoescape=True),
    )
    found = select(Pickup).where(Pickup.site_id == site_id, Pickup.purged_at.is_(None), matches)
    return list(
        session.scalars(found.order_by(Pickup.created_at.desc(), Pickup.id.desc()).limit(limit))
    )


def pickup_by_checkin_ticket(session: Session, ticket_id: int) -> Pickup | None:
    """The pickup whose holder drew ticket ``ticket_id`` at the kiosk, if any."""
    query = select(Pickup).where(Pickup.checkin_ticket_id == ticket_id).limit(1)
    return session.scalars(query).first()


def pickups_at(
    session: Session, site_id: int, status: PickupStatus | None, limit: int
) -> list[Pickup]:
    """The site's pickups, newest first."""
    query = select(Pickup).where(Pickup.site_id == site_id)
    if status is not None:
        query = query.where(Pickup.status == status)
    return list(
        session.scalars(query.order_by(Pickup.created_at.desc(), Pickup.id.desc()).limit(limit))
    )


def ticket_number(session: Session, ticket_id: int | None) -> str | None:
    if ticket_id is None:
        return None
    ticket = session.get(Ticket, ticket_id)
    return ticket.display_number if ticket is not None else None


def service_by_prefix(session: Session, site_id: int, prefix: str) -> Service | None:
    query = select(Service).where(Service.site_id == site_id, Service.prefix == prefix)
    return session.scalars(query).one_or_none()


def site_slugs(session: Session, site_ids: set[int]) -> dict[int, str]:
    query = select(Site.id, Site.slug).where(Site.id.in_(site_ids))
    return {site_id: slug for site_id, slug in session.execute(query)}


def sites_with_purgeable(session: Session, closed_before: datetime) -> list[int]:
    """Sites holding closed pickups whose personal data is due to be erased."""
    query = (
        select(Pickup.site_id).where(*_purgeable(closed_before)).distinct().order_by(Pickup.site_id)
    )
    return list(session.scalars(query))


def purgeable_at(session: Session, site_id: int, closed_before: datetime) -> list[Pickup]:
    query = select(Pickup).where(Pickup.site_id == site_id, *_purgeable(closed_before))
    return list(session.scalars(query.order_by(Pickup.id)))


def _purgeable(closed_before: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Pickup.status.in_(CLOSED),
        Pickup.closed_at < closed_before,
        Pickup.purged_at.is_(None),
    )


def sites_with_expirable(
    session: Session, ready_before: datetime, checked_in_before: datetime
) -> list[int]:
    """Sites holding ready pickups not collected in time (see :func:`expirable_at`)."""
    query = (
        select(Pickup.site_id)
        .where(*_expirable(ready_before, checked_in_before))
        .distinct()
        .order_by(Pickup.site_id)
    )
    return list(session.scalars(query))


def expirable_at(
    session: Session, site_id: int, ready_before: datetime, checked_in_before: datetime
) -> list[Pickup]:
    """The site's pickups ready since before ``ready_before`` and not checked in at the kiosk
    since ``checked_in_before`` (a holder who checked in may be waiting in the building)."""
    query = select(Pickup).where(
        Pickup.site_id == site_id, *_expirable(ready_before, checked_in_before)
    )
    return list(session.scalars(query.order_by(Pickup.id)))


def _expirable(
    ready_before: datetime, checked_in_before: datetime
) -> tuple[ColumnElement[bool], ...]:
    return (
        Pickup.status == PickupStatus.READY.value,
        Pickup.ready_at < ready_before,
        or_(Pickup.checked_in_at.is_(None), Pickup.checked_in_at < checked_in_before),
    )
