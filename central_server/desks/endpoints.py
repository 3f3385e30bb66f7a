from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from central_server.deps import BusDep, DbDep, PrincipalDep
from central_server.desks import service
from central_server.sites.schemas import DeskPublic

router = APIRouter(tags=["desks"])


class SignOnRequest(BaseModel):
    force: bool = False


@router.get("/sites/{site}/desks", response_model=list[DeskPublic])
def list_desks(site: str, db: DbDep, principal: PrincipalDep) -> list[DeskPublic]:
    return service.list_desks(db, site, principal)


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
