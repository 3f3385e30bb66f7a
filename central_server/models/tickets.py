"""Tickets (a numbered place in the queue) and the case recorded while serving."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from central_server.db import Base
from central_server.models._types import UTCDateTime, utcnow


class TicketCounter(Base):
    """The last number given under a prefix letter at a site on one local day.

    Counted per prefix (the letter of a service), not per service id: the number printed on the
    ticket is what must never repeat, and a transferred ticket keeps its letter and number.

    ``issued`` counts the tickets issued under the prefix that day, online and uploaded from
    offline, for the service's daily contingent (``Service.daily_limit``): drawing a number
    reads and writes this row anyway, so the check costs no statement.
    """

    __tablename__ = "ticket_counters"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    prefix: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
    issued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class NumberLease(Base):
    """Numbers ``first`` to ``last`` under ``prefix`` on ``day``, set aside for a kiosk to give
    out while it cannot reach the server (offline numbers).

    Rules in ``central_server.queue_rules`` (``lease_range``, ``next_free_number``): leases of
    one prefix and day never overlap, and online drawing skips them. A lease is never changed
    or deleted; a ticket issued with it is uploaded later and keeps its number. ``device_id``
    is the kiosk that holds it (None: taken by a supervisor).
    """

    __tablename__ = "number_leases"
    __table_args__ = (UniqueConstraint("site_id", "prefix", "day", "first"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), default=None
    )
    prefix: Mapped[str] = mapped_column(String(1))
    day: Mapped[date] = mapped_column(Date)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Ticket(Base):
    """A citizen's place in the queue. Anonymous: it holds no personal data.

    ``queued_at`` is when the citizen joined the queue; a transfer keeps it, so a forwarded
    citizen keeps their place. ``desk_id`` is the desk that called it last; ``target_desk_id``
    restricts a transferred ticket to one desk. The status changes only through
    ``central_server.queue_rules``.

    ``issued_offline``: the kiosk printed it while the server was unreachable, with a number of
    a :class:`NumberLease`, and uploaded it later; ``created_at`` and ``queued_at`` are then
    the moment it was printed, so the citizen has their real place in the queue.

    ``estimated_wait_minutes`` is the wait the citizen was told when the ticket was issued
    (None: no estimate was given, e.g. issued offline); the statistics compare it with the
    real wait.

    ``first_called_at`` is the ticket's first call: the wait the statistics count ends there, so
    a recall or a call after a transfer does not move it (``called_at`` is the latest call).
    ``served_by_user_id`` is the clerk who served it last (started, finished, or marked it as
    no-show); the statistics name clerks only where the site file allows it.

    ``appointment_at``: the ticket was drawn by checking in an appointment at the kiosk, booked
    for that time (``central_server.appointments``); such a ticket has priority
    ``appointment``, or ``normal`` with ``appointment_late`` when the citizen came after the
    window and the site lets them in as a walk-in (``late_appointments = "walk_in"``).
    """

    __tablename__ = "tickets"
    __table_args__ = (
        # What the citizen reads (A042) is unique per site and day, wherever the ticket moves.
        UniqueConstraint("site_id", "prefix", "day", "number"),
        # The queue (site, status in waiting/transferred/...) and the latest finished tickets
        # of a site (status done, finished_at in the last hours, newest first) without reading
        # the site's history: it grows by ~375,000 tickets a year and is never removed.
        Index("ix_tickets_site_status_finished", "site_id", "status", "finished_at"),
        # The ticket open at a desk (desk, status called/serving), asked before every call.
        Index("ix_tickets_desk_status", "desk_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(1))
    priority: Mapped[str] = mapped_column(String(12), default="normal")
    language: Mapped[str] = mapped_column(String(5), default="de")
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    status_token: Mapped[str] = mapped_column(String(64), unique=True)
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"), default=None)
    target_desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    issued_offline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    estimated_wait_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    first_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    served_by_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    appointment_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case: Mapped[Case | None] = relationship(
        back_populates="ticket", lazy="selectin", cascade="all, delete-orphan", uselist=False
    )

    @property
    def display_number(self) -> str:
        return f"{self.prefix}{self.number:03d}"


class Case(Base):
    """What happened to the citizen's concern: steps done, outcome, notes, forwarding.

    The free text (``notes``, ``case_reference``, ``forward_reason``, ``cancel_reason``) is
    emptied ``case_purge_days`` after the ticket finished (done, no-show or cancelled), and
    ``purged_at`` says when; steps, outcome and the ticket's times stay for the statistics. The
    authority's case file holds the record (see ``central_server.tickets.purge``).
    """

    __tablename__ = "cases"
    __table_args__ = (
        # The cases the purge looks for: not purged, last changed before the cut-off (a
        # finished ticket's case never changes after its finish), not every case ever kept.
        Index("ix_cases_purged_updated", "purged_at", "updated_at"),
    )

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    steps_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(40), default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    case_reference: Mapped[str] = mapped_column(String(100), default="")
    forward_reason: Mapped[str] = mapped_column(Text, default="")
    #: Why a supervisor cancelled the ticket (steering); free text, erased like the notes.
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    #: When the free text was erased; None while it is kept.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    ticket: Mapped[Ticket] = relationship(back_populates="case", lazy="raise")
