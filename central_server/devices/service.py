"""A site's devices, and the printer reports of its kiosks.

A kiosk reports its own printer whenever the printer's state may have changed; the server
keeps the state on the device's row. Only a change is news: it is one ``device.printer``
event in the site's log (so desks and supervisors see a printer run out of paper on the live
stream), while a report of the state already known changes nothing and logs nothing. Events
and logs name the device, never its token.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from central_server.auth.principal import Capability, Principal, require
from central_server.db import Database
from central_server.deps import IdempotentRequest
from central_server.devices import repository
from central_server.devices.schemas import (
    DevicePublic,
    PrinterPublic,
    PrinterReport,
    PrinterState,
)
from central_server.errors import N_, Forbidden
from central_server.events import log as event_log
from central_server.events.bus import EventBus
from central_server.models import Device, Site
from central_server.models._types import utcnow
from central_server.sites import repository as sites_repo
from central_server.writes import Answer, perform


def _public(device: Device) -> DevicePublic:
    return DevicePublic(
        name=device.name,
        kind=device.kind,
        printer_state=PrinterState(device.printer_state) if device.printer_state else None,
        printer_detail=device.printer_detail,
        printer_state_since=device.printer_state_since,
    )


def list_devices(db: Database, slug: str, principal: Principal) -> list[DevicePublic]:
    with db.read_session() as session:
        site = sites_repo.site_by_slug(session, slug)
        require(principal, Capability.READ_DEVICES, site.id)
        return [_public(d) for d in repository.devices_of(session, site.id)]


def report_printer(
    db: Database,
    bus: EventBus,
    slug: str,
    principal: Principal,
    body: PrinterReport,
    request: IdempotentRequest,
) -> Answer:
    """Record the state of the calling kiosk's printer; log ``device.printer`` on a change."""
    site_id = sites_repo.site_id(db, slug)
    require(principal, Capability.REPORT_PRINTER, site_id)
    if principal.kind != "device":
        raise Forbidden("forbidden_role", N_("Your role does not allow this."))

    def change(session: Session, site: Site) -> Answer:
        device = session.get_one(Device, principal.id)
        if device.printer_state != body.state.value:
            device.printer_state = body.state.value
            device.printer_detail = body.detail
            device.printer_state_since = utcnow()
            event_log.append(
                session,
                site,
                "device.printer",
                actor=principal.actor,
                data={
                    "device": device.name,
                    "state": body.state.value,
                    "detail": body.detail,
                    "ticket": body.ticket,
                },
            )
        assert device.printer_state_since is not None
        answer = PrinterPublic(
            device=device.name,
            state=PrinterState(device.printer_state),
            since=device.printer_state_since,
        )
        return 200, answer.model_dump(mode="json")

    return perform(db, bus, site_id, principal, request, change)
