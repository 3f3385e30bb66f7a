"""What the pickup desk says when a scan or a hand-over fails: one headline per kind of failure
(the server's own sentence under it), in German and English."""

from __future__ import annotations

import pytest

from counter_app.core.errors import (
    InvalidRequest,
    NotAllowed,
    NotFound,
    NotSignedIn,
    ServerFault,
    ServerUnreachable,
    StateConflict,
    TooManyRequests,
)
from counter_app.pickup.errors import describe
from counter_app.qt.i18n import Language


@pytest.mark.parametrize(
    ("error", "german", "english"),
    [
        (NotFound("pickup_unknown", "…"), "Unbekannter Abholschein", "Unknown receipt"),
        (
            StateConflict("pickup_already_handed_over", "…"),
            "Bereits ausgehändigt",
            "Already handed over",
        ),
        (StateConflict("pickup_not_ready", "…"), "Noch nicht abholbereit", "Not ready yet"),
        (StateConflict("pickup_cancelled", "…"), "Storniert", "Cancelled"),
        (StateConflict("pickup_expired", "…"), "Abgelaufen", "Expired"),
        (StateConflict("desk_busy", "…"), "Jetzt nicht möglich", "Not possible now"),
        (InvalidRequest("pickup_token_mismatch", "…"), "Falscher Abholschein", "Wrong receipt"),
        (
            TooManyRequests("too_many_wrong_scans", "…"),
            "Zu viele falsche Scans",
            "Too many wrong scans",
        ),
        (NotAllowed("forbidden_role", "…"), "Nicht erlaubt", "Not allowed"),
        (NotSignedIn("not_signed_in", "…"), "Abgemeldet", "Signed out"),
    ],
)
def test_each_refusal_has_its_headline_and_the_servers_sentence(
    error: Exception, german: str, english: str, qapp
) -> None:
    assert describe(error, Language("de"), "lookup") == (german, "…")
    assert describe(error, Language("en"), "hand_over") == (english, "…")


def test_a_lost_connection_during_a_hand_over_says_not_to_hand_out(qapp) -> None:
    headline, sentence = describe(ServerUnreachable("timed out"), Language("en"), "hand_over")
    assert headline == "No connection to the server"
    assert sentence.startswith("The hand-over was not confirmed. Do not hand the document out")
    _, sentence = describe(ServerUnreachable("timed out"), Language("de"), "lookup")
    assert sentence == (
        "Der Abholschein konnte nicht geprüft werden. Bitte gleich noch einmal scannen."
    )


def test_a_server_fault_and_a_refusal_without_words_still_say_something(qapp) -> None:
    headline, sentence = describe(ServerFault(500, ""), Language("en"), "lookup")
    assert headline == "Server fault"
    assert sentence == "The server had a fault. Nothing was changed; please try again."
    assert describe(NotFound("pickup_unknown", ""), Language("en"), "lookup") == (
        "Unknown receipt",
        "The server refused this.",
    )
