"""Failures counted for the rate limits, shared by every server process (see
``central_server.ratelimits``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from central_server.db import Base
from central_server.models._types import UTCDateTime


class RateLimitCounter(Base):
    """How often ``key`` failed since ``window_start``.

    ``key`` is a scope and a SHA-256 digest (``login-user:3f1a...``), never a user name, an
    address or a token in clear. A window lasts a minute from its first failure; the next
    failure after that starts a new one. Rows of windows long over are deleted by the server's
    hourly housekeeping.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    hits: Mapped[int] = mapped_column(Integer)
