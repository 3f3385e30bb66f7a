"""People and devices that may talk to the server, and their tokens.

Passwords are stored as argon2 hashes; login and device tokens only as SHA-256 digests, so a
copy of the database hands nobody a working token.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base
from central_server.models._types import UTCDateTime, utcnow

user_sites = Table(
    "user_sites",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    """A member of staff. ``roles`` holds any of clerk, pickup, supervisor, admin.

    A user works at the sites in ``user_sites``; an ``admin`` works at every site.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuthToken(Base):
    """A login token of a user, valid until ``expires_at``."""

    __tablename__ = "auth_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Device(Base):
    """A kiosk or call display, bound to one site, with a long-lived token of its own.

    A kiosk reports the state of its ticket printer: ``printer_state`` (None until the first
    report; see ``resources.vocabulary.PrinterState``), a short ``printer_detail``
    and ``printer_state_since``, when the state last changed.
    """

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    printer_state: Mapped[str | None] = mapped_column(String(16), default=None)
    printer_detail: Mapped[str] = mapped_column(String(200), default="", server_default="")
    printer_state_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
