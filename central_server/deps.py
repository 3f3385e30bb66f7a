"""What endpoints receive: the database, the caller, the caller's language, retry keys.

The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread, and
a hop to a thread and back costs more than these functions' work. Only a token this process has
not checked in the last seconds goes to a thread, for its database lookup.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from central_server.auth import service as auth_service
from central_server.auth.principal import Principal
from central_server.config import ServerSettings
from central_server.db import Database
from central_server.errors import N_, InvalidInput, Unauthorized
from central_server.events.bus import EventBus
from central_server.readers import NotModified, Snapshot

_bearer = HTTPBearer(auto_error=False, description="a user's sign-in token or a device token")


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_settings(request: Request) -> ServerSettings:
    return request.app.state.settings


async def get_bus(request: Request) -> EventBus:
    return request.app.state.bus


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("not_signed_in", N_("Please sign in first."))
    return credentials.credentials


async def get_principal(
    token: Annotated[str, Depends(bearer_token)], db: Annotated[Database, Depends(get_db)]
) -> Principal:
    principal = auth_service.cached_principal(db, token)
    if principal is None:
        principal = await run_in_threadpool(auth_service.principal_for_token, db, token)
    return principal


@dataclass(frozen=True)
class IdempotentRequest:
    """The ``Idempotency-Key`` of a request and a digest of what was asked."""

    key: str | None
    fingerprint: str


#: An Idempotency-Key: 1 to 200 visible ASCII characters (a UUID fits), no spaces.
IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,200}")


async def get_idempotent_request(
    request: Request,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="a unique key per intended change; a retry with the same key gets the "
            "first answer instead of a second change. 1 to 200 visible ASCII characters "
            "(! to ~, no spaces), e.g. a UUID; remembered for TRESEN_IDEMPOTENCY_HOURS (48) per "
            "caller. Another key answers 422 invalid_idempotency_key, the same key with another "
            "request 422 idempotency_key_reused",
            # Documented here, checked below: a wrong key keeps its own error code.
            json_schema_extra={"minLength": 1, "maxLength": 200, "pattern": "^[!-~]{1,200}$"},
        ),
    ] = None,
) -> IdempotentRequest:
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise InvalidInput(
            "invalid_idempotency_key",
            N_(
                "The Idempotency-Key must have between 1 and 200 characters, visible ASCII "
                "without spaces."
            ),
        )
    body = await request.body()
    fingerprint = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
    ).hexdigest()
    return IdempotentRequest(idempotency_key, fingerprint)


#: Ids are INTEGER columns: anything outside 1..2**31-1 can name nothing and is refused (422)
#: before it reaches the database (where PostgreSQL would fail from 2**31).
MAX_ID = 2**31 - 1
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]

DbDep = Annotated[Database, Depends(get_db)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
IdempotencyDep = Annotated[IdempotentRequest, Depends(get_idempotent_request)]
SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
BusDep = Annotated[EventBus, Depends(get_bus)]


IfNoneMatchDep = Annotated[
    str | None,
    Header(
        description="the ETag of an earlier answer: while the site has not changed since, the "
        "answer is 304 Not Modified without a body"
    ),
]
#: The ``ETag`` every answer of a reader carries, for the API's document.
_ETAG: dict[str, Any] = {
    "ETag": {
        "description": "the site's event sequence (and what else the answer depends on); send "
        "it back as If-None-Match",
        "required": True,
        "schema": {"type": "string"},
    }
}
#: A reader's answers beyond its JSON, for the API's document: the ``ETag`` on each, and 304.
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    200: {"headers": _ETAG},
    304: {
        "description": "not modified since the answer whose ETag was sent as If-None-Match",
        "headers": _ETAG,
    },
}


def snapshot_response(answer: Snapshot | NotModified) -> Response:
    """A reader's answer: the ready JSON with its ``ETag``, or 304 without a body. Kept by
    nobody but the caller (``private``), and checked again each time (``no-cache``)."""
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
    if isinstance(answer, NotModified):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)
