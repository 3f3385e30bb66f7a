"""Issuing tickets: from the server while it answers, from leased numbers while it does not.

Qt-free and blocking: the kiosk window calls it off the GUI thread (``counter_app.qt.tasks``).

Online, the server draws the number (with an Idempotency-Key, so a retry never makes two).
When the server cannot be reached (or has a fault, which changes nothing there), the kiosk
takes the next number of a block the server leased to it in advance (``POST number-leases``,
numbers from 900 up that the server never gives online), marks it used on disk, and keeps the
ticket in its outbox. ``sync`` hands those tickets to the server in the order they were issued,
each with its real issue time and its own Idempotency-Key, so each arrives exactly once and
takes its real place in the queue.

A service the server said issues no more tickets today (a supervisor stopped it, or its daily
contingent is used up) is issued neither online nor offline: its button is greyed with the
server's message. A kiosk that went offline before it learnt of a stop, or while others still
issued the contingent, cannot know: it issues from its leased numbers, so the contingent may be
passed by at most the numbers leased to it (the server leases none for a service that issues no
more); the server takes those tickets when they are uploaded (the citizens hold them). On a new
day the kiosk issues every service again, also offline.

One case stays ambiguous: a request that reached the server but whose answer was lost (a read
timeout). The kiosk then issues an offline number, and the server may hold a second ticket for
that citizen, which a desk will call once and mark as no-show.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from counter_app.core import answers
from counter_app.core.api import TresenClient, offline_ticket_call
from counter_app.core.errors import ServerFault, ServerUnreachable
from counter_app.core.outbox import Outbox
from kiosk.scans import appointment_code
from kiosk.store import KioskStore
from kiosk.ticket import IssuedTicket

log = logging.getLogger("tresen.kiosk.issuer")

LEASE_SIZE = 20
#: The letter of the pickup service: its tickets come only from checking in a receipt
#: (the server's ``central_server.pickups.service.PICKUP_PREFIX``).
PICKUP_PREFIX = "P"


class NoOfflineNumbers(Exception):
    """The server cannot be reached and the kiosk holds no leased number for this service."""


@dataclass(frozen=True)
class Service:
    """A service as the kiosk shows it: names and hints in every citizen language."""

    id: int
    prefix: str
    names: dict[str, str]
    hints: dict[str, str]
    open_now: bool
    hours_today: str
    #: Tickets are issued today (a supervisor may stop a service for the day, and a daily
    #: contingent may be used up); ``stopped_message`` then says so in every language.
    issuing: bool = True
    stopped_message: dict[str, str] = field(default_factory=dict)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("de") or self.prefix

    def hint(self, language: str) -> str:
        return self.hints.get(language) or self.hints.get("de") or ""

    def not_issuing_text(self, language: str) -> str:
        """Why no ticket of this service is issued today, in ``language``."""
        return self.stopped_message.get(language) or self.stopped_message.get("de") or ""

    @classmethod
    def from_api(cls, service: answers.Service) -> Service:
        return cls(
            id=service.id,
            prefix=service.prefix,
            names=dict(service.names) or {"de": service.name},
            hints=dict(service.hints) or {"de": service.hint},
            open_now=service.open_now,
            hours_today=service.hours_today,
            issuing=service.issuing,
            stopped_message=dict(service.stopped_message or {}),
        )


def format_number(prefix: str, number: int) -> str:
    """As the server prints it: ``A007``, ``A903``, ``A1000``."""
    return f"{prefix}{number:03d}"


class TicketIssuer:
    def __init__(
        self,
        client: TresenClient,
        store: KioskStore,
        outbox: Outbox,
        site: str,
        timezone: str = "Europe/Berlin",
        status_base_url: str | None = None,
        lease_size: int = LEASE_SIZE,
    ) -> None:
        self.client = client
        self.store = store
        self.outbox = outbox
        self.site = site
        self.zone = ZoneInfo(timezone)
        self.status_base_url = (status_base_url or client.base_url).rstrip("/")
        self.lease_size = lease_size

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def today(self) -> date:
        return self.now().date()

    def status_url(self, token: str) -> str:
        return f"{self.status_base_url}/t/{token}"

    # Reading the site ---------------------------------------------------------------------

    def load_site(self) -> tuple[str, str, list[Service]]:
        """Site name, time zone and active services. Raises ServerUnreachable offline."""
        site = self.client.site(self.site)
        services = [Service.from_api(s) for s in self.client.services(self.site)]
        self.zone = ZoneInfo(site.timezone)
        copy = {
            "name": site.name,
            "timezone": site.timezone,
            "services": [asdict(s) for s in services],
        }
        self.store.keep_site(self.today(), copy)
        return site.name, site.timezone, services

    def last_known_site(self) -> tuple[str, str, list[Service]] | None:
        """The site as the server last described it to this kiosk, for a start without the
        server (None if it never did). A stop or a used-up contingent was for the day it was
        read on: a copy of an earlier day issues every service again."""
        kept = self.store.last_site()
        if kept is None:
            return None
        day, copy = kept
        self.zone = ZoneInfo(copy["timezone"])
        services = [Service(**s) for s in copy["services"]]
        if day != self.today():
            services = [replace(s, issuing=True, stopped_message={}) for s in services]
        return copy["name"], copy["timezone"], services

    # Issuing ------------------------------------------------------------------------------

    def issue(self, service: Service, language: str) -> IssuedTicket:
        """A ticket for ``service``: the server's, or one issued offline.

        Raises the server's refusal (e.g. the service closed) as ``Rejected``, and
        ``NoOfflineNumbers`` when neither the server nor a leased number is there.
        """
        try:
            body = self.client.create_ticket(self.site, service.id, language=language)
        except (ServerUnreachable, ServerFault) as fault:
            log.warning("server unavailable (%s); issuing offline", fault.__class__.__name__)
            return self.issue_offline(service, language)
        return self._from_server(body, service, language)

    def check_in(self, service: Service, code: str, language: str) -> IssuedTicket:
        """A pickup receipt's code checked in: the ticket of service P the server drew for it.

        Needs the server (only it knows whether the document is ready): raises
        ``ServerUnreachable`` offline, and the server's refusal (``pickup_not_ready`` …).
        """
        body = self.client.check_in_pickup(self.site, code.strip(), language)
        return self._from_server(body, service, language)

    def check_in_appointment(
        self, services: list[Service], code: str, language: str
    ) -> IssuedTicket:
        """A booked appointment's code checked in: its ticket, of the service it was booked for
        (one of ``services``), carrying its time; or a walk-in ticket marked late, where the
        site gives one after the check-in window.

        Needs the server (only it knows the appointments): raises ``ServerUnreachable``
        offline, and the server's refusal (``appointment_too_early`` …).
        """
        body = self.client.check_in_appointment(self.site, appointment_code(code), language)
        service = next((s for s in services if s.id == body.service_id), None)
        if service is None:  # a service this kiosk does not show: its letter stands for it
            names = {"de": body.service_prefix}
            service = Service(body.service_id, body.service_prefix, names, {}, True, "")
        return self._from_server(body, service, language)

    def _from_server(
        self, ticket: answers.IssuedTicket, service: Service, language: str
    ) -> IssuedTicket:
        return IssuedTicket(
            number=ticket.number,
            service_id=service.id,
            service_prefix=service.prefix,
            service_name=service.name(language),
            service_name_de=service.name("de"),
            issued_at=ticket.created_at.astimezone(self.zone),
            language=language,
            status_token=ticket.status_token,
            status_url=self.status_url(ticket.status_token),
            position=ticket.position,
            estimated_wait_minutes=ticket.estimated_wait_minutes,
            appointment_at=(
                None
                if ticket.appointment_at is None
                else ticket.appointment_at.astimezone(self.zone)
            ),
            appointment_late=ticket.appointment_late,
        )

    def issue_offline(self, service: Service, language: str) -> IssuedTicket:
        issued_at = self.now()
        taken = self.store.take_number(service.id, issued_at.date())
        if taken is None:
            raise NoOfflineNumbers(service.prefix)
        token = secrets.token_urlsafe(16)
        number = format_number(taken.prefix, taken.number)
        upload = offline_ticket_call(
            self.site, service.id, language, taken.lease_id, taken.number, issued_at, token
        )
        self.outbox.add(upload, label=number)
        log.info("issued %s offline", number)
        return IssuedTicket(
            number=number,
            service_id=service.id,
            service_prefix=service.prefix,
            service_name=service.name(language),
            service_name_de=service.name("de"),
            issued_at=issued_at,
            language=language,
            status_token=token,
            status_url=self.status_url(token),
            offline=True,
        )

    # Catching up with the server ------------------------------------------------------------

    def pending_uploads(self) -> int:
        return self.outbox.pending_count()

    def sync(self) -> int:
        """Hand the offline tickets to the server, oldest first; how many went. Raises
        ServerUnreachable/ServerFault while the server cannot take them (they stay)."""
        return self.outbox.flush(self.client)

    def ensure_leases(self, services: list[Service]) -> bool:
        """Ask for fresh blocks when a service that issues tickets today has fewer than half a
        block left. True when new numbers were leased. (The server leases none for a service
        that issues no more today: stopped, or its contingent used up.)"""
        today = self.today()
        self.store.forget_leases_before(today)
        services = [s for s in services if s.issuing]
        if all(self.store.numbers_left(s.id, today) >= self.lease_size // 2 for s in services):
            return False
        answer = self.client.lease_numbers(self.site, size=self.lease_size)
        self.store.add_leases(answer.leases)
        return True
