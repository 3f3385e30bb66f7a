"""Text with control characters is refused alike on both databases: 422 ``invalid_input``.

A NUL used to answer 500 on PostgreSQL (which cannot store it) and reset the connection, while
SQLite stored it. Every way text reaches the server is tried here against a real server: the
JSON body (sign-in name, case notes, transfer reason and desk, printer detail), a path segment
(site slug, desk code) and a query parameter (``queue?desk=``). Tab and line breaks, CR LF
included, are text and pass.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.support.api import act, assert_error, call_next, new_ticket, queue

NUL = "\x00"


def refused(answer: requests.Response, field: str) -> dict[str, Any]:
    error = assert_error(answer, 422, "invalid_input")
    assert [p["field"] for p in error["details"]["problems"]] == [field], error
    assert field in error["message"], error
    return error


def test_a_nul_in_the_sign_in_name_is_refused(server):
    url = f"{server.url}/api/v1/login"
    answer = requests.post(url, json={"username": f"clerk1{NUL}", "password": "demo"}, timeout=10)
    error = refused(answer, "username")
    assert error["message"].startswith("Steuerzeichen sind nicht erlaubt")  # German by default
    english = requests.post(
        url,
        json={"username": f"x{NUL}", "password": "demo"},
        headers={"Accept-Language": "en"},
        timeout=10,
    )
    assert refused(english, "username")["message"] == (
        "Control characters are not allowed (only tab and line breaks): username"
    )
    # The server (and on PostgreSQL its connections) stays well: the next sign-in works.
    assert requests.post(
        url, json={"username": "clerk1", "password": "demo"}, timeout=10
    ).status_code == (200)


@pytest.mark.parametrize(
    "path",
    [
        "/sites/%00/services",
        "/sites/demo%00/queue",
        "/sites/demo/desks/%00/call-next",
        "/sites/demo/desks/1%1B/sign-on",
        "/sites/demo/queue?desk=%00",
        "/sites/demo/queue?desk=1%7F",
    ],
)
def test_control_characters_in_the_address_are_refused(server, clerk, kiosk, path):
    new_ticket(kiosk, 1)
    before = queue(clerk)
    post = "call-next" in path or "sign-on" in path
    answer = clerk.post(path) if post else clerk.get(path)
    refused(answer, "query.desk" if "?" in path else "path")
    assert queue(clerk) == before
    assert clerk.get("/sites/demo/desks").status_code == 200


@pytest.mark.parametrize("bad", [NUL, "\x1b[2J", "\x7f", "\x85", "\x08"])
def test_control_characters_in_a_case_are_refused_and_change_nothing(
    server, clerk, kiosk, bad: str
):
    ticket = new_ticket(kiosk, 1)
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    path = f"/tickets/{ticket['id']}"
    before = clerk.get(path).json()
    refused(clerk.put(f"{path}/case", json={"notes": f"Notiz{bad}"}), "notes")
    refused(clerk.put(f"{path}/case", json={"case_reference": f"AZ{bad}1"}), "case_reference")
    refused(clerk.put(f"{path}/case", json={"steps_done": ["ok", f"x{bad}"]}), "steps_done.1")
    refused(clerk.post(f"{path}/finish", json={"outcome": "completed", "notes": bad}), "notes")
    refused(clerk.post(f"{path}/transfer", json={"desk": "5", "reason": f"weil{bad}"}), "reason")
    refused(clerk.post(f"{path}/transfer", json={"desk": f"5{bad}"}), "desk")
    assert clerk.get(path).json() == before


def test_tab_and_line_breaks_are_text(server, clerk, kiosk):
    ticket = new_ticket(kiosk, 1)
    call_next(clerk, "1")
    notes = "Zeile 1\r\nZeile 2\n\tEingerückt"
    answer = clerk.put(f"/tickets/{ticket['id']}/case", json={"notes": notes})
    assert answer.status_code == 200, answer.text
    assert clerk.get(f"/tickets/{ticket['id']}").json()["case"]["notes"] == notes


def test_a_nul_in_the_printer_detail_is_refused(server, clerk, kiosk):
    before = clerk.get("/sites/demo/devices").json()
    answer = kiosk.post(
        "/sites/demo/devices/printer", json={"state": "error", "detail": f"Papierstau{NUL}"}
    )
    refused(answer, "detail")
    assert clerk.get("/sites/demo/devices").json() == before
    fine = kiosk.post("/sites/demo/devices/printer", json={"state": "error", "detail": "Stau"})
    assert fine.status_code == 200, fine.text


def test_a_lone_surrogate_is_not_text_either(server, clerk, kiosk):
    """JSON can escape half a UTF-16 pair; no database can store it."""
    ticket = new_ticket(kiosk, 1)
    call_next(clerk, "1")
    answer = clerk.put(
        f"/tickets/{ticket['id']}/case",
        data=b'{"notes": "A\\ud800B"}',
        headers={"Content-Type": "application/json"},
    )
    refused(answer, "notes")


def test_a_deeply_nested_body_is_refused_not_a_crash(server, kiosk, clerk):
    """Deeper than the JSON parser goes: refused like any body that is not a ticket."""
    before = queue(clerk)
    for depth in (900, 100_000):
        answer = kiosk.post(
            "/sites/demo/tickets",
            data=("[" * depth + "]" * depth).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert 400 <= answer.status_code < 500, (depth, answer.status_code, answer.text[:300])
    nested: Any = f"x{NUL}"
    for _ in range(500):
        nested = [nested]
    refused(
        kiosk.post("/sites/demo/tickets", json={"service_id": 1, "x": nested}), "x" + ".0" * 500
    )
    assert queue(clerk) == before
