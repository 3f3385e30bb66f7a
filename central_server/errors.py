"""The server's errors: one tree, one JSON shape, messages in the caller's language.

::

    TresenError                 400 bad_request
    ├── Unauthorized            401 (no token, a wrong or expired one, a wrong password)
    ├── Forbidden               403 (the role or the site does not allow it)
    ├── NotFound                404
    ├── Conflict                409 (the state does not allow it: a ticket, a desk)
    ├── InvalidInput            422 (well-formed but wrong: an unknown service, a bad key)
    └── RateLimited             429 (too many failed logins)

Every error answers ``{"code": ..., "message": ..., "details": {...}}``. ``code`` is stable for
programs, and so are the keys of ``details`` (text, or null where a value is not known);
``message`` is for people, rendered from the catalogue in the language the request asks for
(``Accept-Language``: de by default, en). A refusal a citizen reads (a kiosk's ticket for a
service that issues no more today) names the citizen's language instead
(:meth:`TresenError.for_citizen`): its message comes from the citizens' catalogue in that
language.
"""

from __future__ import annotations

from typing import Any, ClassVar

# Marks a message for the catalogue; it is translated when the answer is rendered.
from resources.i18n import N_ as N_


class TresenError(Exception):
    status_code: ClassVar[int] = 400

    #: The citizen language the message is rendered in (citizens' catalogue); None: the
    #: request's staff language.
    citizen_language: str | None = None

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params

    def for_citizen(self, language: str) -> TresenError:
        """This error with its message (a ``N_citizen`` message) in the citizen's
        ``language``, whatever the request's ``Accept-Language``."""
        self.citizen_language = language
        return self

    def render(self, translate: Any) -> str:
        """The message in the caller's language; ``translate`` is a gettext function."""
        params = {
            k: translate(v) if isinstance(v, _Translatable) else v for k, v in self.params.items()
        }
        return str(translate(self.message)).format(**params)

    def details(self) -> dict[str, Any]:
        """The parameters for programs: text, or null for a value that is not known."""
        return {k: None if v is None else str(v) for k, v in self.params.items()}


class _Translatable(str):
    """A parameter value that is itself a catalogue message (e.g. a status name)."""


def translatable(message: str) -> str:
    return _Translatable(message)


class Unauthorized(TresenError):
    status_code = 401


class Forbidden(TresenError):
    status_code = 403


class NotFound(TresenError):
    status_code = 404


class Conflict(TresenError):
    status_code = 409


class InvalidInput(TresenError):
    status_code = 422


class RateLimited(TresenError):
    status_code = 429
