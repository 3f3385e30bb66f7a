"""The question "How was your visit?" on the citizen's status page, in a real Chromium against
the real server: it appears live when the clerk finishes the ticket, one tap on a face sends the
answer and the page says thank you, also after a reload; in Arabic right to left; without
script as a plain form; on a small phone with large text. Each test saves what the citizen sees
(390x844, as the README's pictures) to its temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from central_server.models import TicketFeedback
from tests.support.api import act, call_next, new_ticket
from tests.support.live_server import ApiClient, LiveServer
from tests.web.conftest import wait_until

PHONE = {"width": 390, "height": 844}
GERMAN_FACES = ["sehr schlecht", "schlecht", "mittel", "gut", "sehr gut"]
ARABIC_FACES = ["سيئ جدًا", "سيئ", "مقبول", "جيد", "جيد جدًا"]


def scores(server: LiveServer) -> list[tuple[int, int]]:
    assert server.db is not None
    with server.db.read_session() as session:
        return [(r.ticket_id, r.score) for r in session.scalars(select(TicketFeedback))]


def open_page(new_page: Any, server: LiveServer, token: str, **options: Any) -> Any:
    page = new_page(**{**PHONE, **options})
    page.goto(f"{server.url}/t/{token}")
    return page


def faces(page: Any) -> list[str]:
    return [
        str(button.get_attribute("aria-label")) for button in page.locator("#feedback .face").all()
    ]


def picture(page: Any, folder: Path, name: str) -> Path:
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def thanked(page: Any, text: str) -> None:
    """The page says ``text`` in place of the faces (the text is in the page from the start,
    hidden: wait until it shows)."""
    expect(page.locator("#feedback-thanks")).to_be_visible()
    expect(page.locator("#feedback-thanks")).to_have_text(text)
    expect(page.locator("#feedback")).to_be_hidden()


def serve_and_finish(clerk: ApiClient, ticket_id: int) -> None:
    called = call_next(clerk, "1")
    assert called is not None and called["id"] == ticket_id
    act(clerk, ticket_id, "start")
    act(clerk, ticket_id, "finish", {"outcome": "completed"})


def test_the_question_appears_when_the_clerk_finishes_and_one_tap_answers_it(
    server: LiveServer,
    new_page: Any,
    kiosk: ApiClient,
    clerk: ApiClient,
    services: dict,
    tmp_path: Path,
) -> None:
    mine = new_ticket(kiosk, services["A"])
    page = open_page(new_page, server, mine["status_token"])
    wait_until(lambda: page.evaluate("() => window.tresenStatus.connected"), what="the stream")
    expect(page.locator("#feedback")).to_be_hidden()
    expect(page.locator("#feedback-thanks")).to_be_hidden()

    serve_and_finish(clerk, mine["id"])  # while the citizen's page is open
    expect(page.locator("#headline")).to_have_text("Erledigt. Vielen Dank für Ihren Besuch!")
    expect(page.locator("#feedback")).to_be_visible()
    expect(page.get_by_role("heading", name="Wie war Ihr Besuch?")).to_be_visible()
    assert faces(page) == GERMAN_FACES
    group = page.get_by_role("group", name="Wie war Ihr Besuch?")
    for name in GERMAN_FACES:
        expect(group.get_by_role("button", name=name, exact=True)).to_be_visible()
    # Large enough to hit with a thumb.
    for box in (b.bounding_box() for b in page.locator("#feedback .face").all()):
        assert box is not None and box["width"] >= 48 and box["height"] >= 48, box
    picture(page, tmp_path, "status-feedback-de.png")

    page.get_by_role("button", name="gut", exact=True).click()
    thanked(page, "Vielen Dank für Ihre Antwort!")
    expect(page.locator("#feedback")).to_be_hidden()
    assert page.evaluate("() => window.tresenStatus.feedback") == 201
    assert scores(server) == [(mine["id"], 4)]
    picture(page, tmp_path, "status-feedback-thanks-de.png")

    page.reload()
    thanked(page, "Vielen Dank für Ihre Antwort!")
    expect(page.locator("#feedback")).to_be_hidden()
    assert scores(server) == [(mine["id"], 4)]


def test_a_second_page_of_the_same_ticket_is_told_it_was_answered(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = new_ticket(kiosk, services["A"], language="en")
    serve_and_finish(clerk, mine["id"])
    first = open_page(new_page, server, mine["status_token"])
    second = open_page(new_page, server, mine["status_token"])
    first.get_by_role("button", name="very good").click()
    thanked(first, "Thank you for your answer!")
    second.get_by_role("button", name="very bad").click()
    thanked(second, "You have already rated this visit. Thank you!")
    assert scores(server) == [(mine["id"], 5)]


def test_an_answer_that_did_not_arrive_can_be_sent_again(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = new_ticket(kiosk, services["A"], language="tr")
    serve_and_finish(clerk, mine["id"])
    page = open_page(new_page, server, mine["status_token"])
    page.route("**/feedback", lambda route: route.abort())  # the phone lost its network
    page.get_by_role("button", name="iyi", exact=True).click()
    expect(page.locator("#feedback-error")).to_have_text(
        "Yanıtınız gönderilemedi. Lütfen yüze tekrar dokunun."
    )
    expect(page.locator("#feedback-thanks")).to_be_hidden()
    assert scores(server) == []
    page.unroute("**/feedback")
    page.get_by_role("button", name="iyi", exact=True).click()
    thanked(page, "Yanıtınız için teşekkür ederiz!")
    expect(page.locator("#feedback-error")).to_be_hidden()
    assert scores(server) == [(mine["id"], 4)]


def test_the_arabic_question_is_right_to_left(
    server: LiveServer,
    new_page: Any,
    kiosk: ApiClient,
    clerk: ApiClient,
    services: dict,
    tmp_path: Path,
) -> None:
    mine = new_ticket(kiosk, services["B"], language="ar")
    serve_and_finish(clerk, mine["id"])
    page = open_page(new_page, server, mine["status_token"])
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#feedback .question")).to_have_text("كيف كانت زيارتكم؟")
    assert faces(page) == ARABIC_FACES
    # Right to left: the first face (very bad) stands at the right, the last at the left.
    boxes = [b.bounding_box() for b in page.locator("#feedback .face").all()]
    assert all(boxes)
    xs = [box["x"] for box in boxes if box]
    assert xs == sorted(xs, reverse=True), xs
    picture(page, tmp_path, "status-feedback-ar.png")

    page.get_by_role("button", name="جيد جدًا").click()
    thanked(page, "شكرًا لإجابتكم!")
    assert scores(server) == [(mine["id"], 5)]
    picture(page, tmp_path, "status-feedback-thanks-ar.png")


def test_without_script_the_faces_are_a_plain_form(
    server: LiveServer, new_page: Any, kiosk: ApiClient, clerk: ApiClient, services: dict
) -> None:
    mine = new_ticket(kiosk, services["C"], language="uk")
    serve_and_finish(clerk, mine["id"])
    page = open_page(new_page, server, mine["status_token"], java_script_enabled=False)
    expect(page.locator("#feedback")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="погано", exact=True).click()
    assert page.url == f"{server.url}/t/{mine['status_token']}"
    thanked(page, "Дякуємо за вашу відповідь!")
    expect(page.locator("#feedback")).to_be_hidden()
    assert scores(server) == [(mine["id"], 2)]


def test_the_faces_fit_a_small_phone_also_with_large_text(
    server: LiveServer,
    new_page: Any,
    kiosk: ApiClient,
    clerk: ApiClient,
    services: dict,
    tmp_path: Path,
) -> None:
    mine = new_ticket(kiosk, services["A"], language="ru")
    serve_and_finish(clerk, mine["id"])
    width = 360
    page = open_page(new_page, server, mine["status_token"], width=width, height=740)
    expect(page.locator("#feedback")).to_be_visible()
    for scale in ("100%", "200%"):
        page.evaluate("(s) => { document.documentElement.style.fontSize = s; }", scale)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"the page is {wide} px wide on a {width} px phone at {scale}"
        boxes = [face.bounding_box() for face in page.locator("#feedback .face").all()]
        for box in boxes:
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, scale
            assert box["width"] >= 44 and box["height"] >= 44, (box, scale)  # a thumb's size
        assert len({round(box["y"]) for box in boxes if box}) == 1, "the faces are one row"
        for end in page.locator("#feedback .scale span").all():
            box = end.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, scale
        ends = page.locator("#feedback .scale span").all_text_contents()
        assert ends == ["очень плохо", "очень хорошо"]
        picture(page, tmp_path, f"status-feedback-ru-360-{scale.rstrip('%')}.png")
