"""The served OpenAPI document, complete with the errors each operation can answer.

FastAPI lists what an endpoint declares; most errors come from elsewhere: the sign-in check
(401), roles and sites (403), look-ups of the site, desk, ticket or pickup (404), the state of
what is acted on (409), the request guard (413, 422: ``central_server.guard``), the throttles
(429) and the database (503). :func:`install` adds them to every operation by the rules below,
each with the one error shape ``{"code", "message", "details"}`` (``central_server.errors``),
so a system built against the document handles every answer it can get.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {
        "code": {"type": "string", "description": "stable, for programs (e.g. desk_taken)"},
        "message": {
            "type": "string",
            "description": "for people, in the language of Accept-Language (de, en)",
        },
        "details": {
            "type": "object",
            "description": "stable keys per code; values are text or null; for invalid_input "
            "a list of problems, each with field and problem",
        },
    },
}

#: What each error status means, when the endpoint gives no description of its own.
DESCRIPTIONS = {
    401: "not_signed_in, token_invalid or invalid_credentials: no token, a wrong or expired one",
    403: "the role or the site does not allow this (forbidden, forbidden_site, ...)",
    404: "the site, desk, ticket, pickup, service or lease named does not exist (site_not_found, "
    "desk_not_found, ...)",
    409: "the state does not allow this; the code says why (e.g. invalid_transition, desk_taken)",
    413: "request_too_large: the body is over the server's limit (TRESEN_MAX_BODY_BYTES)",
    422: "invalid_input (details.problems names each field: wrong type, out of range, control "
    "characters), or a code naming the problem (e.g. invalid_idempotency_key)",
    429: "too many failed attempts in a minute (too_many_failed_logins, too_many_wrong_scans)",
    503: "database_unavailable: the database is locked or unreachable; nothing was changed",
}

#: Headers an error answer always carries.
HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "Bearer: the scheme the API takes",
            "required": True,
            "schema": {"type": "string"},
        }
    }
}

#: Operations that count failed attempts (the sign-in and pickup-scan throttles).
THROTTLED = {
    ("post", "/api/v1/login"),
    ("post", "/api/v1/pickups/lookup"),
    ("post", "/api/v1/pickups/{pickup_id}/hand-over"),
    ("post", "/api/v1/sites/{site}/pickups/check-in"),
    ("post", "/api/v1/sites/{site}/appointments/check-in"),
}
#: Changes whose outcome does not depend on a state that can refuse them (no 409).
NO_CONFLICT = {
    ("post", "/api/v1/login"),
    ("post", "/api/v1/logout"),
    ("post", "/api/v1/pickups/lookup"),
    ("post", "/api/v1/sites/{site}/number-leases"),
    ("post", "/api/v1/sites/{site}/devices/printer"),
    ("post", "/api/v1/sites/{site}/appointments"),
}
#: Signed-in operations that check no role or site.
NO_ROLE = {("post", "/api/v1/logout")}


def errors_of(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer."""
    codes = {503}
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    if parameters or has_body:
        codes.add(422)
    if method in ("post", "put", "patch"):
        codes |= {413, 422}
    if operation.get("security"):
        codes.add(401)
        if (method, path) not in NO_ROLE:
            codes.add(403)
    if any(p.get("in") == "path" for p in parameters) or (
        has_body and path.startswith("/api/") and path != "/api/v1/login"
    ):
        codes.add(404)
    if method in ("post", "put") and (method, path) not in NO_CONFLICT:
        codes.add(409)
    if (method, path) in THROTTLED:
        codes |= {401, 429} if path.endswith("/login") else {429}
    return codes


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the error answers of every operation and the one error schema."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(errors_of(method, path, operation)):
                entry = responses.setdefault(str(status), {})
                if entry.get("description") in (None, "", "Validation Error"):  # FastAPI's own
                    entry["description"] = DESCRIPTIONS[status]
                entry["content"] = error
                if status in HEADERS:
                    entry["headers"] = HEADERS[status]
            for status, entry in responses.items():
                if status.isdigit() and int(status) >= 400:
                    entry["content"] = error
    # FastAPI's own shape of a validation error is never sent (ours is the Error above).
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return document


def install(app: FastAPI) -> None:
    """Serve :func:`complete`'s document at ``/openapi.json`` (built once, on first ask)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
