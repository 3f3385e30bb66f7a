"""The desk endpoints: HTTP only; the rules are in ``service``."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from central_server.deps import (
    NOT_MODIFIED,
    BusDep,
    DbDep,
    IdempotencyDep,
    IfNoneMatchDep,
    PrincipalDep,
    snapshot_response,
)
from central_server.desks import emergency, service
from central_server.desks.schemas import (
    DeskPublic,
    DeskView,
    EmergencyPublic,
    EmergencyRespond,
    SignOnRequest,
)
from central_server.steering.schemas import DeskServicesUpdate

router = APIRouter(tags=["desks"])


@router.get("/sites/{site}/desks", response_model=list[DeskPublic], responses=NOT_MODIFIED)
def list_desks(
    site: str, db: DbDep, principal: PrincipalDep, if_none_match: IfNoneMatchDep = None
) -> Response:
    """The site's desks, their state, who works there and the ticket each has open.

    The answer carries an ``ETag`` (the site's event sequence); sent back as
    ``If-None-Match``, it is answered 304 without a body while nothing changed."""
    return snapshot_response(service.list_desks(db, site, principal, if_none_match))


@router.get("/sites/{site}/desks/{desk}/view", response_model=DeskView, responses=NOT_MODIFIED)
def desk_view(
    site: str, desk: str, db: DbDep, principal: PrincipalDep, if_none_match: IfNoneMatchDep = None
) -> Response:
    """The desk's queue (as ``GET /sites/{site}/queue?desk=``) and the site's desks (as
    ``GET /sites/{site}/desks``) in one answer, of the same site change: what the clerk's
    desk reads after each event.

    The answer carries an ``ETag`` (the site's event sequence); sent back as
    ``If-None-Match``, it is answered 304 without a body while nothing changed."""
    return snapshot_response(service.desk_view(db, site, desk, principal, if_none_match))


@router.post("/sites/{site}/desks/{desk}/sign-on", response_model=DeskPublic)
def sign_on(
    site: str,
    desk: str,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    body: SignOnRequest | None = None,
) -> JSONResponse:
    """Sign on at the desk; ``force`` takes it over from someone who forgot to sign off."""
    status, answer = service.sign_on(db, bus, site, desk, principal, bool(body and body.force))
    return JSONResponse(answer, status_code=status)


@router.post("/sites/{site}/desks/{desk}/pause", response_model=DeskPublic)
def pause(site: str, desk: str, db: DbDep, bus: BusDep, principal: PrincipalDep) -> JSONResponse:
    status, answer = service.set_state(db, bus, site, desk, principal, "paused")
    return JSONResponse(answer, status_code=status)


@router.post("/sites/{site}/desks/{desk}/sign-off", response_model=DeskPublic)
def sign_off(site: str, desk: str, db: DbDep, bus: BusDep, principal: PrincipalDep) -> JSONResponse:
    status, answer = service.set_state(db, bus, site, desk, principal, "closed")
    return JSONResponse(answer, status_code=status)


@router.put(
    "/sites/{site}/desks/{desk}/services",
    response_model=DeskPublic,
    responses={409: {"description": "service_inactive: a service named is switched off"}},
)
def set_services(
    site: str,
    desk: str,
    body: DeskServicesUpdate,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """The services the desk calls from now on, in its order among equals (supervisor). The
    clerk's desk shows its new queue at once; logs ``desk.services_changed``. The site file,
    applied again, sets them as it says."""
    status, answer = service.set_services(
        db, bus, site, desk, principal, list(body.services), request
    )
    return JSONResponse(answer, status_code=status)


# The emergency call (``central_server.desks.emergency``) ---------------------------------------

_EMERGENCY_REFUSALS: dict[int | str, dict[str, str]] = {
    403: {
        "description": "forbidden_role, forbidden_site, forbidden_desk; not_signed_on_here: "
        "the caller is not signed on at the desk; not_the_caller: only the caller or a "
        "supervisor ends a call"
    },
    404: {"description": "desk_not_found"},
}


@router.get(
    "/sites/{site}/emergencies",
    response_model=list[EmergencyPublic],
    responses={403: {"description": "forbidden_role, forbidden_site"}},
)
def open_emergencies(site: str, db: DbDep, principal: PrincipalDep) -> list[EmergencyPublic]:
    """The site's open emergency calls (desks and supervisors): what a window opened during a
    call shows at once; afterwards the live event stream tells every change."""
    return emergency.open_calls(db, site, principal)


@router.post(
    "/sites/{site}/desks/{desk}/emergency",
    response_model=EmergencyPublic,
    responses={
        **_EMERGENCY_REFUSALS,
        409: {"description": "emergency_open: a call at this desk is open already"},
    },
)
def call_for_help(
    site: str,
    desk: str,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """Call colleagues to the desk (the person signed on there): logs ``desk.emergency`` with
    the desk and the time, which every desk and supervisor of the site receives at once over
    the live event stream. The waiting-room display never shows it."""
    status, answer = emergency.call_for_help(db, bus, site, desk, principal, request)
    return JSONResponse(answer, status_code=status)


@router.post(
    "/sites/{site}/desks/{desk}/emergency/respond",
    response_model=EmergencyPublic,
    responses={
        **_EMERGENCY_REFUSALS,
        409: {
            "description": "no_emergency: no call is open at the desk; own_emergency; "
            "already_responding"
        },
        422: {"description": "desk_required: only a supervisor answers from no desk"},
    },
)
def respond_to_emergency(
    site: str,
    desk: str,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
    body: EmergencyRespond | None = None,
) -> JSONResponse:
    """Say "I am coming": a person signed on at another desk (``desk`` in the body), or a
    supervisor, answers the call at ``{desk}``; logs ``desk.emergency_response``."""
    status, answer = emergency.respond(
        db, bus, site, desk, principal, body.desk if body else None, request
    )
    return JSONResponse(answer, status_code=status)


@router.post(
    "/sites/{site}/desks/{desk}/emergency/end",
    response_model=EmergencyPublic,
    responses={
        **_EMERGENCY_REFUSALS,
        409: {"description": "no_emergency: no call is open at the desk"},
    },
)
def end_emergency(
    site: str,
    desk: str,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    request: IdempotencyDep,
) -> JSONResponse:
    """End the call at the desk (its caller or a supervisor); logs ``desk.emergency_ended``."""
    status, answer = emergency.end(db, bus, site, desk, principal, request)
    return JSONResponse(answer, status_code=status)
