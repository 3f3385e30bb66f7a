"""A site's figures summed up per local day and per month, for the statistics (issue 14).

Each row sums the tickets of one site on one local day, or in one month (``day`` is then the
month's first), at one *level* of detail: which of hour, weekday, service and desk it is split
by, or per clerk (``central_server.statistics.figures``); a dimension the level does not
split by holds -1 (hour) or 0. ``bars`` holds the row's histograms (wait, handling and
estimate error in whole minutes, feedback scores, outcomes), packed (``figures.pack``): the
percentiles of any group are read from the sum of its rows' histograms. A request reads
months where it can and days where it must, so a year of twenty sites is a few thousand rows,
not a million tickets.

The rows are derived, never the source: ``central_server.statistics.service`` makes them from
the tickets (and their cases and feedback) and can make them again at any time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base


class Figure(Base):
    """Counts, sums and histograms of one key (see the module)."""

    __tablename__ = "figures"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desk_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The clerk who served the tickets last (``tickets.served_by_user_id``; 0: none).
    clerk_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The day's ISO week ("2026-W49") and month ("2026-12"), for grouping by them.
    week: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))
    arrivals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    served: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    no_show: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cancelled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transferred: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    called: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    within_target: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    handled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    walk_in: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    appointment: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    urgent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    offline: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Appointments not checked in by the end of their window (not tickets: apart from the
    #: walk-ins' ``no_show``), from :class:`~central_server.models.AppointmentMiss`.
    appointment_missed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    wait_seconds: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    handling_seconds: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    bars: Mapped[bytes] = mapped_column(LargeBinary)
    #: The row's figures as the API writes them (JSON), for the levels whose rows answer a
    #: group alone (``statistics.repository.ANSWERED_LEVELS``: a day and a service, a day and a
    #: desk of a site): an organisation's year by day and service is 30,000 such groups, and
    #: reading each one's
    #: written figures costs a tenth of making them (bench/README.md, issue 14). Made with the
    #: row; None for other levels and for rows summed up before it existed (``tresen admin
    #: sum-up-figures`` and the hourly sum-up fill those; until then they are made per request).
    answer: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
