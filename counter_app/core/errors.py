"""What can go wrong between a desktop program and the server: one tree.

::

    ApiError
    ├── ServerUnreachable      no answer: network down, server stopped, timeout
    │                          (the desk goes offline; changes wait in the outbox)
    ├── ServerFault            5xx: the server failed; nothing was changed; retry later
    ├── BadAnswer              2xx, but not in the form this program reads (a field missing,
    │                          renamed or of another type): server and desk programs are of
    │                          versions that do not fit; the desk says so, it does not crash
    └── Rejected               4xx: the server said no, with a code and a message for people
        ├── NotSignedIn        401: sign in again
        ├── NotAllowed         403: role or site does not allow it
        ├── NotFound           404
        ├── StateConflict      409: the ticket's or desk's state does not allow it
        ├── InvalidRequest     422
        └── TooManyRequests    429

The GUI maps these classes to messages in one place (``counter_app.qt.errors``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError


class ApiError(Exception):
    """Base of every failure of a call to the server."""


class ServerUnreachable(ApiError):
    """The server did not answer. Whatever was asked may be retried safely (idempotency)."""


class ServerFault(ApiError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BadAnswer(ApiError):
    """The server answered, but not as ``counter_app.core.answers`` describes: what the server
    did (if it changed something) is done; this program cannot show the result."""

    def __init__(self, answer: str, problems: str) -> None:
        super().__init__(f"{answer}: {problems}")
        self.answer = answer
        self.problems = problems


class Rejected(ApiError):
    status = 400

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}


class NotSignedIn(Rejected):
    status = 401


class NotAllowed(Rejected):
    status = 403


class NotFound(Rejected):
    status = 404


class StateConflict(Rejected):
    status = 409


class InvalidRequest(Rejected):
    status = 422


class TooManyRequests(Rejected):
    status = 429


BY_STATUS: dict[int, type[Rejected]] = {
    cls.status: cls
    for cls in (NotSignedIn, NotAllowed, NotFound, StateConflict, InvalidRequest, TooManyRequests)
}


class ErrorBody(BaseModel):
    """The body of a refusal (4xx): ``{"code", "message", "details"}``. Whatever does not fit
    reads as a refusal without a code: a refusal is never mistaken for anything else."""

    model_config = ConfigDict(extra="ignore")

    code: str = "rejected"
    message: str = ""
    details: dict[str, Any] = {}


def rejected_for(status: int, body: Any) -> Rejected:
    cls = BY_STATUS.get(status, Rejected)
    try:
        parsed = ErrorBody.model_validate(body)
    except ValidationError:
        parsed = ErrorBody()
    error = cls(parsed.code, parsed.message, dict(parsed.details))
    error.status = status
    return error
