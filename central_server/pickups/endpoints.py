"""Pickup endpoints: HTTP only. Rules and permissions are in ``service``.

Receipt tokens travel in request bodies only, never in a path or query string, so they stay
out of access logs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from central_server.deps import BusDep, DbDep, IdempotencyDep, IdPath, PrincipalDep, SettingsDep
from central_server.pickups import service
from central_server.pickups.scans import ScanGuard
from central_server.pickups.schemas import (
    CheckInRequest,
    HandOverRequest,
    MissingReceiptRequest,
    PickupCreate,
    PickupCreated,
    PickupPublic,
    PickupSearch,
    PickupSearchAnswer,
    PickupStatus,
    ReadyRequest,
    TokenRequest,
)
from central_server.tickets.schemas import TicketCreated
from central_server.writes import Answer

router = APIRouter(tags=["pickups"])


def get_scan_guard(request: Request) -> ScanGuard:
    return request.app.state.pickup_scan_guard


ScanGuardDep = Annotated[ScanGuard, Depends(get_scan_guard)]

CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the pickup's state does not allow this; the code says why"}
}
SCANS: dict[int | str, dict[str, Any]] = {
    404: {"description": "pickup_unknown: no such receipt at a site of the caller"},
    429: {"description": "too_many_wrong_scans: too many unknown receipts in a minute"},
}


def ready_page(request: Request, settings: SettingsDep) -> str:
    """The public "Ready yet?" page's address for a receipt: at the server's ``public_url``,
    else at the address the desk reached it at (the same in a small office)."""
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + "/p"


ReadyPageDep = Annotated[str, Depends(ready_page)]


def _respond(answer: Answer) -> JSONResponse:
    status, body = answer
    return JSONResponse(body, status_code=status)


@router.post(
    "/sites/{site}/pickups", status_code=201, response_model=PickupCreated, responses=CONFLICT
)
def create_pickup(
    site: str,
    body: PickupCreate,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    page: ReadyPageDep,
) -> JSONResponse:
    """Record a document ordered for a citizen. The receipt's token is in this answer only."""
    return _respond(service.create_pickup(db, bus, site, principal, body, request, page))


@router.get("/sites/{site}/pickups", response_model=list[PickupPublic])
def list_pickups(
    site: str,
    db: DbDep,
    principal: PrincipalDep,
    status: PickupStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    checkin_ticket: Annotated[
        int | None,
        Query(ge=1, le=2**31 - 1, description="only the pickup whose holder drew this ticket"),
    ] = None,
) -> list[PickupPublic]:
    """The site's pickups, newest first; with ``status``, only those; with
    ``checkin_ticket``, the one (or none) checked in at the kiosk with that ticket."""
    return service.list_pickups(db, site, principal, status, limit, checkin_ticket)


@router.post("/sites/{site}/pickups/search", response_model=PickupSearchAnswer)
def search_pickups(
    site: str, body: PickupSearch, db: DbDep, bus: BusDep, principal: PrincipalDep
) -> PickupSearchAnswer:
    """A citizen without the receipt: their pickups by case reference (its start) or a part
    of the name, at most 20. Logged as ``pickup.searched`` (who, how many), never the text."""
    return service.search(db, bus, site, principal, body)


@router.get("/pickups/{pickup_id}", response_model=PickupPublic)
def get_pickup(pickup_id: IdPath, db: DbDep, principal: PrincipalDep) -> PickupPublic:
    return service.get_pickup(db, pickup_id, principal)


@router.post("/pickups/{pickup_id}/ready", response_model=PickupPublic, responses=CONFLICT)
def mark_ready(
    pickup_id: IdPath,
    body: ReadyRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """The document has arrived and lies in ``slot`` (for a ready one: it moved there)."""
    return _respond(service.mark_ready(db, bus, pickup_id, principal, body, request))


@router.post("/pickups/{pickup_id}/cancel", response_model=PickupPublic, responses=CONFLICT)
def cancel(
    pickup_id: IdPath, db: DbDep, bus: BusDep, principal: PrincipalDep, request: IdempotencyDep
) -> JSONResponse:
    return _respond(service.cancel(db, bus, pickup_id, principal, request))


@router.post("/pickups/lookup", response_model=PickupPublic, responses=SCANS)
def lookup(
    body: TokenRequest, db: DbDep, bus: BusDep, principal: PrincipalDep, guard: ScanGuardDep
) -> PickupPublic:
    """The pickup of a scanned receipt: where the document lies and whose it is."""
    return service.lookup(db, bus, guard, principal, body)


@router.post(
    "/pickups/{pickup_id}/hand-over",
    response_model=PickupPublic,
    responses={**CONFLICT, **SCANS, 422: {"description": "ID not checked, or another receipt"}},
)
def hand_over(
    pickup_id: IdPath,
    body: HandOverRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    guard: ScanGuardDep,
) -> JSONResponse:
    """Hand the document over, once, after the ID check, with the pickup's own receipt."""
    return _respond(service.hand_over(db, bus, guard, pickup_id, principal, body, request))


@router.post(
    "/pickups/{pickup_id}/hand-over-without-receipt",
    response_model=PickupPublic,
    responses={**CONFLICT, 422: {"description": "ID not checked, or no reason given"}},
)
def hand_over_without_receipt(
    pickup_id: IdPath,
    body: MissingReceiptRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """The holder lost the receipt: hand the document over after the ID check, saying why."""
    return _respond(service.hand_over_without_receipt(db, bus, pickup_id, principal, body, request))


@router.post(
    "/pickups/{pickup_id}/reissue",
    response_model=PickupCreated,
    responses={**CONFLICT, 422: {"description": "ID not checked, or no reason given"}},
)
def reissue_receipt(
    pickup_id: IdPath,
    body: MissingReceiptRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    page: ReadyPageDep,
) -> JSONResponse:
    """A new receipt for an open pickup: its token is in this answer only; the old receipt
    is void (a scan of it answers 409 ``pickup_receipt_replaced``)."""
    return _respond(service.reissue(db, bus, pickup_id, principal, body, page))


@router.post(
    "/sites/{site}/pickups/check-in",
    status_code=201,
    response_model=TicketCreated,
    responses={**CONFLICT, **SCANS},
)
def check_in(
    site: str,
    body: CheckInRequest,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    guard: ScanGuardDep,
) -> JSONResponse:
    """At the kiosk: a ready pickup's receipt draws a ticket of service P."""
    return _respond(service.check_in(db, bus, guard, site, principal, body, request))
