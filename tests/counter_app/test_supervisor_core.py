"""The supervisor's board as rows (``counter_app.core.board``), without Qt and without a server:
a board answer as the server shapes it, worded in German and English."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from counter_app.core.answers import Board
from counter_app.core.board import alert_rows, desk_rows, service_rows
from resources.i18n import gettext_for

DE = gettext_for("de")
EN = gettext_for("en")
NAMES = {"de": "Anmeldung", "en": "Registration"}


def service(id_: int, prefix: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "prefix": prefix,
        "names": {"de": f"{NAMES['de']} {prefix}", "en": f"{NAMES['en']} {prefix}"},
        "active": True,
        "issuing": True,
        "stopped": False,
        "stop_reason": None,
        "stopped_message": None,
        "waiting": 0,
        "longest_wait_minutes": None,
        "target_wait_minutes": 20,
        "amber_share": 0.8,
        "level": "green",
        "estimated_wait_minutes": 0,
        "served_today": 0,
        "no_show_today": 0,
        "issued_today": 0,
        "daily_limit": None,
        "left_today": None,
        **fields,
    }


BOARD = Board.model_validate(
    {
        "seq": 42,
        "read_at": "2026-12-04T09:30:00Z",
        "desks": [
            {
                "id": 1,
                "code": "1",
                "name": "Platz 1",
                "kind": "front_office",
                "state": "open",
                "user": "Sachbearbeitung 1",
                "services": [2, 1],
                "ticket": {
                    "id": 7,
                    "number": "B003",
                    "status": "serving",
                    "since": "2026-12-04T09:17:30Z",
                },
                "idle_since": None,
            },
            {
                "id": 2,
                "code": "2",
                "name": "Platz 2",
                "kind": "front_office",
                "state": "open",
                "user": "Sachbearbeitung 2",
                "services": [1],
                "ticket": None,
                "idle_since": "2026-12-04T09:25:00Z",
            },
            {
                "id": 5,
                "code": "5",
                "name": "Backoffice",
                "kind": "back_office",
                "state": "paused",
                "user": "Sachbearbeitung 3",
                "services": [],
                "ticket": None,
                "idle_since": None,
            },
        ],
        "services": [
            service(
                1,
                "A",
                waiting=3,
                longest_wait_minutes=23,
                level="red",
                estimated_wait_minutes=25,
                served_today=12,
                no_show_today=1,
            ),
            service(
                2,
                "B",
                issuing=False,
                stopped=True,
                stop_reason="staff",
                daily_limit=40,
                left_today=9,
                estimated_wait_minutes=None,
            ),
            service(3, "C", issuing=False, daily_limit=10, left_today=0),
            service(4, "X", active=False),
        ],
        "alerts": [
            {"kind": "service_past_target", "at": "2026-12-04T09:27:00Z", "service_id": 1},
            {"kind": "desk_idle", "at": "2026-12-04T09:27:00Z", "desk": "2"},
            {
                "kind": "printer_fault",
                "at": "2026-12-04T09:29:00Z",
                "device": "lobby-kiosk",
                "detail": "paper_out",
            },
            {
                "kind": "wrong_scans",
                "at": "2026-12-04T09:29:30Z",
                "device": "pickup1",
                "detail": "3",
            },
        ],
    }
)


def test_desks_read_as_state_who_ticket_for_how_long_and_what_they_call() -> None:
    rows = desk_rows(BOARD, DE, "de")
    assert [row.cells for row in rows] == [
        ("Platz 1", "geöffnet", "Sachbearbeitung 1", "B003 (in Bedienung)", "12 Min.", "B, A"),
        ("Platz 2", "geöffnet", "Sachbearbeitung 2", "–", "frei seit 5 Min.", "A"),
        (
            "Backoffice",
            "in Pause",
            "Sachbearbeitung 3",
            "–",
            "–",
            "nur, was dorthin weitergeleitet wird",
        ),
    ]
    assert desk_rows(BOARD, EN, "en")[0].cells[1:5] == (
        "open",
        "Sachbearbeitung 1",
        "B003 (serving)",
        "12 min",
    )


def test_services_read_against_their_target_in_words_beside_the_colour() -> None:
    rows = service_rows(BOARD, EN, "en")
    assert [row.prefix for row in rows] == ["A", "B", "C"]  # X is switched off
    assert rows[0].cells == (
        "A · Registration A",
        "3",
        "23 of 20 min",
        "past target",
        "25 min",
        "12",
        "1",
        "no limit",
        "issuing",
    )
    assert rows[0].level == "red"
    assert rows[1].cells[2:5] == ("nobody (target 20 min)", "within target", "–")
    assert rows[1].cells[7:] == ("9 of 40", "stopped: Not enough staff")
    assert rows[2].cells[7:] == ("0 of 10", "contingent used up")
    german = service_rows(BOARD, DE, "de")
    assert german[0].cells[0] == "A · Anmeldung A"
    assert german[1].cells[8] == "gestoppt: Zu wenig Personal"


def test_alerts_read_with_the_sites_local_time_and_what_they_concern() -> None:
    rows = alert_rows(BOARD, DE, "de", ZoneInfo("Europe/Berlin"))
    assert [(row.time, row.text) for row in rows] == [
        ("10:27", "Längste Wartezeit über dem Ziel: A · Anmeldung A"),
        ("10:27", "Platz offen ohne Nummer, während Menschen warten: Platz 2"),
        ("10:29", "Druckerstörung am Kiosk: lobby-kiosk, Drucker ohne Papier"),
        (
            "10:29",
            "Wiederholt falsche Abholscheine gescannt: 3 unbekannte Abholscheine in einer "
            "Minute bei pickup1",
        ),
    ]
