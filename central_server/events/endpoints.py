from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from central_server.auth import service as auth_service
from central_server.auth.principal import Capability, require
from central_server.deps import BusDep, DbDep, PrincipalDep, bearer_token
from central_server.desks.emergency import EMERGENCY_EVENTS
from central_server.errors import N_, InvalidInput
from central_server.events import stream
from central_server.sites import repository as sites_repo

router = APIRouter(tags=["events"])

#: Event sequences are INTEGER columns; a larger position can never be reached.
MAX_SEQ = 2**31 - 1
# ASCII digits only: str.isdigit() also takes "²".
_SEQ = re.compile(r"[0-9]{1,10}")


@router.get(
    "/sites/{site}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "server-sent events; each id is the site's event sequence",
        }
    },
)
def site_events(
    site: str,
    request: Request,
    db: DbDep,
    bus: BusDep,
    principal: PrincipalDep,
    token: Annotated[str, Depends(bearer_token)],
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ, description="like Last-Event-ID")] = None,
) -> StreamingResponse:
    with db.read_session() as session:
        site_id = sites_repo.site_by_slug(session, site).id
    require(principal, Capability.READ_EVENTS, site_id)
    if last_event_id is not None:
        if not _SEQ.fullmatch(last_event_id.strip()) or int(last_event_id) > MAX_SEQ:
            raise InvalidInput("invalid_last_event_id", N_("Last-Event-ID must be a whole number."))
        after = int(last_event_id)
    return StreamingResponse(
        stream.stream(
            request,
            db,
            bus,
            site_id,
            after,
            lambda: auth_service.may_read_events(db, token, site_id),
            # A device (the waiting-room display) never hears of an emergency call.
            EMERGENCY_EVENTS if principal.kind == "device" else frozenset(),
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
