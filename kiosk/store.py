"""The kiosk's own memory on disk: the blocks of numbers the server leased to it for offline
use, the tickets it could not print yet, and the site as it last read it (so a kiosk restarted
while the server is away still shows its services and issues from its leased numbers).

Invariants: a leased number is marked used (committed) before the ticket that carries it is
shown or printed, so a crash can leave a gap but never give a number twice. A ticket that could
not be printed stays here until it is printed (or the day is over), so it can be reprinted.
SQLite through SQLAlchemy, one file per kiosk and site.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from counter_app.core.answers import Lease


class _Base(DeclarativeBase):
    pass


class LeaseRow(_Base):
    __tablename__ = "leases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the server's lease id
    service_id: Mapped[int] = mapped_column(Integer)
    prefix: Mapped[str] = mapped_column(String(1))
    day: Mapped[date] = mapped_column(Date)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next_number: Mapped[int] = mapped_column(Integer)


class UnprintedRow(_Base):
    __tablename__ = "unprinted"

    number: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ticket: Mapped[Any] = mapped_column(JSON)


class SiteCopyRow(_Base):
    """The site as the kiosk last read it from the server: one row."""

    __tablename__ = "site_copy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    site: Mapped[Any] = mapped_column(JSON)


@dataclass(frozen=True)
class OfflineNumber:
    lease_id: int
    service_id: int
    prefix: str
    number: int


class KioskStore:
    def __init__(self, path: Path | str) -> None:
        url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{path}"
        self._engine = create_engine(url)
        _Base.metadata.create_all(self._engine)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    def close(self) -> None:
        self._engine.dispose()

    # Leases ---------------------------------------------------------------------------------

    def add_leases(self, leases: Iterable[Lease]) -> None:
        """Keep the leases of a ``POST number-leases`` answer; a lease seen before is kept as is."""
        with self._sessions.begin() as session:
            for lease in leases:
                if session.get(LeaseRow, lease.id) is None:
                    session.add(
                        LeaseRow(
                            id=lease.id,
                            service_id=lease.service_id,
                            prefix=lease.prefix,
                            day=lease.day,
                            first=lease.first,
                            last=lease.last,
                            next_number=lease.first,
                        )
                    )

    def numbers_left(self, service_id: int, day: date) -> int:
        with self._sessions() as session:
            rows = session.scalars(
                select(LeaseRow).where(LeaseRow.service_id == service_id, LeaseRow.day == day)
            )
            return sum(max(row.last - row.next_number + 1, 0) for row in rows)

    def take_number(self, service_id: int, day: date) -> OfflineNumber | None:
        """The next unused offline number of ``service_id`` today, now marked used; None when
        the kiosk holds none (then it cannot issue this service offline)."""
        with self._sessions.begin() as session:
            query = (
                select(LeaseRow)
                .where(
                    LeaseRow.service_id == service_id,
                    LeaseRow.day == day,
                    LeaseRow.next_number <= LeaseRow.last,
                )
                .order_by(LeaseRow.first)
                .limit(1)
            )
            row = session.scalars(query).one_or_none()
            if row is None:
                return None
            number = row.next_number
            row.next_number += 1
            return OfflineNumber(row.id, row.service_id, row.prefix, number)

    def forget_leases_before(self, day: date) -> None:
        with self._sessions.begin() as session:
            for row in session.scalars(select(LeaseRow).where(LeaseRow.day < day)):
                session.delete(row)

    # The site as last read ---------------------------------------------------------------------

    def keep_site(self, day: date, site: dict[str, Any]) -> None:
        """Remember what the server said of the site on ``day`` (names, services)."""
        with self._sessions.begin() as session:
            row = session.get(SiteCopyRow, 1)
            if row is None:
                session.add(SiteCopyRow(id=1, day=day, site=site))
            elif row.day != day or row.site != site:
                row.day, row.site = day, site

    def last_site(self) -> tuple[date, dict[str, Any]] | None:
        """The day and what was last kept by :meth:`keep_site`; None before the first read."""
        with self._sessions() as session:
            row = session.get(SiteCopyRow, 1)
            return None if row is None else (row.day, dict(row.site))

    # Tickets not printed yet ------------------------------------------------------------------

    def keep_unprinted(self, day: date, number: str, ticket: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            row = session.get(UnprintedRow, (number, day))
            if row is None:
                session.add(
                    UnprintedRow(
                        number=number, day=day, created_at=datetime.now(UTC), ticket=ticket
                    )
                )

    def printed(self, day: date, number: str) -> None:
        with self._sessions.begin() as session:
            row = session.get(UnprintedRow, (number, day))
            if row is not None:
                session.delete(row)

    def unprinted(self, day: date) -> list[dict[str, Any]]:
        """Today's tickets that could not be printed, oldest first."""
        with self._sessions() as session:
            query = (
                select(UnprintedRow)
                .where(UnprintedRow.day == day)
                .order_by(UnprintedRow.created_at)
            )
            return [dict(row.ticket) for row in session.scalars(query)]
