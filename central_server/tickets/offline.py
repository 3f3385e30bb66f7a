"""Offline numbers: leases for the kiosk, and the tickets it issued while the server was away.

While it reaches the server, a kiosk keeps a stock of numbers: :func:`lease_numbers` sets aside
one range per active service of the site (open now or not; not one that issues no more tickets
today: stopped by a supervisor, or its contingent used up) for the site's local day, by the
rules of ``central_server.queue_rules`` (``lease_range``; online drawing skips leased ranges).
Offline, the kiosk prints tickets with those numbers, a status token of its own making and the
moment printed; back online it uploads each through ``POST /sites/{site}/tickets`` with
``offline``. :func:`accept_upload` checks an upload before anything is written; each refusal has
its own code and changes nothing:

* ``lease_not_found`` (404): no such lease at this site;
* ``lease_foreign`` (403): the lease is another device's (a supervisor may upload with any
  lease of their site, e.g. for a kiosk that broke down);
* ``number_outside_lease``, ``lease_prefix_mismatch`` (422): the number or the service does
  not fit the lease;
* ``issued_at_invalid`` (422): no time zone, more than :data:`CLOCK_SKEW` in the future, or
  not on the lease's local day;
* ``status_token_invalid`` (422): not 22 to 64 characters of ``A-Z a-z 0-9 _ -``;
* ``service_closed`` (409): the service was closed at ``issued_at`` (opening hours are checked
  then, not now: a ticket printed while it was open is accepted later);
* ``number_taken``, ``status_token_taken`` (409): another ticket has it already.

A repeat with the same ``Idempotency-Key`` gets the first answer (``central_server.writes``).
The uploaded ticket's ``created_at`` and ``queued_at`` are ``issued_at``: the queue orders by
``queued_at``, so the citizen takes their real place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from central_server.auth.principal import Capability, Principal, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.errors import N_, Conflict, Forbidden, InvalidInput, NotFound
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import NumberLease, Service, Site
from central_server.models._types import utcnow
from central_server.queue_rules import format_number, lease_range
from central_server.sites import hours
from central_server.sites import repository as sites_repo
from central_server.sites.config import ServiceInfo
from central_server.steering import issuing
from central_server.tickets import repository
from central_server.tickets.schemas import (
    LeasePublic,
    LeaseRequest,
    LeasesPublic,
    OfflineIssue,
)
from central_server.writes import Answer, perform

#: How far a kiosk's clock may run ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)
#: A status token made by the kiosk: as long and as random as the server's own.
STATUS_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def lease_numbers(
    db: Database,
    bus: EventBus,
    slug: str,
    principal: Principal,
    body: LeaseRequest,
    request: IdempotentRequest,
) -> Answer:
    """Lease ``body.size`` numbers of every active service that issues tickets today; log
    ``numbers.leased``."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.ISSUE_OFFLINE, site_id)
    device_id = principal.id if principal.kind == "device" else None

    def change(session: Session, site: Site) -> Answer:
        now = utcnow()
        day = now.astimezone(ZoneInfo(site.timezone)).date()
        made: list[tuple[Service, NumberLease]] = []
        offered = sites_repo.services_of(session, site.id, active_only=True)
        issued = repository.issued_on(session, site.id, day, {s.prefix for s in offered})
        for service in offered:
            if issuing.why_not_issuing(service, day, issued.get(service.prefix, 0)) is not None:
                continue  # stopped today, or its contingent used up: nothing to issue offline
            numbers = lease_range(
                body.size,
                repository.leased_ranges(session, site.id, service.prefix, day),
                repository.counter_last(session, site.id, service.prefix, day),
            )
            lease = NumberLease(
                site_id=site.id,
                device_id=device_id,
                prefix=service.prefix,
                day=day,
                first=numbers.first,
                last=numbers.last,
                created_at=now,
            )
            session.add(lease)
            session.flush()
            made.append((service, lease))
        if made:
            event_log.append(
                session,
                site,
                "numbers.leased",
                actor=principal.actor,
                data={
                    "device": principal.name if device_id is not None else None,
                    "day": day.isoformat(),
                    "leases": {
                        lease.prefix: {"id": lease.id, "first": lease.first, "last": lease.last}
                        for _service, lease in made
                    },
                },
            )
        answer = LeasesPublic(
            day=day,
            leases=[
                LeasePublic(
                    id=lease.id,
                    service_id=service.id,
                    prefix=lease.prefix,
                    day=lease.day,
                    first=lease.first,
                    last=lease.last,
                )
                for service, lease in made
            ],
        )
        return 201, answer.model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)


@dataclass(frozen=True)
class Issued:
    """A new ticket's day, number, time and status token; ``lease_id`` for one issued offline
    (None: drawn online now)."""

    day: date
    number: int
    at: datetime
    status_token: str
    lease_id: int | None = None


def issued_at_problem(issued_at: datetime, now: datetime, zone: tzinfo, day: date) -> str | None:
    """Why ``issued_at`` cannot be the time a ticket of ``day`` (at a site in ``zone``) was
    printed, given the server's ``now``; None when it can."""
    if issued_at.tzinfo is None or issued_at.utcoffset() is None:
        return N_("The time the ticket was issued must include its time zone.")
    if issued_at - now > CLOCK_SKEW:
        return N_("The ticket was issued in the future. Please check the kiosk's clock.")
    try:
        local_day = issued_at.astimezone(zone).date()
    except OverflowError:  # year 1 or 9999 moved across midnight
        local_day = None
    if local_day != day:
        return N_("The ticket was not issued on {day}, the day its number was leased for.")
    return None


def accept_upload(
    session: Session,
    site: Site,
    service: Service | ServiceInfo,
    principal: Principal,
    offline: OfflineIssue,
) -> Issued:
    """Check an uploaded offline ticket (see the module's docstring) inside the site's lock.

    The caller has checked the principal's capability and that ``service`` is active.
    """
    lease = repository.lease_by_id(session, offline.lease_id)
    if lease is None or lease.site_id != site.id:
        raise NotFound(
            "lease_not_found",
            N_("There is no number lease {lease} at this site."),
            lease=offline.lease_id,
        )
    if principal.kind == "device" and lease.device_id != principal.id:
        raise Forbidden(
            "lease_foreign",
            N_("Number lease {lease} belongs to another device."),
            lease=lease.id,
        )
    if not lease.first <= offline.number <= lease.last:
        raise InvalidInput(
            "number_outside_lease",
            N_("Number {number} is not in number lease {lease} ({first} to {last})."),
            number=format_number(lease.prefix, offline.number),
            lease=lease.id,
            first=format_number(lease.prefix, lease.first),
            last=format_number(lease.prefix, lease.last),
        )
    if service.prefix != lease.prefix:
        raise InvalidInput(
            "lease_prefix_mismatch",
            N_("Number lease {lease} is for numbers starting with {prefix}, not for this service."),
            lease=lease.id,
            prefix=lease.prefix,
        )
    zone = ZoneInfo(site.timezone)
    problem = issued_at_problem(offline.issued_at, utcnow(), zone, lease.day)
    if problem is not None:
        raise InvalidInput("issued_at_invalid", problem, day=lease.day.isoformat())
    if not STATUS_TOKEN.fullmatch(offline.status_token):
        raise InvalidInput(
            "status_token_invalid",
            N_("The status token must have 22 to 64 characters of A-Z, a-z, 0-9, _ and -."),
        )
    local_issued = offline.issued_at.astimezone(zone)
    if not hours.is_open(service.hours, local_issued):
        raise Conflict(
            "service_closed",
            N_(
                "This service was closed at {time}, when the ticket was issued. "
                "Opening hours that day: {hours}"
            ),
            time=local_issued.strftime("%H:%M"),
            hours=hours.today_text(service.hours, local_issued) or "—",
        )
    taken = repository.ticket_with_number(session, site.id, lease.prefix, lease.day, offline.number)
    if taken is not None:
        raise Conflict(
            "number_taken",
            N_("Number {number} has been given to another ticket already."),
            number=format_number(lease.prefix, offline.number),
            ticket=taken.id,
        )
    if repository.status_token_used(session, offline.status_token):
        raise Conflict(
            "status_token_taken", N_("This status token belongs to another ticket already.")
        )
    return Issued(
        day=lease.day,
        number=offline.number,
        at=offline.issued_at.astimezone(UTC),
        status_token=offline.status_token,
        lease_id=lease.id,
    )
