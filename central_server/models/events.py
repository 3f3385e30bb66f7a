"""The append-only event log and the record of idempotent requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base
from central_server.models._types import UTCDateTime, utcnow


class Event(Base):
    """One change at a site, never updated or deleted.

    ``seq`` counts a site's events from 1 without gaps and is the id a live-event client sends
    back as ``Last-Event-ID``. Statistics are read from this log.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("site_id", "seq"),
        # A site's events of the last hours (the display's recent calls), not all it ever had.
        Index("ix_events_site_at", "site_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="")
    desk_code: Mapped[str | None] = mapped_column(String(32), default=None)
    ticket_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdempotencyRecord(Base):
    """The first answer to a request that carried an ``Idempotency-Key``.

    ``principal`` scopes keys to the caller, so one kiosk cannot replay another's answers.
    ``fingerprint`` is a digest of method, path and body: the same key with another request is
    refused instead of answered with the wrong result.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("principal", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
