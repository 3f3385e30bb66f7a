"""Appointments booked in the office's booking system, and the missed ones' counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base
from central_server.models._types import UTCDateTime, utcnow
from resources.vocabulary import AppointmentState


class Appointment(Base):
    """An appointment the booking system pushed (``central_server.appointments``).

    It holds no names, only what the queue needs: the booking system's id (``external_id``,
    unique per site), the code its confirmation prints (``code_normalised``: upper case, without
    spaces, tabs and dashes, as the kiosk compares it), the service, the time and the citizen's
    language if the booking knows it. ``day`` is ``starts_at``'s local day at the site.

    ``state``: booked -> checked_in (``ticket_id`` is the ticket drawn at the kiosk) -> called
    -> done, following its ticket; booked -> no_show when not checked in by the end of its
    window (counted in :class:`AppointmentMiss`); booked -> cancelled by the booking system.
    Rows are deleted after their day by the purge job; the statistics keep the counts.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("site_id", "external_id"),
        # The kiosk's look-up by code at its site, and by code alone to say "that is another
        # site's" (a code is unique per site and day, see ``central_server.appointments``).
        Index("ix_appointments_code_site", "code_normalised", "site_id"),
        Index("ix_appointments_site_day", "site_id", "day"),
        # The minute's look for appointments still booked past their time, without reading
        # the weeks of bookings ahead.
        Index("ix_appointments_state_starts", "state", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(100))
    code_normalised: Mapped[str] = mapped_column(String(100))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    day: Mapped[date] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(5), default=None)
    state: Mapped[str] = mapped_column(String(12), default=AppointmentState.BOOKED.value)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AppointmentMiss(Base):
    """How many appointments of a service were missed (not checked in by the end of their
    window) at a site in one local hour of one local day: the statistics' source of
    ``appointment_missed``. Kept because the appointments themselves are deleted after their
    day, while the figures are summed up again from their sources whenever a ticket of an
    earlier day changes."""

    __tablename__ = "appointment_misses"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    missed: Mapped[int] = mapped_column(Integer, default=0)
