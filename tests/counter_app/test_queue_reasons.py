"""The clerk's words for a ticket's place in the queue (``counter_app/core/queue_reasons.py``),
Qt-free: every kind of ticket, in German and English, in the site's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from counter_app.core.answers import Ticket
from counter_app.core.queue_reasons import language_name, queue_reason
from resources.i18n import gettext_for
from resources.vocabulary import CITIZEN_LANGUAGES, LANGUAGE_LABELS

NOW = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)  # 10:30 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")


def ticket(**fields: Any) -> Ticket:
    base: dict[str, Any] = {
        "id": 1,
        "number": "A001",
        "service_id": 1,
        "service_prefix": "A",
        "status": "waiting",
        "priority": "normal",
        "language": "de",
        "desk": None,
        "target_desk": None,
        "position": 1,
        "estimated_wait_minutes": 0,
        "created_at": NOW,
        "queued_at": NOW - timedelta(minutes=25, seconds=30),
        "called_at": None,
        "started_at": None,
        "issued_offline": False,
    }
    return Ticket.model_validate(base | fields)


@pytest.mark.parametrize(
    ("fields", "target", "de", "en"),
    [
        ({}, 30, "wartet seit 25 Min.", "waiting 25 min"),
        (
            {},
            20,
            "wartet seit 25 Min. · über Ziel (20 Min.)",
            "waiting 25 min · over target (20 min)",
        ),
        ({}, None, "wartet seit 25 Min.", "waiting 25 min"),
        ({"priority": "urgent"}, 30, "Dringend · wartet seit 25 Min.", "Urgent · waiting 25 min"),
        (
            {"priority": "appointment", "appointment_at": datetime(2026, 12, 4, 9, 15, tzinfo=UTC)},
            20,
            "Termin 10:15",
            "Appointment 10:15",
        ),
        (
            {"priority": "appointment"},
            30,
            "Termin · wartet seit 25 Min.",
            "Appointment · waiting 25 min",
        ),
        (
            {"appointment_late": True, "appointment_at": datetime(2026, 12, 4, 8, 50, tzinfo=UTC)},
            30,
            "wartet seit 25 Min. · Termin 09:50 verpasst",
            "waiting 25 min · missed appointment 09:50",
        ),
        (
            {"issued_offline": True},
            30,
            "wartet seit 25 Min. · offline gezogen",
            "waiting 25 min · issued offline",
        ),
    ],
)
def test_each_kind_of_ticket_says_why_it_is_there(
    fields: dict[str, Any], target: int | None, de: str, en: str
) -> None:
    shown = ticket(**fields)
    assert queue_reason(shown, NOW, BERLIN, target, gettext_for("de")) == de
    assert queue_reason(shown, NOW, BERLIN, target, gettext_for("en")) == en


def test_every_citizen_language_has_a_name_for_the_clerk() -> None:
    assert set(LANGUAGE_LABELS) == set(CITIZEN_LANGUAGES)
    german = gettext_for("de")
    names = [language_name(code, german) for code in CITIZEN_LANGUAGES]
    assert names == ["Deutsch", "Englisch", "Türkisch", "Arabisch", "Russisch", "Ukrainisch"]
    assert language_name("xx", german) == "xx"
