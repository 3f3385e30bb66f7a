"""Issuing tickets: from the server while it answers, from leased numbers while it does not.

Qt-free and blocking: the kiosk window calls it off the GUI thread (``counter_app.qt.tasks``).

Online, the server draws the number (with an Idempotency-Key, so a retry never makes two).
When the server cannot be reached (or has a fault, which changes nothing there), the kiosk
takes the next number of a block the server leased to it in advance (``POST number-leases``,
numbers from 900 up that the server never gives online), marks it used on disk, and keeps the
ticket in its outbox. ``sync`` hands those tickets to the server in the order they were issued,
each with its real issue time and its own Idempotency-Key, so each arrives exactly once and
takes its real place in the queue.

One case stays ambiguous: a request that reached the server but whose answer was lost (a read
timeout). The kiosk then issues an offline number, and the server may hold a second ticket for
that citizen, which a desk will call once and mark as no-show.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from counter_app.core.api import TresenClient
from counter_app.core.errors import ServerFault, ServerUnreachable
from counter_app.core.outbox import Outbox
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

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("de") or self.prefix

    def hint(self, language: str) -> str:
        return self.hints.get(language) or self.hints.get("de") or ""

    @classmethod
    def from_api(cls, body: dict[str, Any]) -> Service:
        return cls(
            id=int(body["id"]),
            prefix=str(body["prefix"]),
            names=dict(body.get("names") or {"de": body.get("name", "")}),
            hints=dict(body.get("hints") or {"de": body.get("hint", "")}),
            open_now=bool(body.get("open_now", True)),
            hours_today=str(body.get("hours_today", "")),
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
        self.zone = ZoneInfo(site.get("timezone", "Europe/Berlin"))
        return str(site["name"]), str(site.get("timezone", "Europe/Berlin")), services

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

    def _from_server(self, body: dict[str, Any], service: Service, language: str) -> IssuedTicket:
        return IssuedTicket(
            number=body["number"],
            service_id=service.id,
            service_prefix=service.prefix,
            service_name=service.name(language),
            service_name_de=service.name("de"),
            issued_at=datetime.fromisoformat(body["created_at"]).astimezone(self.zone),
            language=language,
            status_token=body["status_token"],
            status_url=self.status_url(body["status_token"]),
            position=body.get("position"),
            estimated_wait_minutes=body.get("estimated_wait_minutes"),
        )

    def issue_offline(self, service: Service, language: str) -> IssuedTicket:
        issued_at = self.now()
        taken = self.store.take_number(service.id, issued_at.date())
        if taken is None:
            raise NoOfflineNumbers(service.prefix)
        token = secrets.token_urlsafe(16)
        number = format_number(taken.prefix, taken.number)
        body = {
            "service_id": service.id,
            "language": language,
            "offline": {
                "lease_id": taken.lease_id,
                "number": taken.number,
                "issued_at": issued_at.isoformat(),
                "status_token": token,
            },
        }
        self.outbox.add("POST", f"/sites/{self.site}/tickets", body, label=number)
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
        """Ask for fresh blocks when a service has fewer than half a block left today.
        True when new numbers were leased."""
        today = self.today()
        self.store.forget_leases_before(today)
        if all(self.store.numbers_left(s.id, today) >= self.lease_size // 2 for s in services):
            return False
        answer = self.client.lease_numbers(self.site, size=self.lease_size)
        self.store.add_leases(list(answer["leases"]))
        return True
