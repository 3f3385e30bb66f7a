"""A site as the queue sees it within one transaction, and tickets as the API shows them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from central_server.db import SHARED
from central_server.models import Site, Ticket
from central_server.models._types import utcnow
from central_server.queue_rules import (
    OPEN_AT_DESK,
    QUEUED,
    Calling,
    DeskRule,
    Priority,
    QueuedTicket,
    RecentCall,
    Status,
    WaitEstimate,
    estimate_waits,
    format_number,
    typical_service_minutes,
)
from central_server.sites.config import DeskInfo, ServiceInfo, SiteConfig, site_config
from central_server.tickets import repository
from central_server.tickets.repository import OpenTicket
from central_server.tickets.schemas import CasePublic, TicketCreated, TicketPublic

#: How far back service times count for the wait estimate.
SERVICE_TIME_WINDOW = timedelta(hours=8)
#: How long a process uses the recent service times it read for a site's wait estimates. A
#: ticket finished in this process is added to them as it commits; one finished in another
#: process counts within these seconds.
SERVICE_TIMES_SECONDS = 10.0
#: How far back and how many of a site's latest calls count for "appointments in a row" (the
#: cap is a handful; a site's desks call a few hundred a day).
RECENT_CALLS_WINDOW = timedelta(hours=4)
RECENT_CALLS_LIMIT = 50
#: How many recent service times per service the estimate takes (the latest).
SERVICE_TIMES_PER_SERVICE = 20
#: Name of the process's kept service times in ``Database.shared``: site id -> (until, times).
_SERVICE_TIMES = "service_times"
#: Session.info key: site id -> [(service id, minutes)] of the tickets the session's
#: transaction finished.
_SERVICE_TIMES_CHANGED = "tresen_service_times_changed"
#: Statuses of tickets at a desk (called, being served, set aside).
AT_DESK = frozenset({Status.CALLED, Status.SERVING, Status.PARKED})


def as_queued(ticket: Ticket | OpenTicket) -> QueuedTicket:
    return QueuedTicket(
        id=ticket.id,
        service_id=ticket.service_id,
        priority=Priority(ticket.priority),
        queued_at=ticket.queued_at,
        target_desk_id=ticket.target_desk_id,
        number=ticket.number,
        appointment_at=ticket.appointment_at,
    )


def _service_times(session: Session) -> dict[int, tuple[float, dict[int, list[float]]]] | None:
    shared = session.info.get(SHARED)
    return shared.setdefault(_SERVICE_TIMES, {}) if shared is not None else None


def _recent_service_minutes(session: Session, site_id: int) -> dict[int, list[float]]:
    """The site's recent service times per service, kept per process for
    ``SERVICE_TIMES_SECONDS``: every new ticket's estimate needs them, and they change only
    when a ticket is finished."""
    kept = _service_times(session)
    changed_here = site_id in session.info.get(_SERVICE_TIMES_CHANGED, ())
    if kept is not None and not changed_here:
        found = kept.get(site_id)
        if found is not None and found[0] > time.monotonic():
            return found[1]
    until = time.monotonic() + SERVICE_TIMES_SECONDS
    recent = repository.recent_service_minutes(
        session, site_id, utcnow() - SERVICE_TIME_WINDOW, SERVICE_TIMES_PER_SERVICE
    )
    if kept is not None and not changed_here:
        kept[site_id] = (until, recent)
    return recent


def ticket_finished(session: Session, ticket: Ticket) -> None:
    """``ticket`` was finished in the session's transaction: the transaction reads its site's
    service times anew, and once it commits the process's kept times get its service time."""
    if ticket.started_at is None or ticket.finished_at is None:
        return
    minutes = (ticket.finished_at - ticket.started_at).total_seconds() / 60
    changed = session.info.setdefault(_SERVICE_TIMES_CHANGED, {})
    changed.setdefault(ticket.site_id, []).append((ticket.service_id, minutes))


@event.listens_for(Session, "after_commit")
def _add_service_times(session: Session) -> None:
    changed: dict[int, list[tuple[int, float]]] | None = session.info.pop(
        _SERVICE_TIMES_CHANGED, None
    )
    kept = _service_times(session) if changed else None
    if not changed or kept is None:
        return
    for site_id, finished in changed.items():
        found = kept.get(site_id)
        if found is None:
            continue
        times = dict(found[1])  # a new mapping: readers may be iterating the kept one
        for service_id, minutes in finished:
            latest = [minutes, *times.get(service_id, [])]
            times[service_id] = latest[:SERVICE_TIMES_PER_SERVICE]
        kept[site_id] = (found[0], times)


@event.listens_for(Session, "after_rollback")
def _keep_service_times(session: Session) -> None:
    session.info.pop(_SERVICE_TIMES_CHANGED, None)


def desk_rule(desk: DeskInfo) -> DeskRule:
    return DeskRule(id=desk.id, service_ids=desk.service_ids, open=desk.state == "open")


#: The desk rules of the newest configuration of each site (a configuration never changes).
_RULES: dict[int, tuple[SiteConfig, tuple[DeskRule, ...]]] = {}


def _desk_rules(config: SiteConfig) -> tuple[DeskRule, ...]:
    found = _RULES.get(config.site_id)
    if found is not None and found[0] is config:
        return found[1]
    rules = tuple(desk_rule(d) for d in config.desks.values())
    _RULES[config.site_id] = (config, rules)
    return rules


#: The id a new ticket has in a view until it is flushed: after every real id in the queue's
#: order (``queue_key`` ends with the id), as the newest ticket's id will be.
_NEWCOMER = 2**62

#: The statuses of the tickets a site's view holds: queued, or at a desk.
OPEN = QUEUED | AT_DESK


@dataclass
class SiteView:
    """The site's services, desks and open tickets within one transaction.

    ``services`` and ``desks`` come from the process's kept configuration
    (``central_server.sites.config``): plain objects, current for the site row the caller read.
    The open tickets (queued or at a desk) are read once, when first used: many actions
    (start, finish, park, ...) never need them. A change reads them as plain rows
    (:attr:`open_rows`, for the rules, the estimates and the desk check); a reader, which shows
    them whole, as tickets (:attr:`open_tickets`).
    """

    site: Site
    config: SiteConfig
    _open: list[Ticket] | None = field(default=None, repr=False)
    _rows: list[OpenTicket] | None = field(default=None, repr=False)
    _queued: list[Ticket] | None = field(default=None, repr=False)
    _estimates: dict[int, WaitEstimate] | None = field(default=None, repr=False)
    _session: Session | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, session: Session, site: Site) -> SiteView:
        return cls(site=site, config=site_config(session, site), _session=session)

    @property
    def services(self) -> Mapping[int, ServiceInfo]:
        return self.config.services

    @property
    def desks(self) -> Mapping[int, DeskInfo]:
        return self.config.desks

    @property
    def open_tickets(self) -> list[Ticket]:
        """The site's tickets in a queue or at a desk, read in one query."""
        if self._open is None:
            if self._session is None:
                raise RuntimeError("SiteView without a session cannot read the queue")
            self._open = repository.tickets_in(self._session, self.site.id, OPEN)
        return self._open

    @property
    def open_rows(self) -> list[OpenTicket]:
        """The site's tickets in a queue or at a desk, as plain rows (one query)."""
        if self._rows is None and self._open is not None:  # a reader's: no second query
            self._rows = [
                OpenTicket(
                    t.id,
                    t.service_id,
                    t.priority,
                    t.queued_at,
                    t.target_desk_id,
                    t.number,
                    t.prefix,
                    t.status,
                    t.desk_id,
                    t.appointment_at,
                )
                for t in self._open
            ]
        if self._rows is None:
            if self._session is None:
                raise RuntimeError("SiteView without a session cannot read the queue")
            self._rows = repository.open_ticket_rows(self._session, self.site.id, OPEN)
        return self._rows

    def queued_rules(self) -> list[QueuedTicket]:
        """The queued tickets as the queue's rules see them."""
        return [as_queued(t) for t in self.open_rows if t.status in QUEUED]

    @property
    def queued(self) -> list[Ticket]:
        if self._queued is None:
            self._queued = [t for t in self.open_tickets if t.status in QUEUED]
        return self._queued

    def at_desks(self) -> list[Ticket]:
        return [t for t in self.open_tickets if t.status in AT_DESK]

    def open_at_desk(self, desk_id: int) -> OpenTicket | None:
        """The ticket the desk must finish before it calls the next (see ``OPEN_AT_DESK``)."""
        for ticket in self.open_rows:
            if ticket.desk_id == desk_id and ticket.status in OPEN_AT_DESK:
                return ticket
        return None

    def desk_code(self, desk_id: int | None) -> str | None:
        desk = self.desks.get(desk_id) if desk_id is not None else None
        return desk.code if desk is not None else None

    def desk_rules(self) -> list[DeskRule]:
        return list(_desk_rules(self.config))

    @property
    def lead(self) -> timedelta:
        """How long before its time an appointment becomes due (the site's setting)."""
        return timedelta(minutes=self.site.appointment_lead_minutes)

    def calling(self, session: Session, now: datetime) -> Calling:
        """What the desks' order depends on besides the queue (``queue_rules.Calling``): the
        moment, the site's appointment settings, the services' targets and, while an
        appointment waits, the site's latest calls (one indexed query; none without
        appointments, where the order cannot depend on them)."""
        site = self.site
        recent: tuple[RecentCall, ...] = ()
        if any(t.priority == Priority.APPOINTMENT for t in self.queued_rules()):
            desk_ids = {d.code: d.id for d in self.desks.values()}
            recent = tuple(
                RecentCall(
                    service_id=int(data["ticket"]["service_id"]),
                    appointment=data["ticket"]["priority"] == Priority.APPOINTMENT,
                    desk_id=desk_ids.get(code) if code else None,
                )
                for code, data in repository.recent_calls(
                    session, site.id, now - RECENT_CALLS_WINDOW, RECENT_CALLS_LIMIT
                )
            )
        return Calling(
            now=now,
            lead=self.lead,
            cap=site.appointments_in_a_row,
            target_wait_minutes={sid: s.target_wait_minutes for sid, s in self.services.items()},
            recent_calls=recent,
        )

    def service_minutes(self, session: Session) -> dict[int, float]:
        """The typical service time of each service (see ``typical_service_minutes``)."""
        recent = _recent_service_minutes(session, self.site.id)
        return {
            sid: typical_service_minutes(recent.get(sid, []), s.default_service_minutes)
            for sid, s in self.services.items()
        }

    def estimates(self, session: Session) -> dict[int, WaitEstimate]:
        if self._estimates is None:
            minutes = self.service_minutes(session)
            self._estimates = estimate_waits(
                self.queued_rules(), self.desk_rules(), minutes, utcnow(), self.lead
            )
        return self._estimates

    def estimate_newcomer(self, session: Session, ticket: Ticket) -> WaitEstimate:
        """The estimate of ``ticket``, new and not yet flushed, in the queue as it is: what the
        kiosk will print. Call :meth:`newcomer_is` once it has its id; the view then holds it
        as if read after the flush, so the answer needs no second read of the queue."""
        with session.no_autoflush:
            rows = list(self.open_rows)
        rows.append(
            OpenTicket(
                _NEWCOMER,
                ticket.service_id,
                ticket.priority,
                ticket.queued_at,
                None,
                ticket.number,
                ticket.prefix,
                ticket.status,
                None,
                ticket.appointment_at,
            )
        )
        self._rows, self._open, self._queued, self._estimates = rows, None, None, None
        return self.estimates(session)[_NEWCOMER]

    def newcomer_is(self, ticket_id: int) -> None:
        """The ticket of :meth:`estimate_newcomer` was flushed with ``ticket_id``."""
        assert self._rows is not None and self._estimates is not None
        self._rows = [
            replace(row, id=ticket_id) if row.id == _NEWCOMER else row for row in self._rows
        ]
        self._estimates[ticket_id] = self._estimates.pop(_NEWCOMER)

    def walk_in_estimate(
        self, service_id: int, now: datetime, minutes: Mapping[int, float]
    ) -> WaitEstimate:
        """What a walk-in taking a ticket of ``service_id`` at ``now`` would be told: the same
        rules as for the tickets in the queue, with one more at its end."""
        newcomer = QueuedTicket(
            id=0, service_id=service_id, priority=Priority.NORMAL, queued_at=now, number=0
        )
        found = estimate_waits(
            [*self.queued_rules(), newcomer], self.desk_rules(), minutes, now, self.lead
        )
        return found[0]

    def public(
        self, session: Session, ticket: Ticket, *, include_case: bool = False
    ) -> TicketPublic:
        return TicketPublic(**self._fields(session, ticket, include_case))

    def created(self, session: Session, ticket: Ticket) -> TicketCreated:
        return TicketCreated(
            **self._fields(session, ticket, False), status_token=ticket.status_token
        )

    def _fields(self, session: Session, ticket: Ticket, include_case: bool) -> dict[str, object]:
        estimate = self.estimates(session).get(ticket.id) if ticket.status in QUEUED else None
        case = ticket.case if include_case else None
        return {
            "id": ticket.id,
            "number": format_number(ticket.prefix, ticket.number),
            "service_id": ticket.service_id,
            "service_prefix": self.services[ticket.service_id].prefix,
            "status": Status(ticket.status),
            "priority": Priority(ticket.priority),
            "language": ticket.language,
            "desk": self.desk_code(ticket.desk_id),
            "target_desk": self.desk_code(ticket.target_desk_id),
            "position": estimate.position if estimate else None,
            "estimated_wait_minutes": estimate.minutes if estimate else None,
            "created_at": ticket.created_at,
            "queued_at": ticket.queued_at,
            "called_at": ticket.called_at,
            "started_at": ticket.started_at,
            "finished_at": ticket.finished_at,
            "recall_count": ticket.recall_count,
            "transfer_count": ticket.transfer_count,
            "issued_offline": ticket.issued_offline,
            "appointment_at": ticket.appointment_at,
            "appointment_late": ticket.appointment_late,
            "case": CasePublic.model_validate(case, from_attributes=True) if case else None,
        }

    def event_summary(self, ticket: Ticket) -> dict[str, object]:
        """What the event log keeps of a ticket: never case notes or any personal data."""
        return {
            "id": ticket.id,
            "number": format_number(ticket.prefix, ticket.number),
            "service_id": ticket.service_id,
            "status": ticket.status,
            "priority": ticket.priority,
            "desk": self.desk_code(ticket.desk_id),
            "target_desk": self.desk_code(ticket.target_desk_id),
            "queued_at": ticket.queued_at.isoformat(),
            "issued_offline": ticket.issued_offline,
            "appointment_at": (
                ticket.appointment_at.isoformat() if ticket.appointment_at is not None else None
            ),
            "appointment_late": ticket.appointment_late,
        }
