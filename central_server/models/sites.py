"""Sites, the services citizens come for, and the desks that serve them."""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from central_server.db import Base
from resources.vocabulary import DeskKind


class Site(Base):
    """One office building with its own lobby and queue.

    ``last_event_seq`` is the sequence number of the site's newest event. Writers lock this row
    first (see ``central_server.db``), so it also serialises all changes at one site.

    ``config_version`` grows with every change of the site's services and desks (their
    services, state and holder), made by any process: each server process keeps the site's
    configuration in memory and reads it again when this counter has moved
    (``central_server.sites.config``, which also bumps it).

    ``organisation`` names who the site works for (the site file's ``[organisation]``, e.g. the
    city of Bonn served by Köln's service centre); None: the site stands alone. A supervisor or
    statistics user sees only the sites they belong to; reports may cover an organisation's
    sites together.

    ``staff_statistics``: the site file allows figures per clerk (off unless the staff council
    agreed); ``service_level_goal``: the share of tickets called within their target the office
    aims for. ``figures_until``: the last local day whose figures are summed up in
    :class:`~central_server.models.figures.Figure` (None: none yet); a change to a ticket of an
    earlier day moves it back (``central_server.writes``), so the sums are never stale.
    """

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    last_event_seq: Mapped[int] = mapped_column(Integer, default=0)
    config_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    organisation: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    organisation_name: Mapped[str | None] = mapped_column(String(200), default=None)
    amber_share: Mapped[float] = mapped_column(Float, default=0.8, server_default="0.8")
    desk_idle_minutes: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    staff_statistics: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    service_level_goal: Mapped[float] = mapped_column(Float, default=0.8, server_default="0.8")
    figures_until: Mapped[date | None] = mapped_column(Date, default=None)
    appointment_lead_minutes: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    appointments_in_a_row: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    late_appointments: Mapped[str] = mapped_column(
        String(8), default="refuse", server_default="refuse"
    )


class Service(Base):
    """What a citizen comes for. Its prefix letter starts every ticket number of the service.

    ``names`` and ``hints`` map a language code (de, en, tr, ar, ru, uk) to text. ``hours`` maps a
    weekday (mon..sun) to a list of "HH:MM-HH:MM" ranges in the site's time zone; a weekday that is
    missing means closed, and an empty ``hours`` means always open. ``checklist`` lists the steps
    a clerk ticks off for this service, each ``{"id": ..., "names": {lang: text}}``.
    ``documents`` lists what the service orders for a citizen, most usual first, each
    ``{"kind": <pickup document kind>, "detail": text, "weeks": usual weeks until it arrives}``.

    Steering (``central_server.steering``): ``daily_limit`` is the day's contingent of tickets
    (None: no limit), counted by ``TicketCounter.issued``; ``issuing_stopped_on`` is the site's
    local day on which a supervisor stopped issuing tickets of the service (with
    ``issuing_stop_reason``): the stop holds for that day only, so the next day the service
    issues again by itself. ``amber_share`` overrides the site's (None: the site's).

    An appointment of the service is checked in at the kiosk from
    ``appointment_check_in_before_minutes`` before its time to
    ``appointment_check_in_after_minutes`` after it, both edges included.
    """

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("site_id", "prefix"), UniqueConstraint("site_id", "key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(1))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    hints: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    hours: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    target_wait_minutes: Mapped[int] = mapped_column(Integer, default=20)
    default_service_minutes: Mapped[int] = mapped_column(Integer, default=10)
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    daily_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    amber_share: Mapped[float | None] = mapped_column(Float, default=None)
    issuing_stopped_on: Mapped[date | None] = mapped_column(Date, default=None)
    issuing_stop_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    appointment_check_in_before_minutes: Mapped[int] = mapped_column(
        Integer, default=30, server_default="30"
    )
    appointment_check_in_after_minutes: Mapped[int] = mapped_column(
        Integer, default=10, server_default="10"
    )


class Desk(Base):
    """Where a clerk serves. ``code`` is what citizens read on the display ("3").

    ``state`` is ``closed`` (nobody signed on), ``open`` or ``paused`` (on a break).
    """

    __tablename__ = "desks"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20), default=DeskKind.FRONT_OFFICE.value)
    state: Mapped[str] = mapped_column(String(10), default="closed")
    signed_on_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    services: Mapped[list[DeskService]] = relationship(
        order_by="DeskService.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )


class DeskService(Base):
    """A service a desk serves; ``position`` is the desk's order among equals."""

    __tablename__ = "desk_services"

    desk_id: Mapped[int] = mapped_column(
        ForeignKey("desks.id", ondelete="CASCADE"), primary_key=True
    )
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


#: Session.info key: (transaction, ids of the sites whose configuration it changed).
CONFIG_CHANGED = "tresen_config_changed"


def config_changed_in(session: Session) -> frozenset[int]:
    """The sites whose services or desks the session's current transaction has changed (and
    flushed)."""
    found = session.info.get(CONFIG_CHANGED)
    if found is None or found[0] is not session.get_transaction():
        return frozenset()
    return frozenset(found[1])


@event.listens_for(Session, "before_flush")
def _bump_config_version(session: Session, _context: object, _instances: object) -> None:
    """Every flushed change of a service, a desk or a desk's services bumps its site's
    ``config_version`` in the same transaction, whoever makes it (a server process, ``tresen
    admin apply``, a test): no writer has to remember it."""
    site_ids: set[int] = set()
    with session.no_autoflush:
        for obj in chain(session.new, session.dirty, session.deleted):
            if isinstance(obj, Service | Desk):
                if obj in session.dirty and not session.is_modified(obj):
                    continue
                if obj.site_id is not None:
                    site_ids.add(obj.site_id)
            elif isinstance(obj, DeskService) and obj.desk_id is not None:
                desk = session.get(Desk, obj.desk_id)
                if desk is not None:
                    site_ids.add(desk.site_id)
        for site_id in site_ids:
            site = session.get(Site, site_id)
            if site is not None:
                site.config_version = (site.config_version or 0) + 1
    if site_ids:
        transaction = session.get_transaction()
        found = session.info.get(CONFIG_CHANGED)
        if found is None or found[0] is not transaction:
            found = (transaction, set[int]())
            session.info[CONFIG_CHANGED] = found
        found[1].update(site_ids)
