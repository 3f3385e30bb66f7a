"""A site as the queue sees it within one transaction, and tickets as the API shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from central_server.models import Desk, Service, Site, Ticket
from central_server.models._types import utcnow
from central_server.queue_rules import (
    QUEUED,
    DeskRule,
    Priority,
    QueuedTicket,
    Status,
    WaitEstimate,
    estimate_waits,
    format_number,
    typical_service_minutes,
)
from central_server.sites import repository as sites_repo
from central_server.tickets import repository
from central_server.tickets.schemas import CasePublic, TicketCreated, TicketPublic

#: How far back service times count for the wait estimate.
SERVICE_TIME_WINDOW = timedelta(hours=8)


def as_queued(ticket: Ticket) -> QueuedTicket:
    return QueuedTicket(
        id=ticket.id,
        service_id=ticket.service_id,
        priority=Priority(ticket.priority),
        queued_at=ticket.queued_at,
        target_desk_id=ticket.target_desk_id,
        number=ticket.number,
    )


def desk_rule(desk: Desk) -> DeskRule:
    return DeskRule(
        id=desk.id,
        service_ids=tuple(link.service_id for link in desk.services),
        open=desk.state == "open",
    )


#: Session.info key of the services and desks read in the session's current transaction.
_CONFIG_KEY = "tresen_site_view_config"


def _services_and_desks(session: Session, site: Site) -> tuple[dict[int, Service], dict[int, Desk]]:
    """The site's services and desks, read once per transaction.

    A ticket action looks at the site before and after its change; both times the query would
    return the same objects from the session's identity map (a query does not overwrite loaded
    objects, and changes made in the transaction are on those objects already), so the second
    time the objects are taken from the first.
    """
    transaction = session.get_transaction()
    cached = session.info.get(_CONFIG_KEY)
    if (
        cached is not None
        and transaction is not None
        and cached[0] is transaction
        and cached[1] == site.id
    ):
        return dict(cached[2]), dict(cached[3])
    services = {s.id: s for s in sites_repo.services_of(session, site.id)}
    desks = {d.id: d for d in repository.desks_with_services(session, site.id)}
    if transaction is not None:
        session.info[_CONFIG_KEY] = (transaction, site.id, services, desks)
    return dict(services), dict(desks)


@dataclass
class SiteView:
    """The site's services, desks and queue within one transaction.

    ``queued`` (the tickets standing in the queue) is read when it is first used: many actions
    (start, finish, park, ...) never need it.
    """

    site: Site
    services: dict[int, Service]
    desks: dict[int, Desk]
    _queued: list[Ticket] | None = field(default=None, repr=False)
    _estimates: dict[int, WaitEstimate] | None = field(default=None, repr=False)
    _session: Session | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, session: Session, site: Site) -> SiteView:
        services, desks = _services_and_desks(session, site)
        return cls(site=site, services=services, desks=desks, _session=session)

    @property
    def queued(self) -> list[Ticket]:
        if self._queued is None:
            if self._session is None:
                raise RuntimeError("SiteView without a session cannot read the queue")
            self._queued = repository.queued_tickets(self._session, self.site.id)
        return self._queued

    def desk_code(self, desk_id: int | None) -> str | None:
        return self.desks[desk_id].code if desk_id in self.desks else None

    def desk_rules(self) -> list[DeskRule]:
        return [desk_rule(d) for d in self.desks.values()]

    def estimates(self, session: Session) -> dict[int, WaitEstimate]:
        if self._estimates is None:
            recent = repository.recent_service_minutes(
                session, self.site.id, utcnow() - SERVICE_TIME_WINDOW
            )
            minutes = {
                sid: typical_service_minutes(recent.get(sid, []), s.default_service_minutes)
                for sid, s in self.services.items()
            }
            self._estimates = estimate_waits(
                [as_queued(t) for t in self.queued], self.desk_rules(), minutes
            )
        return self._estimates

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
        }
