"""The citizen's ticket status page (/t/<status_token>) in a real browser against the real
server: it follows the ticket live from waiting to called (the title changes) to done, in the
ticket's language (Arabic right to left), fits a small phone with enlarged text, and says
"not found" for an unknown or expired token, without telling anything about other citizens."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import expect
from sqlalchemy import update

from central_server.models import Ticket
from tests.support.api import act, call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer
from tests.support.waits import ANSWER_MS
from tests.web.conftest import wait_until

PHONE = {"width": 360, "height": 740}


def open_status(new_page: Any, server: LiveServer, token: str, **size: int) -> Any:
    page = new_page(**(size or PHONE))
    page.goto(f"{server.url}/t/{token}")
    wait_until(
        lambda: page.evaluate("() => window.tresenStatus && window.tresenStatus.connected"),
        what="the status page's live stream",
    )
    return page


def alerts(page: Any) -> int:
    return int(page.evaluate("() => window.tresenStatus.alerts"))


def test_the_page_follows_the_ticket_from_waiting_to_called_to_done(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    first = new_ticket(kiosk, services["A"])
    mine = new_ticket(kiosk, services["A"])
    page = open_status(new_page, server, mine["status_token"])
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("#number")).to_have_text("A002")
    expect(page.locator("#service")).to_have_text("Anmeldung und Ummeldung")
    expect(page.locator("#lines")).to_contain_text("Vor Ihnen: 1")
    expect(page.locator("#lines")).to_contain_text("Geschätzte Wartezeit: etwa")
    assert page.title() == "A002 – Bürgeramt Demo"

    call_next(clerk, "1")  # the one ahead
    expect(page.locator("#headline")).to_have_text("Sie sind als Nächstes dran.", timeout=ANSWER_MS)
    expect(page.locator("#lines")).to_have_text("Vor Ihnen: 0")
    act(clerk, first["id"], "no-show")

    call_next(clerk, "1")
    expect(page).to_have_title("▶ A002 → Platz 1", timeout=ANSWER_MS)
    expect(page.locator("#headline")).to_have_text("Bitte gehen Sie jetzt zu Platz 1.")
    expect(page.locator("#card")).to_have_class("card state-called")
    assert alerts(page) == 1
    act(clerk, mine["id"], "recall")
    wait_until(lambda: alerts(page) == 2, what="the alert of the recall")

    act(clerk, mine["id"], "start")
    expect(page.locator("#headline")).to_have_text("Sie werden bedient: Platz 1.")
    expect(page).to_have_title("A002 → Platz 1")
    act(clerk, mine["id"], "finish", {"outcome": "completed"})
    expect(page.locator("#headline")).to_have_text("Erledigt. Vielen Dank für Ihren Besuch!")
    expect(page).to_have_title("✓ A002 – Bürgeramt Demo")
    expect(page.locator("#alerts")).to_be_hidden()
    # Done: the page stops listening.
    wait_until(lambda: page.evaluate("() => window.tresenStatus.connected"))
    page.reload()
    expect(page.locator("#headline")).to_have_text("Erledigt. Vielen Dank für Ihren Besuch!")


def test_the_arabic_page_is_right_to_left(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = new_ticket(kiosk, services["B"], language="ar")
    page = open_status(new_page, server, mine["status_token"])
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#service")).to_have_text("بطاقة الهوية وجواز السفر")
    expect(page.locator("#lines")).to_have_text("عدد الأشخاص قبلك: 0")
    call_next(clerk, "1")
    expect(page.locator("#headline")).to_have_text("يرجى التوجه الآن إلى \u2068Platz 1\u2069.")
    expect(page).to_have_title("▶ B001 → Platz 1")


@pytest.mark.parametrize("width", [360, 390])
def test_the_page_fits_a_small_phone_also_with_large_text(
    server: LiveServer, new_page: Any, kiosk: ApiClient, services: dict, width: int
) -> None:
    mine = new_ticket(kiosk, services["C"], language="uk")
    page = open_status(new_page, server, mine["status_token"], width=width, height=740)
    sizes = []
    for scale in ("100%", "200%"):
        # What the browser's text-size setting does: a larger root font size.
        page.evaluate("(s) => { document.documentElement.style.fontSize = s; }", scale)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"the page is {wide} px wide on a {width} px phone at {scale}"
        for part in ("#number", "#headline", "#lines", "#alerts"):
            box = page.locator(part).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (part, scale)
        sizes.append(
            page.evaluate(
                "() => parseFloat(getComputedStyle(document.getElementById('lines')"
                ".firstElementChild).fontSize)"
            )
        )
    assert sizes[1] == 2 * sizes[0], "the text does not grow with the browser's text size"


def test_an_unknown_token_shows_not_found(server: LiveServer, new_page: Any) -> None:
    unknown = secrets.token_urlsafe(16)
    for token, language, text in (
        (unknown, None, "Diese Wartemarke wurde nicht gefunden."),
        (unknown, "tr-TR,tr;q=0.9", "Bu sıra fişi bulunamadı."),
        ("x", "en", "This ticket was not found."),
        ("../../etc/passwd", None, "Diese Wartemarke wurde nicht gefunden."),
    ):
        headers = {"Accept-Language": language} if language else {}
        answer = requests.get(f"{server.url}/t/{token}", headers=headers, timeout=10)
        assert answer.status_code == 404, (token, answer.status_code)
        if answer.headers["content-type"].startswith("text/html"):
            assert text in answer.text
    for path in ("state", "events"):
        answer = requests.get(f"{server.url}/t/{unknown}/{path}", timeout=10)
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
    page = new_page(**PHONE, locale="de-DE")  # the phone's language, as the ticket is unknown
    answer = page.goto(f"{server.url}/t/{unknown}")
    assert answer is not None and answer.status == 404
    expect(page.locator(".card.state-message .headline")).to_have_text(
        "Diese Wartemarke wurde nicht gefunden."
    )
    expect(page).to_have_title("Diese Wartemarke wurde nicht gefunden.")


def test_a_ticket_from_an_earlier_day_is_not_found(
    server: LiveServer, kiosk: ApiClient, services: dict
) -> None:
    mine = new_ticket(kiosk, services["A"])
    url = f"{server.url}/t/{mine['status_token']}"
    assert requests.get(url, timeout=10).status_code == 200
    assert server.db is not None
    with server.db.write_session() as session:
        ticket = session.get_one(Ticket, mine["id"])
        session.execute(
            update(Ticket).where(Ticket.id == mine["id"]).values(day=ticket.day - timedelta(1))
        )
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 404
    assert "Diese Wartemarke wurde nicht gefunden." in answer.text


def test_guessing_tokens_is_stopped(server: LiveServer, kiosk: ApiClient, services: dict) -> None:
    mine = new_ticket(kiosk, services["A"])
    for _ in range(20):
        wrong = requests.get(f"{server.url}/t/{secrets.token_urlsafe(16)}", timeout=10)
        assert wrong.status_code == 404
    # Past the limit even a right token is refused from this address, for a minute.
    answer = requests.get(f"{server.url}/t/{mine['status_token']}", timeout=10)
    assert answer.status_code == 429
    assert "Zu viele Versuche." in answer.text
    answer = requests.get(f"{server.url}/t/{mine['status_token']}/state", timeout=10)
    assert answer.status_code == 429
    assert answer.json()["code"] == "too_many_lookups"


def test_the_page_tells_nothing_about_other_citizens(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    other = new_ticket(kiosk, services["A"])
    mine = new_ticket(kiosk, services["A"], language="en")
    call_next(clerk, "1")
    act(clerk, other["id"], "start")
    base = f"{server.url}/t/{mine['status_token']}"
    state = requests.get(f"{base}/state", timeout=10).json()
    assert set(state) == {
        "state",
        "number",
        "service",
        "headline",
        "lines",
        "note",
        "title",
        "alert",
        "final",
        "feedback",
    }
    assert state["lines"] == ["People ahead of you: 0"]
    assert state["feedback"] is None  # asked once the visit is done (test_feedback.py)
    page = requests.get(base, timeout=10)
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    with requests.get(f"{base}/events", stream=True, timeout=10) as stream:
        text = ""
        for chunk in stream.iter_content(chunk_size=None):
            text += chunk.decode()
            if "event: status" in text and text.endswith("\n\n"):
                break
    assert "id:" not in text  # not even the site's event count
    data = json.loads(text.split("data: ", 1)[1].split("\n", 1)[0])
    assert data == state
    for secret in (other["number"], other["status_token"], "clerk1", "Sachbearbeitung"):
        assert secret not in text
        assert secret not in page.text
