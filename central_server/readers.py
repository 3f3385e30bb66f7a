"""The one way a site's shared views are read: one computation per site change per process.

Every desk re-reads its site's queue and desk list after each event; ten desks at a site would
make ten computations of the same answer. Instead :func:`serve` keeps, per process, the answers
of each site as ready JSON bytes (a :class:`Snapshot`), keyed by the site's event sequence
(``Site.last_event_seq``) and by what else changes the answer (``variant``: the caller's desk,
whether their role sees cases, the minute for figures that age):

* The reader reads the site's row (one small select, which it needs anyway to find the site).
  Its ``ETag`` is ``"<seq>"`` plus the variant. A request whose ``If-None-Match`` names it is
  answered 304 Not Modified with no body, before anything is computed.
* Otherwise the snapshot of that sequence and variant is served if this process has it; the
  first reader after a change computes it, in the same read transaction (one snapshot of the
  database) in which it read the sequence, and every reader of that sequence shares it. Threads
  that ask while it is computed wait for that one computation.
* Only the newest sequence of a site is kept. A change made by any process moves the sequence
  (every change logs an event, in the transaction of the change), so a process never serves an
  answer older than the sequence it has just read.

Permissions are checked per request before a snapshot is served; the variant separates answers
that differ by role.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from central_server.db import Database

#: Name of the process's :class:`SnapshotCache` in ``Database.shared``.
_SNAPSHOTS = "snapshots"

_T = TypeVar("_T")


@dataclass(frozen=True)
class Snapshot:
    etag: str
    body: bytes


@dataclass(frozen=True)
class NotModified:
    """The caller has this answer already (its ``If-None-Match`` named ``etag``)."""

    etag: str


def etag(seq: int, variant: str = "") -> str:
    """The entity tag of a site's view at ``seq``, quoted as HTTP wants it."""
    return f'"{seq}{"-" + variant if variant else ""}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weak comparison, or ``*``)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == tag:
            return True
    return False


class SnapshotCache:
    """The newest computed views of each site in one process. Thread-safe.

    Each kind of view (``lock_key``: the desk list, one desk's queue, the queue's shared part)
    has its own lock per site: threads that want the same view wait for its one computation,
    while other views of the site (ten desks' queues after one change) are computed at the same
    time. A view may use another (a desk's queue uses the shared part): such nesting always goes
    from the specific to the shared, so two locks are never taken in opposite orders.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        #: site id -> (seq, {key: value})
        self._sites: dict[int, tuple[int, dict[Hashable, object]]] = {}
        self._locks: dict[tuple[int, Hashable], threading.Lock] = {}

    def _kept(self, site_id: int, seq: int, key: Hashable) -> object | None:
        found = self._sites.get(site_id)
        if found is None or found[0] != seq:
            return None
        return found[1].get(key)

    def value(
        self,
        site_id: int,
        seq: int,
        lock_key: Hashable,
        key: Hashable,
        compute: Callable[[], _T],
    ) -> _T:
        """The view ``key`` of a site at ``seq``: kept, or computed once by ``compute``."""
        kept = self._kept(site_id, seq, key)
        if kept is not None:
            return kept  # type: ignore[return-value]  # stored by this key's compute
        with self._guard:
            lock = self._locks.setdefault((site_id, lock_key), threading.Lock())
        with lock:
            kept = self._kept(site_id, seq, key)
            if kept is not None:
                return kept  # type: ignore[return-value]
            value = compute()
            with self._guard:
                found = self._sites.get(site_id)
                if found is None or found[0] < seq:
                    self._sites[site_id] = (seq, {key: value})
                elif found[0] == seq:
                    found[1][key] = value
                # An older sequence (a reader whose transaction began before a change) is
                # served to its reader but not kept.
            return value

    def get(
        self, site_id: int, seq: int, key: Hashable, tag: str, compute: Callable[[], bytes]
    ) -> Snapshot:
        lock_key = key[0] if isinstance(key, tuple) else key
        return self.value(site_id, seq, lock_key, key, lambda: Snapshot(tag, compute()))


def shared(db: Database, site_id: int, seq: int, key: Hashable, compute: Callable[[], _T]) -> _T:
    """A part that several views of a site at ``seq`` share (e.g. every desk's queue holds the
    same tickets, only their order differs): computed once per site change in this process."""
    cache: SnapshotCache = db.shared.setdefault(_SNAPSHOTS, SnapshotCache())
    return cache.value(site_id, seq, ("shared", key), ("shared", key), compute)


def kept(
    db: Database, site_id: int, seq: int, key: Hashable, variant: str, if_none_match: str | None
) -> Snapshot | NotModified | None:
    """The answer ``key`` of a site at ``seq`` if it costs no computation: 304 for a caller
    that has it, or the snapshot this process keeps; None when it must be computed.

    A reader asks this after looking up the site's row alone (``Database.quick_read_session``,
    one round trip); only when it answers None does the reader open the read transaction in
    which :func:`serve` computes the answer."""
    tag = etag(seq, variant)
    if matches(if_none_match, tag):
        return NotModified(tag)
    cache: SnapshotCache | None = db.shared.get(_SNAPSHOTS)
    found = cache._kept(site_id, seq, (key, variant)) if cache is not None else None
    return found if isinstance(found, Snapshot) else None


def kept_shared(db: Database, site_id: int, seq: int, key: Hashable) -> object | None:
    """A part kept by :func:`shared` for the site at ``seq``, or None."""
    cache: SnapshotCache | None = db.shared.get(_SNAPSHOTS)
    return cache._kept(site_id, seq, ("shared", key)) if cache is not None else None


def serve(
    db: Database,
    site_id: int,
    seq: int,
    key: Hashable,
    variant: str,
    if_none_match: str | None,
    compute: Callable[[], bytes],
) -> Snapshot | NotModified:
    """The answer ``key`` of a site at ``seq``: 304 for a caller that has it, else the kept
    snapshot, else ``compute()`` once (see the module's docstring)."""
    tag = etag(seq, variant)
    if matches(if_none_match, tag):
        return NotModified(tag)
    cache: SnapshotCache = db.shared.setdefault(_SNAPSHOTS, SnapshotCache())
    return cache.get(site_id, seq, (key, variant), tag, compute)
