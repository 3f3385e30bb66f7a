"""What citizens said of their visit: one tap on the status page, anonymous."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base
from central_server.models._types import UTCDateTime, utcnow


class TicketFeedback(Base):
    """How a finished visit was, from 1 (bad) to 5 (very good): at most one per ticket.

    Anonymous: it names the ticket's site, service and day (for the statistics per service and
    day), never a person; the ticket itself holds no personal data either.
    """

    __tablename__ = "ticket_feedback"
    __table_args__ = (Index("ix_ticket_feedback_site_day", "site_id", "day"),)

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)
    score: Mapped[int] = mapped_column(SmallInteger)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
