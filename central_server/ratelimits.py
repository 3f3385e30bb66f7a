"""Failures counted in the database, so that every server process on it sees the same counts.

The server's rate limits (failed sign-ins, wrong pickup scans, unknown status-page links) count
failures per key in a window of a minute. The counts live in the table ``rate_limit_counters``,
not in a process's memory: N server processes on one database allow together what one allows,
a lock-out reached through one process holds on every other, and a restart forgets nothing.

Invariants and costs:

* Only failures are written: :meth:`SharedFailureCounter.add` is one statement (an upsert,
  ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, the same on PostgreSQL and SQLite) for all
  the keys of one failure. It is atomic: concurrent failures of one key, from any process, get
  consecutive counts, so exactly one of them sees the count reach the limit.
* Checking before an attempt is one read of the keys' rows (:meth:`failures`); a success never
  writes.
* A window starts at a key's first failure and lasts a minute; the first failure after it
  starts a new window at 1. So a lock-out lasts until a minute after the window's first
  failure, and in the long run a key gets at most ``limit`` failures a minute (at a window's
  edge, up to ``2 * limit - 1`` within one minute).
* Attempts that are in flight together are checked before any of them fails, so a burst of
  concurrent requests can pass the check together (as with the counts in memory before).
* A key holds a scope and a SHA-256 digest of what is counted (:func:`key`): no user name,
  client address or token is stored in clear.
* The servers' clocks must agree (NTP), as they must for tokens' expiry anyway.
* Rows of windows long over are deleted by the hourly housekeeping (:func:`purge`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from central_server.db import Database
from central_server.models import RateLimitCounter
from central_server.models._types import utcnow

#: How long a window of failures lasts.
WINDOW = timedelta(minutes=1)
WINDOW_SECONDS = int(WINDOW.total_seconds())


def key(scope: str, value: str) -> str:
    """The counter's key for ``value`` (a user name, an address, a principal) in ``scope``."""
    digest = hashlib.sha256(f"{scope}\0{value}".encode()).hexdigest()
    return f"{scope}:{digest}"


class FailureCounter(Protocol):
    """Failures per key within the current window."""

    def failures(self, *keys: str) -> dict[str, int]:
        """The failures of each key in its current window (0 for a key without one)."""
        ...

    def add(self, *keys: str) -> dict[str, int]:
        """Count one failure of each key; each key's count including this one."""
        ...


class SharedFailureCounter:
    """A :class:`FailureCounter` in the database (see the module's docstring)."""

    def __init__(
        self, db: Database, window: timedelta = WINDOW, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._db = db
        self._window = window
        self._clock = clock
        self._insert = sqlite.insert if db.is_sqlite else postgresql.insert

    def failures(self, *keys: str) -> dict[str, int]:
        since = self._clock() - self._window
        query = select(RateLimitCounter.key, RateLimitCounter.hits).where(
            RateLimitCounter.key.in_(keys), RateLimitCounter.window_start > since
        )
        # One statement needs no snapshot: a plain connection spares the read session's
        # isolation level (two more round trips on PostgreSQL).
        with self._db.engine.connect() as connection:
            found = {row.key: row.hits for row in connection.execute(query)}
        return {k: found.get(k, 0) for k in keys}

    def add(self, *keys: str) -> dict[str, int]:
        now = self._clock()
        over = RateLimitCounter.window_start <= now - self._window
        rows = self._insert(RateLimitCounter).values(
            [{"key": k, "window_start": now, "hits": 1} for k in dict.fromkeys(keys)]
        )
        # In the SET clause the columns are the row as it was: a window that is over restarts.
        statement = rows.on_conflict_do_update(
            index_elements=[RateLimitCounter.key],
            set_={
                "hits": case((over, 1), else_=RateLimitCounter.hits + 1),
                "window_start": case(
                    (over, rows.excluded.window_start), else_=RateLimitCounter.window_start
                ),
            },
        ).returning(RateLimitCounter.key, RateLimitCounter.hits)
        with self._db.write_session() as session:
            counted = {row.key: row.hits for row in session.execute(statement)}
        return {k: counted[k] for k in keys}


def purge(db: Database, now: datetime | None = None) -> int:
    """Delete the counters of windows that are over; how many were deleted."""
    cutoff = (now or utcnow()) - WINDOW
    with db.write_session() as session:
        result = session.execute(
            delete(RateLimitCounter).where(RateLimitCounter.window_start <= cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
