"""The server's front door: what every request must satisfy before any endpoint sees it.

:class:`RequestGuard` is an ASGI middleware around the whole application, so an endpoint added
later cannot forget these checks:

* **Size.** A body larger than ``max_body_bytes`` (``TRESEN_MAX_BODY_BYTES``) answers 413
  ``request_too_large`` before it is read whole: at once when ``Content-Length`` says so, and
  as soon as a chunked body grows past the limit. The connection is then closed, so the rest is
  never read.
* **Text.** Every string a request carries (the path, the query's names and values, and every
  key and string of a JSON body) is text as ``resources.text`` defines it (tab and line breaks,
  no other control character, no lone surrogate; NUL above all, which PostgreSQL cannot store
  while SQLite can): anything else answers 422 ``invalid_input``, naming where it is, on both
  databases alike.

Both answers are the server's JSON error, in the caller's language, and change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from central_server.errors import N_
from resources.i18n import best_language, gettext_for
from resources.text import is_text


def _json_strings(document: Any) -> Iterator[tuple[str, str]]:
    """Every key and string of a parsed JSON value, with where it is (``notes``, ``ids.2``).
    Walked without recursion: a body may nest as deep as the JSON parser allows."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            for key, item in value.items():
                shown = key if is_text(key) else "?"
                inner = f"{where}.{shown}" if where else shown
                yield inner, key
                pending.append((inner, item))
        elif isinstance(value, list):
            pending.extend(
                (f"{where}.{index}" if where else str(index), item)
                for index, item in enumerate(value)
            )


def _control_fields(scope: Scope, body: bytes) -> list[str]:
    """Where the request carries text with control characters: ``path``, ``query.<name>``,
    or the place in the JSON body."""
    fields: list[str] = []
    if not is_text(scope.get("path", "")):
        fields.append("path")
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True):
        if not (is_text(name) and is_text(value)):
            fields.append(f"query.{name if is_text(name) else '?'}")
    if body.strip():
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):  # not JSON (to us): the endpoint refuses it
            return fields
        fields.extend(
            sorted(
                {where or "body" for where, text in _json_strings(document) if not is_text(text)}
            )
        )
    return fields


def _error(
    scope: Scope, status: int, code: str, message: str, details: dict[str, Any], **params: Any
) -> JSONResponse:
    """The server's JSON error (see ``central_server.errors``) in the caller's language."""
    language = best_language(Headers(scope=scope).get("accept-language"))
    text = gettext_for(language)(message).format(**params)
    headers = {"Connection": "close"} if status == 413 else None
    return JSONResponse(
        {"code": code, "message": text, "details": details}, status_code=status, headers=headers
    )


class RequestGuard:
    """Refuses bodies over ``max_body_bytes`` (413) and text with control characters (422)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        fields = _control_fields(scope, body)
        if fields:
            problems = [{"field": field, "problem": "control character"} for field in fields]
            await _error(
                scope,
                422,
                "invalid_input",
                N_("Control characters are not allowed (only tab and line breaks): {fields}"),
                {"problems": problems},
                fields=", ".join(fields),
            )(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _error(
            scope,
            413,
            "request_too_large",
            N_("The request is too large: at most {limit} bytes are accepted."),
            {"limit": str(self.max_body_bytes)},
            limit=self.max_body_bytes,
        )(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the application: the body read here, then what the server sends on
    (a disconnect, for a live stream)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
