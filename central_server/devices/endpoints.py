"""Device endpoints: HTTP only. Rules and permissions are in ``service``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from central_server.deps import BusDep, DbDep, IdempotencyDep, PrincipalDep
from central_server.devices import service
from central_server.devices.schemas import DevicePublic, PrinterPublic, PrinterReport

router = APIRouter(tags=["devices"])


@router.get("/sites/{site}/devices", response_model=list[DevicePublic])
def list_devices(site: str, db: DbDep, principal: PrincipalDep) -> list[DevicePublic]:
    """The site's kiosks and displays with the state of their printers."""
    return service.list_devices(db, site, principal)


@router.post("/sites/{site}/devices/printer", response_model=PrinterPublic)
def report_printer(
    site: str,
    body: PrinterReport,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """The calling kiosk reports its printer's state; a change is a ``device.printer`` event."""
    status, answer = service.report_printer(db, bus, site, principal, body, request)
    return JSONResponse(answer, status_code=status)
