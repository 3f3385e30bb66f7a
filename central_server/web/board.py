"""What the waiting room may know about a site at one moment: the board.

A board is read in one read transaction (one snapshot) at the site's event sequence ``seq``
and shared by every display and status page that follows the site in this process
(:class:`BoardCache`): a change is read once, however many screens and phones watch it. It
holds ticket numbers, desk names, statuses, positions and counts; never a name, an actor, a
case note or a token.

Which calls a display shows is decided here, by plain rules with no I/O:

* the newest call (or recall) of each ticket counts, at most ``MAX_CALLS`` of them;
* a call stays while its ticket is called; once the citizen is served (serving, parked, done)
  it stays until ``KEEP_SECONDS`` after the call, then ages out;
* a no-show, a cancellation or a transfer removes it at once;
* a call is *new* while its ticket is still called and the call is younger than
  ``FRESH_SECONDS``: the display shows the newest new call big and announces each new call
  once (chime, highlight, speech). An older call is only listed, also when a display
  (re)connects after an outage, so an old call is never announced as new.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from central_server.db import Database
from central_server.errors import N_, NotFound
from central_server.models import Site
from central_server.models._types import utcnow
from central_server.queue_rules import Status, format_number
from central_server.tickets.view import SiteView
from central_server.web import repository

FRESH_SECONDS = 120
KEEP_SECONDS = 600
MAX_CALLS = 8
#: How far back the board looks for calls, and how many call events it reads at most.
CALL_LOOKBACK = timedelta(hours=12)
CALL_EVENT_LIMIT = 60
#: Statuses whose call a display may show (see the module's docstring).
SHOWN = frozenset({Status.CALLED, Status.SERVING, Status.PARKED, Status.DONE})
AT_DESK = frozenset({Status.CALLED, Status.SERVING, Status.PARKED})


@dataclass(frozen=True)
class Call:
    """The newest call of one ticket: ``seq`` is the call's (or recall's) event."""

    seq: int
    ticket_id: int
    prefix: str
    number: str
    desk: str
    at: datetime
    status: Status


@dataclass(frozen=True)
class OpenTicket:
    """A ticket that is not finished: waiting (with its place) or at a desk."""

    status: Status
    service_id: int
    position: int | None
    minutes: int | None
    desk: str | None
    recalls: int


@dataclass(frozen=True)
class Waiting:
    service_id: int
    prefix: str
    names: Mapping[str, str]
    count: int


@dataclass(frozen=True)
class Board:
    site_id: int
    site_name: str
    timezone: str
    seq: int
    read_at: datetime
    #: Calls a display may show, newest first (before :func:`calls_to_show` ages them).
    calls: tuple[Call, ...]
    #: People waiting per active service, in the site's order of services.
    waiting: tuple[Waiting, ...]
    #: Every open ticket by id.
    tickets: Mapping[int, OpenTicket]
    #: Every service's names (language -> text), by id, also of inactive services.
    service_names: Mapping[int, Mapping[str, str]]


def age_seconds(call: Call, now: datetime) -> float:
    return (now - call.at).total_seconds()


def is_new(call: Call, now: datetime) -> bool:
    return call.status == Status.CALLED and age_seconds(call, now) < FRESH_SECONDS


def calls_to_show(calls: Iterable[Call], now: datetime) -> list[Call]:
    """The calls a display shows at ``now``, newest first."""
    shown = [c for c in calls if c.status == Status.CALLED or age_seconds(c, now) < KEEP_SECONDS]
    return shown[:MAX_CALLS]


def read_board(session: Session, site_id: int, now: datetime | None = None) -> Board:
    """The site's board, read in ``session``'s one snapshot."""
    now = now or utcnow()
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("site_not_found", N_("There is no site {site}."), site=site_id)
    view = SiteView.load(session, site)
    estimates = view.estimates(session)
    desk_names = {d.id: d.name or d.code for d in view.desks.values()}
    names_by_code = {d.code: d.name or d.code for d in view.desks.values()}
    tickets: dict[int, OpenTicket] = {}
    for t in view.queued:
        estimate = estimates.get(t.id)
        tickets[t.id] = OpenTicket(
            status=Status(t.status),
            service_id=t.service_id,
            position=estimate.position if estimate else None,
            minutes=estimate.minutes if estimate else None,
            desk=None,
            recalls=t.recall_count,
        )
    for t in view.at_desks():
        tickets[t.id] = OpenTicket(
            status=Status(t.status),
            service_id=t.service_id,
            position=None,
            minutes=None,
            desk=desk_names.get(t.desk_id) if t.desk_id is not None else None,
            recalls=t.recall_count,
        )
    events = repository.recent_calls(session, site.id, now - CALL_LOOKBACK, CALL_EVENT_LIMIT)
    called = repository.tickets_by_id(
        session, {e.ticket_id for e in events if e.ticket_id is not None}
    )
    calls: list[Call] = []
    seen: set[int] = set()
    for event in events:
        ticket = called.get(event.ticket_id) if event.ticket_id is not None else None
        if ticket is None or ticket.id in seen:
            continue
        seen.add(ticket.id)
        if Status(ticket.status) not in SHOWN:
            continue
        calls.append(
            Call(
                seq=event.seq,
                ticket_id=ticket.id,
                prefix=ticket.prefix,
                number=format_number(ticket.prefix, ticket.number),
                desk=names_by_code.get(event.desk_code or "", event.desk_code or ""),
                at=event.at,
                status=Status(ticket.status),
            )
        )
    counts: dict[int, int] = {}
    for t in view.queued:
        counts[t.service_id] = counts.get(t.service_id, 0) + 1
    waiting = tuple(
        Waiting(s.id, s.prefix, dict(s.names), counts.get(s.id, 0))
        for s in view.services.values()
        if s.active
    )
    return Board(
        site_id=site.id,
        site_name=site.name,
        timezone=site.timezone,
        seq=site.last_event_seq,
        read_at=now,
        calls=tuple(calls),
        waiting=waiting,
        tickets=tickets,
        service_names={s.id: dict(s.names) for s in view.services.values()},
    )


class BoardCache:
    """The newest board of each site, read again when the site has a new event or the board
    is older than ``max_age`` seconds (wait estimates move with time). Thread-safe: the
    threads that ask for one site's new board while it is read wait for that one read."""

    def __init__(self, max_age: float = 30.0) -> None:
        self.max_age = timedelta(seconds=max_age)
        self._boards: dict[int, Board] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

    def usable(self, site_id: int, seq: int | None) -> Board | None:
        """The cached board if it holds event ``seq`` and is fresh; no I/O (safe on the event
        loop). None when ``seq`` is unknown or the board must be read again."""
        return None if seq is None else self._usable(site_id, seq)

    def _usable(self, site_id: int, seq: int) -> Board | None:
        board = self._boards.get(site_id)
        if board is not None and board.seq >= seq and utcnow() - board.read_at < self.max_age:
            return board
        return None

    def current(self, db: Database, site_id: int, seq: int | None = None) -> Board:
        """The site's board as of now; raises ``NotFound`` for an unknown site.

        ``seq`` is the site's newest event when the caller knows it (a live stream learns it
        from the site's feed, ``central_server.events.bus``): then a fresh board holding it is
        returned without asking the database.
        """
        if seq is None:
            with db.read_session() as session:
                seq = repository.site_seq(session, site_id)
                if seq is None:
                    raise NotFound("site_not_found", N_("There is no site {site}."), site=site_id)
        board = self._usable(site_id, seq)
        if board is not None:
            return board
        with self._guard:
            lock = self._locks.setdefault(site_id, threading.Lock())
        with lock:
            board = self._usable(site_id, seq)
            if board is None:
                with db.read_session() as session:
                    board = read_board(session, site_id)
                self._boards[site_id] = board
            return board
