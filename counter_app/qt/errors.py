"""Error classes to the sentences a person reads: the one place that decides them."""

from __future__ import annotations

from counter_app.core.errors import (
    ApiError,
    BadAnswer,
    NotAllowed,
    NotSignedIn,
    Rejected,
    ServerFault,
    ServerUnreachable,
    TooManyRequests,
)
from counter_app.qt.i18n import N_, Language


def describe(error: Exception, language: Language) -> str:
    if isinstance(error, ServerUnreachable):
        return language(N_("The server cannot be reached. Your work is kept on this computer."))
    if isinstance(error, ServerFault):
        return language(N_("The server had a fault. Nothing was changed; please try again."))
    if isinstance(error, BadAnswer):
        return language(
            N_(
                "This program does not understand the server's answer: the versions do not fit "
                "together. Please ask IT to update the desk program."
            )
        )
    if isinstance(error, NotSignedIn | NotAllowed | TooManyRequests | Rejected):
        # The server already words these in the window's language.
        return error.message or language(N_("The server refused this."))
    if isinstance(error, ApiError):
        return language(N_("The server refused this."))
    return language(N_("Something went wrong: {error}")).format(error=error)
