"""The public "Is my document ready?" page (/p) in a real Chromium against the real server, on
both databases: a citizen types the code from the pickup receipt and reads the state (ordered
and expected on, ready since, handed over, expired, replaced), in their language (Arabic right
to left), never the name, the case reference or the document; an unknown code and too many
unknown codes are said plainly.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import expect
from sqlalchemy import update

from central_server.models import Pickup
from central_server.models._types import utcnow
from tests.support.live_server import ApiClient, LiveServer

PHONE = {"width": 360, "height": 740}
HOLDER = "Ayşe Yılmaz-Testperson"
REFERENCE = "AZ-2026-4711"
DETAIL = "eAT Karte"


def order(clerk: ApiClient, **fields: Any) -> dict[str, Any]:
    body = {
        "document_kind": "residence_permit",
        "document_detail": DETAIL,
        "case_reference": REFERENCE,
        "holder_name": HOLDER,
        **fields,
    }
    answer = clerk.post("/sites/demo/pickups", json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def typed(token: str) -> str:
    """As a citizen types it from the receipt: lower case, in groups of four."""
    return " ".join(token[i : i + 4].lower() for i in range(0, len(token), 4))


def check(new_page: Any, server: LiveServer, code: str, path: str = "/p", **options: Any) -> Any:
    page = new_page(**{**PHONE, **options})
    page.goto(f"{server.url}{path}")
    page.locator("#code").fill(code)
    page.locator("#code").press("Enter")
    return page


def assert_tells_nothing_personal(page: Any) -> None:
    text = page.content()
    for secret in (HOLDER, REFERENCE, DETAIL, "Aufenthalt", "B-17"):
        assert secret not in text, secret


def test_a_citizen_types_the_code_and_reads_that_it_is_ready(
    server: LiveServer, new_page: Any, clerk: ApiClient, tmp_path: Path
) -> None:
    created = order(clerk)
    assert clerk.post(f"/pickups/{created['id']}/ready", json={"slot": "B-17"}).status_code == 200
    page = new_page(**PHONE, locale="de-DE")
    page.goto(f"{server.url}/p")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Ist mein Dokument abholbereit?")
    expect(page.locator("#code")).to_be_focused()  # type (or scan) right away
    page.keyboard.type(typed(created["token"]))
    page.keyboard.press("Enter")
    expect(page.locator("#headline")).to_have_text("Abholbereit")
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()  # the site's day, not the machine's
    expect(page.locator("#lines")).to_contain_text(f"Abholbereit seit {today.day}.")
    expect(page.locator("#lines")).to_contain_text("Pass oder Ausweis mit.")
    assert_tells_nothing_personal(page)
    # Another code can be checked right there.
    expect(page.locator("#code")).to_be_visible()
    page.screenshot(path=str(tmp_path / "pickup-ready-page.png"), full_page=True)
    assert (tmp_path / "pickup-ready-page.png").stat().st_size > 10_000


def test_ordered_in_arabic_right_to_left_with_the_expected_day(
    server: LiveServer, new_page: Any, clerk: ApiClient
) -> None:
    expected = date.today() + timedelta(days=30)
    created = order(clerk, expected_ready_on=expected.isoformat())
    page = new_page(**PHONE, locale="de-DE")
    page.goto(f"{server.url}/p")
    page.locator("a[hreflang=ar]").click()  # the language links
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#code").fill(created["token"])
    page.locator("#check").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#headline")).to_have_text("ليس جاهزًا بعد")
    expect(page.locator("#lines p")).to_have_count(2)  # ordered on, expected from
    assert_tells_nothing_personal(page)


def test_handed_over_expired_and_replaced_receipts(
    server: LiveServer, new_page: Any, clerk: ApiClient
) -> None:
    supervisor = server.client(server.login("supervisor"))
    handed = order(clerk)
    clerk.post(f"/pickups/{handed['id']}/ready", json={"slot": "B-17"})
    answer = supervisor.post(
        f"/pickups/{handed['id']}/hand-over", json={"token": handed["token"], "id_checked": True}
    )
    assert answer.status_code == 200, answer.text
    page = check(new_page, server, handed["token"], locale="en-GB")
    expect(page.locator("#headline")).to_have_text("Already handed over")
    expect(page.locator("#lines")).to_contain_text("Handed over on")

    expired = order(clerk)
    assert server.db is not None
    with server.db.write_session() as session:
        session.execute(
            update(Pickup)
            .where(Pickup.id == expired["id"])
            .values(status="expired", closed_at=utcnow(), closed_by="system")
        )
    page = check(new_page, server, expired["token"], "/p?lang=en")
    expect(page.locator("#headline")).to_have_text("Not collected in time")
    expect(page.locator("#lines")).to_contain_text("Please ask at the information desk.")

    old = order(clerk)
    again = supervisor.post(
        f"/pickups/{old['id']}/reissue", json={"id_checked": True, "reason": "lost"}
    )
    assert again.status_code == 200, again.text
    page = check(new_page, server, old["token"], "/p?lang=en")
    expect(page.locator("#headline")).to_have_text("This receipt was replaced")
    page = check(new_page, server, again.json()["token"], "/p?lang=en")
    expect(page.locator("#headline")).to_have_text("Not ready yet")


def test_an_unknown_code_and_too_many_of_them(server: LiveServer, new_page: Any) -> None:
    page = check(new_page, server, "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567", locale="de-DE")
    expect(page.locator("#headline")).to_have_text("Dieser Code ist nicht bekannt.")
    expect(page.locator("#lines")).to_contain_text("Bitte prüfen Sie den Code")
    # The status page's limit for unknown codes from one address: 20 a minute, then 429.
    for _ in range(19):
        wrong = requests.post(
            f"{server.url}/p", data={"code": secrets.token_hex(16), "lang": "de"}, timeout=10
        )
        assert wrong.status_code == 404
    refused = requests.post(f"{server.url}/p", data={"code": "x", "lang": "de"}, timeout=10)
    assert refused.status_code == 429
    page = check(new_page, server, "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567", locale="de-DE")
    expect(page.locator("#headline")).to_have_text(
        "Zu viele Versuche. Bitte warten Sie eine Minute und versuchen Sie es dann noch einmal."
    )
