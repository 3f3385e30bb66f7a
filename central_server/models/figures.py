"""A site's figures summed up per local day, for the statistics (issue 14).

Each row sums the finished days' tickets of one site at one *level* of detail: which of the
hour, service, desk and clerk it is split by (see ``central_server.statistics.figures.LEVELS``);
a dimension the level does not split by holds -1 (hour) or 0 (ids). A request reads the smallest
level that has what it groups, splits and filters by, so a year of a city's sites is a few
thousand rows, not 1.5 million tickets.

The rows are derived, never the source: they are made from the tickets (and their cases and
feedback) by ``central_server.statistics.figures.sum_up`` and can be made again at any time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base


class _Key:
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    desk_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clerk_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The day's ISO week ("2026-W49"), month ("2026-12") and ISO weekday (1 Monday): grouping
    #: by them is a plain GROUP BY on both databases.
    week: Mapped[str] = mapped_column(String(8))
    month: Mapped[str] = mapped_column(String(7))
    weekday: Mapped[int] = mapped_column(SmallInteger)


class Figure(_Key, Base):
    """Counts and sums of one key (see the module)."""

    __tablename__ = "figures"

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
    wait_seconds: Mapped[float] = mapped_column(Float, default=0, server_default="0")
    handling_seconds: Mapped[float] = mapped_column(Float, default=0, server_default="0")


class FigureValue(_Key, Base):
    """How many tickets of one key had ``value`` for ``measure``: a histogram bar.

    Measures: ``wait``, ``handling``, ``estimate_error`` (whole minutes), ``feedback`` (the
    score 1-5), ``outcome:<word>`` (value 0).
    """

    __tablename__ = "figure_values"

    measure: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
