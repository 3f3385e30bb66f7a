"""The supervisor's board and steering of services: HTTP only; the rules are in ``service``."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from central_server.deps import (
    NOT_MODIFIED,
    BusDep,
    DbDep,
    IdempotencyDep,
    IdPath,
    IfNoneMatchDep,
    PrincipalDep,
    snapshot_response,
)
from central_server.steering import service
from central_server.steering.schemas import Board, ServiceIssuing, StopRequest

router = APIRouter(tags=["steering"])


@router.get("/sites/{site}/board", response_model=Board, responses=NOT_MODIFIED)
def get_board(
    site: str, db: DbDep, principal: PrincipalDep, if_none_match: IfNoneMatchDep = None
) -> Response:
    """The supervisor's live board: each desk, each service against its target (green, amber,
    red), and the alerts, each with the time it began (supervisor; admin reads it too).

    The answer carries an ``ETag`` (the site's event sequence and the minute: waits age);
    sent back as ``If-None-Match``, it is answered 304 without a body while nothing changed."""
    return snapshot_response(service.get_board(db, site, principal, if_none_match))


@router.post(
    "/sites/{site}/services/{service_id}/stop",
    response_model=ServiceIssuing,
    responses={409: {"description": "service_inactive: the service is switched off"}},
)
def stop_issuing(
    site: str,
    service_id: IdPath,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    body: StopRequest | None = None,
) -> JSONResponse:
    """Issue no more tickets of the service today (supervisor). The kiosk shows it as not
    available, with the message in the citizen's language, and ``POST tickets`` answers 409
    ``service_stopped``; the next day it issues again by itself. Logs
    ``service.issuing_stopped``."""
    status, answer = service.stop_issuing(
        db, bus, site, service_id, principal, body or StopRequest(), request
    )
    return JSONResponse(answer, status_code=status)


@router.post("/sites/{site}/services/{service_id}/resume", response_model=ServiceIssuing)
def resume_issuing(
    site: str,
    service_id: IdPath,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """Issue the service's tickets again today, after a stop (supervisor). Logs
    ``service.issuing_resumed``; the daily contingent of the site file stays."""
    status, answer = service.resume_issuing(db, bus, site, service_id, principal, request)
    return JSONResponse(answer, status_code=status)
