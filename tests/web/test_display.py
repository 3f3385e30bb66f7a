"""The waiting-room call display (/display/<site>) in a real browser against the real server:
calls appear live with the chime (how fast: bench/display_latency.py), recalls show again,
no-shows leave, served calls age out; after a server restart it shows the true state and never
an old call as new; only a display token opens it, it stays out of the address bar, and
revoking it stops the display."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from central_server.admin import commands
from tests.support.api import act, call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer
from tests.support.waits import ANSWER_MS
from tests.web.conftest import backdate_calls, wait_until

DISPLAY = "demo-display"


def open_display(new_page: Any, server: LiveServer, query: str = "", **size: int) -> Any:
    page = new_page(**size)
    page.goto(f"{server.url}/display/demo?token={DISPLAY}{query}")
    wait_until(lambda: probe(page)["states"] > 0, what="the display's first state")
    return page


def probe(page: Any) -> dict[str, Any]:
    """What the display's script reports about itself (window.tresenDisplay)."""
    return dict(page.evaluate("() => window.tresenDisplay || {states: 0}"))


def recent(page: Any) -> list[str]:
    return [str(t) for t in page.locator("#recent li .number").all_text_contents()]


def current(page: Any) -> Any:
    return page.locator("#current-number")


def test_a_call_appears_on_the_display_with_the_chime(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    page = open_display(new_page, server)
    expect(page.locator("#current-empty")).to_be_visible()
    new_ticket(kiosk, services["A"])
    expect(page.locator('#waiting li[data-prefix="A"] .count')).to_have_text("1")

    call_next(clerk, "1")
    expect(current(page)).to_have_text("A001", timeout=ANSWER_MS)
    expect(page.locator("#current-desk")).to_have_text("Platz 1")
    expect(page.locator("#current")).to_have_class("current flash")
    expect(page.locator('#waiting li[data-prefix="A"] .count')).to_have_text("0")
    assert probe(page)["chimes"] == 1
    assert probe(page)["announced"] == ["A001"]
    expect(page.locator("#connection")).to_be_hidden()


def test_a_recall_shows_again_with_the_chime(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    page = open_display(new_page, server)
    first = new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    expect(current(page)).to_have_text("A001")
    call_next(server.client(server.login("clerk2")), "2")
    expect(current(page)).to_have_text("A002")
    expect(page.locator("#current-desk")).to_have_text("Platz 2")
    assert recent(page) == ["A001"]
    wait_until(lambda: probe(page)["chimes"] == 2, what="the second chime")

    act(clerk, first["id"], "recall")
    expect(current(page)).to_have_text("A001", timeout=ANSWER_MS)
    expect(page.locator("#current-desk")).to_have_text("Platz 1")
    assert recent(page) == ["A002"]
    wait_until(lambda: probe(page)["chimes"] == 3, what="the chime of the recall")
    assert probe(page)["announced"] == ["A001", "A002", "A001"]


def test_a_no_show_leaves_the_display(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    page = open_display(new_page, server)
    ticket = new_ticket(kiosk, services["B"])
    call_next(clerk, "1")
    expect(current(page)).to_have_text("B001")
    act(clerk, ticket["id"], "no-show")
    expect(page.locator("#current-call")).to_be_hidden(timeout=ANSWER_MS)
    expect(page.locator("#current-empty")).to_be_visible()
    assert recent(page) == []


def test_served_calls_stay_listed_for_a_while_then_age_out(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    page = open_display(new_page, server)
    ticket = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    expect(current(page)).to_have_text("A001")
    act(clerk, ticket["id"], "start")
    # Being served, the citizen needs no big call any more: the call moves to the list.
    expect(page.locator("#current-call")).to_be_hidden()
    expect(page.locator('#recent li[data-status="serving"] .number')).to_have_text("A001")
    act(clerk, ticket["id"], "finish", {"outcome": "completed"})
    expect(page.locator('#recent li[data-status="done"] .number')).to_have_text("A001")

    backdate_calls(server, ticket["id"], minutes=11)
    new_ticket(kiosk, services["A"])  # any change makes the display read the state again
    expect(page.locator("#recent li")).to_have_count(0)
    assert probe(page)["chimes"] == 1


def test_an_old_call_is_listed_but_not_announced_when_the_display_starts(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    old = new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    backdate_calls(server, old["id"], minutes=5)
    new_ticket(kiosk, services["C"])
    call_next(server.client(server.login("clerk2")), "2")  # C001, just now

    page = open_display(new_page, server)
    expect(current(page)).to_have_text("C001")
    assert recent(page) == ["A001"]
    # The fresh call is announced once; the old one is only listed.
    assert probe(page)["announced"] == ["C001"]
    page.reload()
    wait_until(lambda: probe(page)["states"] > 0)
    expect(current(page)).to_have_text("C001")
    assert probe(page)["chimes"] == 0, "a reloaded display announced a call again"


def test_after_a_server_restart_the_display_shows_the_true_state_and_no_old_call_as_new(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    page = open_display(new_page, server)
    ticket = new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    expect(current(page)).to_have_text("A001")
    assert probe(page)["chimes"] == 1

    server.stop()
    expect(page.locator("#connection")).to_be_visible(timeout=ANSWER_MS)
    # A long outage: by the time the server is back, the call is five minutes old.
    backdate_calls(server, ticket["id"], minutes=5)
    server.start()

    expect(page.locator("#connection")).to_be_hidden(timeout=ANSWER_MS)
    expect(page.locator("#current-call")).to_be_hidden()
    assert recent(page) == ["A001"]
    assert probe(page)["chimes"] == 1, "the old call was announced again after the restart"

    # Live again: the next call appears at once, with the chime.
    clerk2 = server.client(server.login("clerk2"))
    call_next(clerk2, "2")
    expect(current(page)).to_have_text("A002", timeout=ANSWER_MS)
    assert recent(page) == ["A001"]
    wait_until(lambda: probe(page)["chimes"] == 2)
    assert probe(page)["announced"] == ["A001", "A002"]


def test_the_token_leaves_the_address_and_lives_in_a_strict_http_only_cookie(
    server: LiveServer, new_page: Any
) -> None:
    page = open_display(new_page, server)
    assert page.url == f"{server.url}/display/demo"
    (cookie,) = page.context.cookies()
    assert cookie["name"] == "tresen_display"
    assert cookie["value"] == DISPLAY
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/display"
    assert page.evaluate("() => document.cookie") == ""  # scripts cannot read it
    assert page.evaluate("() => history.length") == 2  # about:blank, the clean address
    # Reopened later (the TV's start page) without the token: the cookie opens it.
    page.goto(f"{server.url}/display/demo")
    wait_until(lambda: probe(page)["states"] > 0)
    assert not probe(page)["signedOut"]


@pytest.mark.parametrize(
    "token", ["wrong-token", "demo-kiosk", "login"], ids=["wrong", "kiosk", "clerk"]
)
def test_only_the_sites_display_token_opens_the_display(server: LiveServer, token: str) -> None:
    if token == "login":
        token = server.login("supervisor")
    url = f"{server.url}/display/demo"
    link = requests.get(url, params={"token": token}, allow_redirects=False, timeout=10)
    assert link.status_code == 401
    assert "set-cookie" not in link.headers
    assert "Diese Anzeige ist nicht angemeldet." in link.text
    cookie = requests.get(url, cookies={"tresen_display": token}, timeout=10)
    assert cookie.status_code == 401
    assert 'tresen_display=""' in cookie.headers["set-cookie"]  # the bad cookie is cleared
    for path in ("/state", "/events"):
        answer = requests.get(url + path, cookies={"tresen_display": token}, timeout=10)
        assert answer.status_code in (401, 403), answer.text
        assert answer.json()["code"] in ("invalid_token", "forbidden_role")
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(f"{server.url}/display/nowhere", timeout=10).status_code == 404


def test_a_display_of_another_site_is_refused(server: LiveServer) -> None:
    from tests.support.sites import SECOND_DISPLAY_TOKEN, add_second_site

    assert server.db is not None
    add_second_site(server.db)
    answer = requests.get(
        f"{server.url}/display/demo/state", cookies={"tresen_display": SECOND_DISPLAY_TOKEN}
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden_site"


def test_a_revoked_display_token_stops_the_display(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    page = open_display(new_page, server)
    new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    expect(current(page)).to_have_text("A001")
    assert server.db is not None
    commands.revoke_device_token(server.db, "demo", "waiting-room-display")
    expect(page.locator("#signed-out")).to_be_visible(timeout=ANSWER_MS)
    expect(page.locator("#current-call")).to_be_hidden()
    expect(page.locator("#recent li")).to_have_count(0)
    page.reload()
    expect(page.locator("body")).to_contain_text("This display is not signed in.")


def test_the_display_receives_numbers_desks_and_counts_only(
    server: LiveServer, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    ticket = new_ticket(kiosk, services["A"])
    new_ticket(kiosk, services["B"])
    call_next(clerk, "1")
    act(clerk, ticket["id"], "start")
    act(clerk, ticket["id"], "finish", {"outcome": "completed", "notes": "Geheime Notiz"})
    cookies = {"tresen_display": DISPLAY}
    state = requests.get(f"{server.url}/display/demo/state", cookies=cookies, timeout=10).json()
    assert set(state) == {"seq", "now", "calls", "waiting"}
    (call,) = state["calls"]
    assert set(call) == {"seq", "number", "desk", "at", "status", "speech"}
    assert (call["number"], call["desk"], call["status"]) == ("A001", "Platz 1", "done")
    assert call["speech"] == "Nummer A 1, bitte zu Platz 1."
    assert {w["prefix"]: w["count"] for w in state["waiting"]} == {"A": 0, "B": 1, "C": 0, "P": 0}
    with requests.get(
        f"{server.url}/display/demo/events", cookies=cookies, stream=True, timeout=10
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = ""
        for chunk in stream.iter_content(chunk_size=None):
            text += chunk.decode()
            if "event: state" in text and text.endswith("\n\n"):
                break
    data = json.loads(text.split("data: ", 1)[1].split("\n", 1)[0])
    assert {k: v for k, v in data.items() if k != "now"} == {
        k: v for k, v in state.items() if k != "now"
    }
    for secret in ("Geheime Notiz", "clerk1", "Sachbearbeitung", ticket["status_token"]):
        assert secret not in text
        assert secret not in json.dumps(state)


def test_the_display_speaks_the_call_when_the_site_switches_speech_on(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    page = open_display(new_page, server, "&speak=1")
    assert page.url == f"{server.url}/display/demo"
    new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    wait_until(lambda: probe(page)["spoken"], what="the spoken call")
    assert probe(page)["spoken"] == ["Nummer A 1, bitte zu Platz 1."]
    page.goto(f"{server.url}/display/demo?speak=0")
    wait_until(lambda: probe(page)["states"] > 0)
    assert not page.evaluate(
        "() => JSON.parse(document.getElementById('display-config').text).speak"
    )
    assert probe(page)["spoken"] == []


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_the_layout_follows_the_screen(
    server: LiveServer,
    new_page: Any,
    kiosk: ApiClient,
    clerk: ApiClient,
    services: dict,
    width: int,
    height: int,
) -> None:
    page = open_display(new_page, server, width=width, height=height)
    for _ in range(3):
        new_ticket(kiosk, services["A"])
    call_next(clerk, "1")
    expect(current(page)).to_have_text("A001")
    big = page.locator("#current").bounding_box()
    listed = page.locator(".recent").bounding_box()
    waiting = page.locator(".waiting").bounding_box()
    assert big and listed and waiting
    if width > height:  # lying: the last calls beside the call
        assert listed["x"] >= big["x"] + big["width"]
    else:  # standing: below it
        assert listed["y"] >= big["y"] + big["height"]
    assert waiting["y"] + waiting["height"] <= height, "the counts are cut off"
    number_size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.getElementById('current-number')).fontSize)"
    )
    assert number_size >= height / 8, "the number is too small to read from ten metres"
    overflow = page.evaluate("() => document.documentElement.scrollWidth > innerWidth")
    assert not overflow


# A browser that blocks sound until someone touches the screen (Chromium's default policy).
BLOCKED_SOUND = """(() => {
  const Context = window.AudioContext;
  window.AudioContext = class extends Context {
    get state() { return "suspended"; }
    resume() { return Promise.resolve(); }
  };
})();"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_the_sound_note_leaves_the_site_name_and_the_clock_readable(
    server: LiveServer, new_page: Any, width: int, height: int
) -> None:
    page = new_page(width=width, height=height)
    page.add_init_script(BLOCKED_SOUND)
    page.goto(f"{server.url}/display/demo?token={DISPLAY}")
    note = page.locator("#sound-blocked")
    expect(note).to_be_visible()
    boxes = {
        name: page.locator(selector).bounding_box()
        for name, selector in (
            ("note", "#sound-blocked"),
            ("site", ".site"),
            ("time", "#clock-time"),
            ("date", "#clock-date"),
        )
    }
    assert all(boxes.values()), boxes
    for name in ("site", "time", "date"):
        assert not _overlap(boxes["note"], boxes[name]), f"the sound note covers the {name}"
    assert boxes["note"]["x"] + boxes["note"]["width"] <= width


def _rows_whole(page: Any) -> list[str]:
    """The numbers of the listed recent calls; fails if one is cut off or hidden behind the
    waiting counts."""
    section = page.locator(".recent").bounding_box()
    waiting = page.locator(".waiting").bounding_box()
    shown = []
    for row in page.locator("#recent li:not([hidden])").all():
        box = row.bounding_box()
        number = row.locator(".number").text_content()
        assert box is not None, f"{number} is listed but not on the screen"
        bottom = box["y"] + box["height"]
        assert bottom <= section["y"] + section["height"] + 1, f"{number} is cut off"
        assert bottom <= waiting["y"], f"{number} runs into the people waiting"
        shown.append(str(number))
    return shown


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1080, 1920)])
def test_the_recent_calls_are_shown_whole(
    server: LiveServer,
    new_page: Any,
    kiosk: ApiClient,
    clerk: ApiClient,
    services: dict,
    width: int,
    height: int,
) -> None:
    for _ in range(8):
        new_ticket(kiosk, services["A"])

    # Four served calls and one new call: the new one big, the four listed beside or below it.
    def serve(ticket: dict[str, Any] | None) -> None:
        assert ticket is not None
        act(clerk, ticket["id"], "start")
        act(clerk, ticket["id"], "finish", {"outcome": "completed"})

    for _ in range(4):
        serve(call_next(clerk, "1"))
    called = call_next(clerk, "1")
    page = open_display(new_page, server, width=width, height=height)
    expect(current(page)).to_have_text("A005")
    expect(page.locator("#recent li")).to_have_count(4)
    page.evaluate("() => document.fonts.ready.then(() => true)")
    assert _rows_whole(page) == ["A004", "A003", "A002", "A001"]

    # More calls than fit: the newest are listed whole, the oldest left out, none cut in half.
    serve(called)
    for _ in range(2):
        serve(call_next(clerk, "1"))
    call_next(clerk, "1")
    expect(current(page)).to_have_text("A008")
    expect(page.locator("#recent li")).to_have_count(7)
    assert _rows_whole(page)[:4] == ["A007", "A006", "A005", "A004"]
