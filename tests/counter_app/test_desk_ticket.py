"""The slip of a ticket issued at a desk says what the kiosk's ticket says, in the citizen's
language (Qt-free: the lines and the QR code's text)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from counter_app.core.desk_ticket import DeskTicket, desk_ticket_slip


def _ticket(language: str, name: str) -> DeskTicket:
    return DeskTicket(
        number="B003",
        service_name=name,
        service_name_de="Personalausweis und Reisepass",
        issued_at=datetime(2026, 12, 4, 16, 49, tzinfo=ZoneInfo("Europe/Berlin")),
        language=language,
        status_token="ykXqbIwAP8oU8vNonKNXfw",
        status_url="https://tresen.example/t/ykXqbIwAP8oU8vNonKNXfw",
    )


def test_the_slip_is_in_the_citizens_language_with_the_german_service_name_below() -> None:
    slip = desk_ticket_slip(_ticket("tr", "Kimlik kartı ve pasaport"), "Bürgeramt Demo")
    top = [line.text for line in slip.top]
    assert top[:5] == [
        "Bürgeramt Demo",
        "Kimlik kartı ve pasaport",
        "Personalausweis und Reisepass",
        "Numaranız",
        "B003",
    ]
    assert slip.qr == "https://tresen.example/t/ykXqbIwAP8oU8vNonKNXfw"
    bottom = [line.text for line in slip.bottom]
    assert "B003  ·  ykXq bIwA P8oU 8vNo nKNX fw" in bottom


def test_a_german_slip_names_the_service_once() -> None:
    slip = desk_ticket_slip(_ticket("de", "Personalausweis und Reisepass"), "Bürgeramt Demo")
    texts = [line.text for line in slip.top]
    assert texts.count("Personalausweis und Reisepass") == 1
    assert "Ihre Nummer" in texts
    assert texts[-1] == "04.12.2026  16:49"
