"""Appointment endpoints: HTTP only. Rules and permissions are in ``service``.

Codes travel in request bodies only, never in a path or query string, so they stay out of
access logs.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from central_server.appointments import service
from central_server.appointments.schemas import (
    AppointmentCheckIn,
    AppointmentList,
    AppointmentPublic,
    AppointmentsPush,
    PushResult,
)
from central_server.deps import BusDep, DbDep, IdempotencyDep, PrincipalDep
from central_server.pickups.endpoints import ScanGuardDep
from central_server.tickets.schemas import TicketCreated
from central_server.writes import Answer

router = APIRouter(tags=["appointments"])

PUSH_ERRORS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "invalid_input, appointment_time_without_zone (starts_at without an "
        "offset), unknown_service, appointment_code_empty, appointment_given_twice, "
        "appointment_code_taken (two of one day share a code): nothing was changed"
    }
}
CHECK_IN_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {
        "description": "appointment_not_found: details.reason is unknown, other_day (with "
        "details.day) or other_site (with details.site_name); counts as a wrong scan"
    },
    409: {
        "description": "appointment_too_early (details.check_in_from), appointment_too_late "
        "(details.check_in_until), appointment_checked_in (details.number), "
        "appointment_cancelled"
    },
    429: {"description": "too_many_wrong_scans: too many unknown codes or receipts in a minute"},
}

ExternalId = Annotated[str, Path(min_length=1, max_length=100)]


def _respond(answer: Answer) -> JSONResponse:
    status, body = answer
    return JSONResponse(body, status_code=status)


@router.post("/sites/{site}/appointments", response_model=PushResult, responses=PUSH_ERRORS)
def push(
    site: str,
    body: AppointmentsPush,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """The booking system's appointments: created or updated by ``external_id``. Pushing the
    same again changes nothing; one left out of a later push is not cancelled."""
    return _respond(service.push(db, bus, site, principal, body, request))


@router.get("/sites/{site}/appointments", response_model=AppointmentList)
def list_day(
    site: str,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    day: Annotated[date | None, Query(description="YYYY-MM-DD; the site's today")] = None,
) -> AppointmentList:
    """A day's appointments with their state and, once checked in, their ticket's number."""
    return service.list_day(db, bus, site, principal, day)


# ``:path``: a booking system's id may hold a "/" (sent as %2F, which the router sees decoded).
@router.delete(
    "/sites/{site}/appointments/{external_id:path}",
    response_model=AppointmentPublic,
    responses={
        404: {"description": "appointment_not_found"},
        409: {"description": "appointment_checked_in: it has a ticket (details.number)"},
    },
)
def cancel(
    site: str,
    external_id: ExternalId,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """Cancel an appointment (the booking system's cancellation)."""
    return _respond(service.cancel(db, bus, site, external_id, principal, request))


@router.post(
    "/sites/{site}/appointments/check-in",
    status_code=201,
    response_model=TicketCreated,
    responses=CHECK_IN_ERRORS,
)
def check_in(
    site: str,
    body: AppointmentCheckIn,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    guard: ScanGuardDep,
) -> JSONResponse:
    """At the kiosk: an appointment's code draws its ticket (priority appointment)."""
    return _respond(service.check_in(db, bus, guard, site, principal, body, request))
