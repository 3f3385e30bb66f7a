from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from central_server.auth import service
from central_server.auth.schemas import LoginPublic, LoginRequest
from central_server.deps import DbDep, SettingsDep, bearer_token

router = APIRouter(tags=["auth"])


@router.post("/login", response_model=LoginPublic)
def login(body: LoginRequest, request: Request, db: DbDep, settings: SettingsDep) -> LoginPublic:
    client = request.client.host if request.client else "unknown"
    return service.login(
        db, body, client, request.app.state.login_throttle, timedelta(hours=settings.token_hours)
    )


@router.post("/logout", status_code=204)
def logout(db: DbDep, token: Annotated[str, Depends(bearer_token)]) -> Response:
    service.logout(db, token)
    return Response(status_code=204)
