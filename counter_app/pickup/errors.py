"""What the pickup desk says when a scan or a hand-over fails: the one place that decides it.

Each failure gets a short headline from our catalogue, shown large in the colour of a stop,
and a sentence under it. For refusals (4xx) that sentence is the server's own message, already
worded in the window's language (``Accept-Language``); the headline comes from the error's
class and code (``counter_app.core.errors``)::

    NotFound            404  Unknown receipt
    StateConflict       409  Already handed over / Not ready yet / Cancelled / Expired
    InvalidRequest      422  Wrong receipt (another pickup's) / ID not checked
    TooManyRequests     429  Too many wrong scans
    NotAllowed          403  Not allowed
    NotSignedIn         401  Signed out
    ServerUnreachable        No connection (for a hand-over: do not hand the document out)
    ServerFault         5xx  Server fault
    BadAnswer                Answer not understood (the desk program does not fit the server)
"""

from __future__ import annotations

from typing import Literal

from counter_app.core.errors import (
    BadAnswer,
    InvalidRequest,
    NotAllowed,
    NotFound,
    NotSignedIn,
    Rejected,
    ServerFault,
    ServerUnreachable,
    StateConflict,
    TooManyRequests,
)
from counter_app.qt.errors import describe as describe_generally
from counter_app.qt.i18n import N_, Language

During = Literal["lookup", "hand_over"]

#: Headlines of the refusals whose code says more than their class.
BY_CODE = {
    "pickup_already_handed_over": N_("Already handed over"),
    "pickup_not_ready": N_("Not ready yet"),
    "pickup_cancelled": N_("Cancelled"),
    "pickup_expired": N_("Expired"),
    "pickup_token_mismatch": N_("Wrong receipt"),
    "pickup_receipt_replaced": N_("Receipt replaced"),
    "id_check_required": N_("ID not checked"),
}

BY_CLASS: tuple[tuple[type[Exception], str], ...] = (
    (NotFound, N_("Unknown receipt")),
    (TooManyRequests, N_("Too many wrong scans")),
    (NotAllowed, N_("Not allowed")),
    (NotSignedIn, N_("Signed out")),
    (StateConflict, N_("Not possible now")),
    (InvalidRequest, N_("Not accepted")),
    (Rejected, N_("Not accepted")),
    (ServerUnreachable, N_("No connection to the server")),
    (ServerFault, N_("Server fault")),
    (BadAnswer, N_("Answer not understood")),
)


def describe(error: Exception, language: Language, during: During) -> tuple[str, str]:
    """(headline, sentence) for the person at the desk, in ``language``."""
    if isinstance(error, ServerUnreachable):
        if during == "hand_over":
            sentence = N_(
                "The hand-over was not confirmed. Do not hand the document out yet; try again "
                "when the connection is back."
            )
        else:
            sentence = N_("The receipt could not be looked up. Scan it again in a moment.")
        return language(N_("No connection to the server")), language(sentence)
    if isinstance(error, Rejected):
        headline = BY_CODE.get(error.code) or next(
            text for cls, text in BY_CLASS if isinstance(error, cls)
        )
        sentence = error.message
        if not sentence:
            sentence = describe_generally(error, language)
        return language(headline), sentence
    for cls, headline in BY_CLASS:
        if isinstance(error, cls):
            return language(headline), describe_generally(error, language)
    return language(N_("Something went wrong")), describe_generally(error, language)
