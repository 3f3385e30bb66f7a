"""Who is asking: a signed-in user or a device, with roles and the sites they may act at."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from central_server.errors import N_, Forbidden
from resources.vocabulary import DeviceKind


class Role(StrEnum):
    CLERK = "clerk"
    PICKUP = "pickup"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    #: Read-only figures: office management, internal audit (issue 14).
    STATISTICS = "statistics"
    # Devices act in the role of their kind.
    KIOSK = DeviceKind.KIOSK.value
    DISPLAY = DeviceKind.DISPLAY.value
    INTEGRATION = DeviceKind.INTEGRATION.value


USER_ROLES = frozenset({Role.CLERK, Role.PICKUP, Role.SUPERVISOR, Role.ADMIN, Role.STATISTICS})
#: A device acts in the role named like its kind.
DEVICE_KINDS = frozenset(Role(kind) for kind in DeviceKind)


class Capability(StrEnum):
    READ_SERVICES = "read_services"
    CREATE_TICKET = "create_ticket"
    READ_QUEUE = "read_queue"
    READ_CASES = "read_cases"
    OPERATE_DESK = "operate_desk"
    READ_EVENTS = "read_events"
    #: Order a document for pickup, mark it ready on its shelf slot, cancel it.
    ORDER_PICKUP = "order_pickup"
    #: See pickups by id or in a site's list (holder name included).
    READ_PICKUPS = "read_pickups"
    #: Look a receipt up and hand the document over, after the ID check.
    HAND_OVER = "hand_over"
    #: Check in with a pickup receipt at the kiosk (draws a ticket of service P).
    CHECK_IN = "check_in"
    #: Lease numbers for issuing tickets offline, and upload the tickets issued with them.
    ISSUE_OFFLINE = "issue_offline"
    #: Report the state of one's own ticket printer (a kiosk device).
    REPORT_PRINTER = "report_printer"
    #: See a site's devices and the state of their printers.
    READ_DEVICES = "read_devices"
    #: Read the statistics and reports of a site (times, counts, outcomes; no case text).
    READ_STATISTICS = "read_statistics"
    #: Read the supervisor's live board of a site (desks, services against their targets,
    #: alerts).
    READ_BOARD = "read_board"
    #: Steer a site: the services a desk calls, stopping and resuming a service's tickets for
    #: the day, moving a waiting ticket to another service, cancelling one with a reason.
    STEER = "steer"
    #: Push, update and cancel a site's appointments (the booking system, a supervisor).
    MANAGE_APPOINTMENTS = "manage_appointments"
    #: List a site's appointments of a day with their state.
    READ_APPOINTMENTS = "read_appointments"


#: What only a device does for itself: nobody else has its printer.
DEVICE_ONLY = frozenset({Capability.REPORT_PRINTER})


GRANTS: dict[Role, frozenset[Capability]] = {
    Role.CLERK: frozenset(
        {
            Capability.READ_SERVICES,
            Capability.CREATE_TICKET,
            Capability.READ_QUEUE,
            Capability.READ_CASES,
            Capability.OPERATE_DESK,
            Capability.READ_EVENTS,
            Capability.ORDER_PICKUP,
            Capability.READ_PICKUPS,
            Capability.READ_DEVICES,
            Capability.READ_APPOINTMENTS,
        }
    ),
    Role.PICKUP: frozenset(
        {
            Capability.READ_SERVICES,
            Capability.READ_QUEUE,
            Capability.OPERATE_DESK,
            Capability.READ_EVENTS,
            Capability.READ_PICKUPS,
            Capability.HAND_OVER,
            Capability.READ_DEVICES,
        }
    ),
    Role.SUPERVISOR: frozenset(Capability) - DEVICE_ONLY,
    Role.ADMIN: frozenset(
        {
            Capability.READ_SERVICES,
            Capability.READ_QUEUE,
            Capability.READ_EVENTS,
            Capability.READ_DEVICES,
            Capability.READ_BOARD,
            Capability.READ_STATISTICS,
        }
    ),
    Role.STATISTICS: frozenset({Capability.READ_SERVICES, Capability.READ_STATISTICS}),
    Role.KIOSK: frozenset(
        {
            Capability.READ_SERVICES,
            Capability.CREATE_TICKET,
            Capability.CHECK_IN,
            Capability.ISSUE_OFFLINE,
            Capability.REPORT_PRINTER,
        }
    ),
    #: The booking system: its appointments, nothing else.
    Role.INTEGRATION: frozenset(
        {Capability.MANAGE_APPOINTMENTS, Capability.READ_APPOINTMENTS, Capability.READ_SERVICES}
    ),
    Role.DISPLAY: frozenset(
        {
            Capability.READ_SERVICES,
            Capability.READ_QUEUE,
            Capability.READ_EVENTS,
            Capability.READ_DEVICES,
        }
    ),
}


@dataclass(frozen=True)
class Principal:
    kind: Literal["user", "device"]
    id: int
    name: str
    roles: frozenset[Role]
    #: The sites this principal may act at; None means every site (an admin).
    site_ids: frozenset[int] | None

    @property
    def key(self) -> str:
        """A stable name for idempotency records and the event log."""
        return f"{self.kind}:{self.id}"

    @property
    def actor(self) -> str:
        return self.name if self.kind == "user" else f"device:{self.name}"

    def can(self, capability: Capability) -> bool:
        return any(capability in GRANTS[role] for role in self.roles)

    def works_at(self, site_id: int) -> bool:
        return self.site_ids is None or site_id in self.site_ids

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


def require(principal: Principal, capability: Capability, site_id: int) -> None:
    """Refuse unless ``principal`` has ``capability`` at the site."""
    if not principal.can(capability):
        raise Forbidden(
            "forbidden_role", N_("Your role does not allow this."), capability=capability.value
        )
    if not principal.works_at(site_id):
        raise Forbidden("forbidden_site", N_("You are not signed up for this site."))
